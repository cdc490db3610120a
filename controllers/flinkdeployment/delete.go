package flinkdeployment

import (
	"context"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
	"github.com/teal-flink/teal/internal/operatorconfig"
	"github.com/teal-flink/teal/internal/phases"
	"github.com/teal-flink/teal/internal/resources"
)

// reconcileDelete shuts the cluster down (with a savepoint when kubernetes.operator.job.savepoint-on-deletion
// asks for one), then releases the finalizer. A session cluster stays while session jobs run on it.
func (r *Reconciler) reconcileDelete(ctx context.Context, s *scope) (ctrl.Result, error) {
	if !controllerutil.ContainsFinalizer(s.deployment, Finalizer) {
		s.released = true
		return ctrl.Result{}, nil
	}
	s.deployment.Status.LifecycleState = flinkv1beta1.LifecycleStateDeleting
	if result, err := phases.Run(ctx, s, r.loadConfig, r.observeJobManager, r.observeJob); err != nil || !result.IsZero() {
		return result, err
	}
	s.done = false
	if s.deployment.IsSessionCluster() {
		blocked, err := r.sessionJobsOf(ctx, s.deployment)
		if err != nil {
			return ctrl.Result{}, err
		}
		if blocked != "" {
			message := fmt.Sprintf("session cluster still runs session jobs (%s): delete them first", blocked)
			r.event(s, corev1.EventTypeWarning, flinkv1beta1.ReasonDeletionBlocked, message)
			s.deployment.Status.Error = message
			s.inFlight = true
			return ctrl.Result{}, nil
		}
	}
	if s.config.Bool(operatorconfig.KeySavepointOnDeletion) && s.deployment.Spec.Job != nil {
		info := s.deployment.Status.JobStatus.SavepointInfo
		switch {
		case info != nil && info.TriggerID != "":
			if err := r.awaitSavepoint(ctx, s); err != nil || (info.TriggerID != "" && s.stalled == nil) {
				return ctrl.Result{}, err
			}
		case jobIsActive(s.job) && s.flink != nil:
			return ctrl.Result{}, r.stopWithSavepoint(ctx, s, flinkv1beta1.SnapshotTriggerUpgrade, "delete")
		}
	}
	if err := r.deleteOwned(ctx, s.deployment); err != nil {
		return ctrl.Result{}, err
	}
	controllerutil.RemoveFinalizer(s.deployment, Finalizer)
	s.released = true
	return ctrl.Result{}, nil
}

// sessionJobsOf names the session jobs that run on a session cluster, "" when none.
func (r *Reconciler) sessionJobsOf(ctx context.Context, deployment *flinkv1beta1.FlinkDeployment) (string, error) {
	jobs := &flinkv1beta1.FlinkSessionJobList{}
	if err := r.List(ctx, jobs, client.InNamespace(deployment.Namespace)); err != nil {
		return "", fmt.Errorf("listing session jobs: %w", err)
	}
	names := ""
	for _, job := range jobs.Items {
		if job.Spec.DeploymentName == deployment.Name {
			if names != "" {
				names += ", "
			}
			names += job.Name
		}
	}
	return names, nil
}

// deleteOwned deletes the cluster's objects. Owner references would let the garbage collector do it, but the
// JobManager must be gone before the finalizer is released, and not every control plane runs a collector.
func (r *Reconciler) deleteOwned(ctx context.Context, deployment *flinkv1beta1.FlinkDeployment) error {
	if err := r.deleteDeployments(ctx, deployment); err != nil {
		return err
	}
	objects := []client.Object{
		&corev1.ConfigMap{}, &corev1.Service{}, &corev1.Service{},
	}
	names := []string{resources.ConfigMapName(deployment.Name), resources.JobManagerName(deployment.Name), resources.RestServiceName(deployment.Name)}
	for i, object := range objects {
		object.SetNamespace(deployment.Namespace)
		object.SetName(names[i])
		if err := client.IgnoreNotFound(r.Delete(ctx, object)); err != nil {
			return fmt.Errorf("deleting %s: %w", names[i], err)
		}
	}
	return nil
}
