package flinkdeployment

import (
	"context"
	"fmt"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
	"github.com/teal-flink/teal/internal/flinkvalue"
	"github.com/teal-flink/teal/internal/operatorconfig"
	"github.com/teal-flink/teal/internal/phases"
	"github.com/teal-flink/teal/internal/resources"
	"github.com/teal-flink/teal/internal/upgradeplan"
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
		if wait, err := r.savepointOnDeletion(ctx, s); wait || err != nil {
			return ctrl.Result{}, err
		}
	}
	if done, err := r.deleteOwned(ctx, s.deployment); err != nil || !done {
		s.inFlight = true
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
	var names []string
	for _, job := range jobs.Items {
		if job.Spec.DeploymentName == deployment.Name {
			names = append(names, job.Name)
		}
	}
	return strings.Join(names, ", "), nil
}

// deleteOwned deletes the cluster's objects and reports whether they are gone. Owner references would let the
// garbage collector do it, but the JobManager must be gone before the finalizer is released, and not every
// control plane runs a collector. Flink's HA ConfigMaps go only once no pod of the cluster is left
// (clusterPodsGone): a JobManager still shutting down renews its leader ConfigMap and creates it again.
func (r *Reconciler) deleteOwned(ctx context.Context, deployment *flinkv1beta1.FlinkDeployment) (bool, error) {
	if err := r.deleteDeployments(ctx, deployment); err != nil {
		return false, err
	}
	if gone, err := r.clusterPodsGone(ctx, deployment); err != nil || !gone {
		return false, err
	}
	if err := r.deleteHAConfigMaps(ctx, deployment); err != nil {
		return false, err
	}
	objects := []client.Object{
		&corev1.ConfigMap{}, &corev1.Service{}, &corev1.Service{},
	}
	names := []string{resources.ConfigMapName(deployment.Name), resources.JobManagerName(deployment.Name), resources.RestServiceName(deployment.Name)}
	for i, object := range objects {
		object.SetNamespace(deployment.Namespace)
		object.SetName(names[i])
		if err := client.IgnoreNotFound(r.Delete(ctx, object)); err != nil {
			return false, fmt.Errorf("deleting %s: %w", names[i], err)
		}
	}
	return true, nil
}

// clusterPodsGone reports whether no JobManager or TaskManager pod of the cluster is left (labels app=<name> and a
// Flink cluster type, on Teal's pods and on the TaskManager pods native Flink creates). On real pods the leader
// ConfigMap <name>-cluster-config-map outlived a deletion that removed the HA ConfigMaps while the JobManager
// was still terminating.
func (r *Reconciler) clusterPodsGone(ctx context.Context, deployment *flinkv1beta1.FlinkDeployment) (bool, error) {
	pods := &corev1.PodList{}
	if err := r.List(ctx, pods, client.InNamespace(deployment.Namespace),
		client.MatchingLabels{resources.LabelApp: deployment.Name}, client.HasLabels{resources.LabelType}); err != nil {
		return false, fmt.Errorf("listing the cluster's pods: %w", err)
	}
	return len(pods.Items) == 0, nil
}

// keyCleanupTimeout is upstream's kubernetes.operator.resource.cleanup.timeout: how long a deletion keeps
// trying to shut the job down as asked (the savepoint on deletion) before it deletes the cluster anyway.
const keyCleanupTimeout = operatorconfig.KeyCleanupTimeout

// defaultCleanupTimeout is upstream's default for keyCleanupTimeout.
const defaultCleanupTimeout = 5 * time.Minute

// cleanupTimeout reads keyCleanupTimeout; a malformed value means the default.
func cleanupTimeout(s *scope) time.Duration {
	if timeout, err := flinkvalue.ParseDuration(s.config.String(keyCleanupTimeout)); err == nil && timeout > 0 {
		return timeout
	}
	return defaultCleanupTimeout
}

// savepointOnDeletion takes the savepoint kubernetes.operator.job.savepoint-on-deletion asks for and reports
// whether the deletion must wait for it. A JobManager that cannot be reached, or a savepoint that fails, is
// retried until the cleanup timeout (counted from the deletion request) has passed; then the cluster is deleted
// without one, and a Warning event says so, since the job's latest state is then only in its checkpoints.
func (r *Reconciler) savepointOnDeletion(ctx context.Context, s *scope) (bool, error) {
	info := s.deployment.Status.JobStatus.SavepointInfo
	deadline := s.deployment.DeletionTimestamp.Add(cleanupTimeout(s))
	expired := !r.Now().Before(deadline)
	var attempt error
	switch {
	case info != nil && info.TriggerID != "" && info.TriggerType == flinkv1beta1.SnapshotTriggerUpgrade:
		if s.flink == nil {
			attempt = fmt.Errorf("the JobManager cannot be reached to complete savepoint %s", info.TriggerID)
			break
		}
		attempt = r.awaitSavepoint(ctx, s)
		switch {
		case attempt != nil:
		case s.stalled != nil:
			attempt = fmt.Errorf("%s", s.stalled.message)
		case info.TriggerID == "":
			return false, nil // done: the savepoint is recorded
		default:
			return true, nil // in progress
		}
	case s.job != nil && !upgradeplan.JobIsActive(s.job):
		return false, nil // nothing runs: nothing to save
	case s.flink == nil || s.job == nil:
		if s.jobManager == nil {
			return false, nil // no cluster left: nothing to save
		}
		attempt = fmt.Errorf("the JobManager cannot be reached to take the savepoint")
	default:
		attempt = r.stopWithSavepoint(ctx, s, flinkv1beta1.SnapshotTriggerUpgrade, "delete")
		if attempt == nil {
			return true, nil
		}
	}
	if !expired {
		message := fmt.Sprintf("savepoint on deletion: %v; retrying until %s (%s)", attempt,
			deadline.UTC().Format(time.RFC3339), keyCleanupTimeout)
		r.event(s, corev1.EventTypeWarning, flinkv1beta1.ReasonSavepointFailed, message)
		s.deployment.Status.Error = message
		s.inFlight = true
		return true, nil
	}
	message := fmt.Sprintf("deleting the cluster without the savepoint on deletion after %s: %v; the job's latest "+
		"state is only in its retained checkpoints", cleanupTimeout(s), attempt)
	r.event(s, corev1.EventTypeWarning, flinkv1beta1.ReasonSavepointFailed, message)
	s.deployment.Status.Error = message
	s.stalled = nil
	return false, nil
}

// deleteHAConfigMaps deletes the ConfigMaps Flink's Kubernetes HA services keep for the cluster. Flink creates them
// itself, so no owner reference removes them: left behind, a new deployment of the same name would silently resume
// the old job from them.
func (r *Reconciler) deleteHAConfigMaps(ctx context.Context, deployment *flinkv1beta1.FlinkDeployment) error {
	configMaps := &corev1.ConfigMapList{}
	if err := r.List(ctx, configMaps, client.InNamespace(deployment.Namespace), client.MatchingLabels{"app": deployment.Name}); err != nil {
		return fmt.Errorf("listing the HA ConfigMaps: %w", err)
	}
	for i := range configMaps.Items {
		if !resources.IsHAConfigMap(deployment.Name, configMaps.Items[i]) {
			continue
		}
		if err := client.IgnoreNotFound(r.Delete(ctx, &configMaps.Items[i])); err != nil {
			return fmt.Errorf("deleting HA ConfigMap %s: %w", configMaps.Items[i].Name, err)
		}
	}
	return nil
}
