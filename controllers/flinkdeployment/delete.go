package flinkdeployment

import (
	"context"
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
	"github.com/teal-flink/teal/internal/jobops"
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
	// Each step below acts on what status records (a savepoint's trigger id above all): a cached copy that lacks
	// the trigger this controller just wrote would read a job stopped by that savepoint as nothing to save, and
	// delete the cluster before the savepoint is recorded. Deleting it is no status write, which would be refused
	// on a stale copy (gitops.Patcher); the API reader is asked instead.
	if fresh, err := r.confirmStatus(ctx, s); err != nil || !fresh {
		return ctrl.Result{}, err
	}
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

// savepointOnDeletion takes the savepoint kubernetes.operator.job.savepoint-on-deletion asks for and reports
// whether the deletion must wait for it (upgradeplan.DeletionSavepointOf). A JobManager that cannot be reached, or
// a savepoint that fails, is retried until the cleanup timeout has passed; then the cluster is deleted without
// one, and a Warning event says so (upgradeplan.DeletionSavepointFailed).
func (r *Reconciler) savepointOnDeletion(ctx context.Context, s *scope) (bool, error) {
	info := s.deployment.Status.JobStatus.SavepointInfo
	inFlight := jobops.UpgradeInFlight(s.deployment.Status.JobStatus)
	var attempt error
	switch upgradeplan.DeletionSavepointOf(inFlight, s.flink != nil, s.jobManager != nil, s.job) {
	case upgradeplan.DeletionSkipSavepoint:
		return false, nil
	case upgradeplan.DeletionUnreachable:
		attempt = fmt.Errorf("the JobManager cannot be reached to take the savepoint")
		if inFlight {
			attempt = fmt.Errorf("the JobManager cannot be reached to complete savepoint %s", info.TriggerID)
		}
	case upgradeplan.DeletionAwaitSavepoint:
		if attempt = r.awaitSavepoint(ctx, s); attempt == nil && s.stalled != nil {
			attempt = fmt.Errorf("%s", s.stalled.message)
		} else if attempt == nil {
			return info.TriggerID != "", nil // in progress until the savepoint is recorded
		}
	default:
		if attempt = r.stopWithSavepoint(ctx, s, flinkv1beta1.SnapshotTriggerUpgrade, "delete"); attempt == nil {
			return true, nil
		}
	}
	message, giveUp := upgradeplan.DeletionSavepointFailed(attempt, s.deployment.DeletionTimestamp.Time,
		upgradeplan.CleanupTimeout(s.config.String(operatorconfig.KeyCleanupTimeout)), r.Now())
	r.event(s, corev1.EventTypeWarning, flinkv1beta1.ReasonSavepointFailed, message)
	s.deployment.Status.Error = message
	if giveUp {
		s.stalled = nil
		return false, nil
	}
	s.inFlight = true
	return true, nil
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
