package flinkdeployment

import (
	"context"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	ctrl "sigs.k8s.io/controller-runtime"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
	"github.com/teal-flink/teal/internal/clusterhealth"
	"github.com/teal-flink/teal/internal/conditions"
	"github.com/teal-flink/teal/internal/flinkapi"
	"github.com/teal-flink/teal/internal/jobops"
	"github.com/teal-flink/teal/internal/lifecycle"
	"github.com/teal-flink/teal/internal/operatorconfig"
	"github.com/teal-flink/teal/internal/resources"
	"github.com/teal-flink/teal/internal/upgradeplan"
)

// observeHealth judges a deployed job that should be running: a FAILED job is restarted when
// kubernetes.operator.job.restart.failed is set, an unhealthy one (too many restarts within the window, or no
// checkpoint progress) when the cluster health check is enabled. The verdict becomes s.restartReason.
func (r *Reconciler) observeHealth(ctx context.Context, s *scope) (ctrl.Result, error) {
	status := &s.deployment.Status
	if s.invalid != "" || s.target == nil || s.target.Job == nil || upgradeplan.JobState(s.target) != flinkv1beta1.JobStateRunning ||
		status.ReconciliationStatus.State != flinkv1beta1.ReconciliationStateDeployed || s.job == nil || s.flink == nil {
		return ctrl.Result{}, nil
	}
	if s.job.State == flinkv1beta1.JobStatusFailed {
		if s.config.Bool(operatorconfig.KeyJobRestartFailed) {
			s.restartReason = fmt.Sprintf("job %s failed and %s is set", s.job.ID, operatorconfig.KeyJobRestartFailed)
		}
		return ctrl.Result{}, nil
	}
	if !s.config.Bool(operatorconfig.KeyHealthCheckEnabled) || !upgradeplan.JobIsActive(s.job) {
		return ctrl.Result{}, nil
	}
	health := clusterHealth(status)
	record := clusterhealth.Decode(health.Samples)
	restarts, checkpoints, err := flinkapi.JobHealth(ctx, s.flink, s.job.ID)
	if err != nil {
		// No sample this time: the verdict waits for the next observation, but a failure that persists means
		// the check cannot see an unhealthy job, which a person must know.
		message := record.SampleFailed(s.job.ID, err, r.Now(), s.config.DurationOr(operatorconfig.KeyReconcileInterval))
		if conditions.Report(s.deployment, flinkv1beta1.ConditionHealthCheck, flinkv1beta1.ReasonHealthSampleFailed, message) {
			r.event(s, corev1.EventTypeWarning, flinkv1beta1.ReasonHealthSampleFailed, message)
		}
		health.Samples, err = record.Encode()
		return ctrl.Result{}, err
	}
	record.Sampled()
	conditions.Delete(s.deployment, flinkv1beta1.ConditionHealthCheck)
	sample := clusterhealth.Sample{At: r.Now(), Restarts: restarts, CompletedCheckpoints: checkpoints}
	var verdict clusterhealth.Verdict
	record.Record, verdict = clusterhealth.Evaluate(record.Record, s.job.ID, sample, clusterhealth.PolicyFrom(s.config, s.flinkConfig))
	if health.Samples, err = record.Encode(); err != nil {
		return ctrl.Result{}, err
	}
	if !verdict.Healthy {
		s.restartReason = "the cluster health check failed: " + verdict.Reason
	}
	return ctrl.Result{}, nil
}

// clusterHealth returns status.clusterHealth, creating it.
func clusterHealth(status *flinkv1beta1.FlinkDeploymentStatus) *flinkv1beta1.ClusterHealthStatus {
	if status.ClusterHealth == nil {
		status.ClusterHealth = &flinkv1beta1.ClusterHealthStatus{}
	}
	return status.ClusterHealth
}

// beginRestart records a restart of the job from its last state before anything is stopped: the restart
// count (which the new cluster is annotated with), the reason, and where the job restores from.
func (r *Reconciler) beginRestart(ctx context.Context, s *scope) error {
	jobStatus := &s.deployment.Status.JobStatus
	switch upgradeplan.RestartSourceOf(s.target, resources.HighAvailabilityActivated(s.flinkConfig), s.job.State, s.flinkConfig) {
	case upgradeplan.RestartEmpty:
		jobStatus.UpgradeSavepointPath = ""
	case upgradeplan.RestartNeedsPerson:
		message := fmt.Sprintf("job %s needs a restart (%s), but %s=%s deletes its checkpoints when it ends and HA "+
			"is off: set %s or enable HA. %s", s.job.ID, s.restartReason, jobops.KeyCheckpointRetention,
			s.flinkConfig[jobops.KeyCheckpointRetention], jobops.RetentionOnCancellation, lifecycle.MsgManualRestoreRequired)
		s.deployment.Status.Error = message
		s.setStalled(flinkv1beta1.ReasonManualRestore, message)
		r.event(s, corev1.EventTypeWarning, flinkv1beta1.ReasonManualRestore, message)
		return nil
	case upgradeplan.RestartFromLatestCheckpoint:
		path, err := jobops.LatestCheckpoint(ctx, s.flink, s.job.ID)
		if err != nil {
			return fmt.Errorf("reading the latest checkpoint of job %s: %w", s.job.ID, err)
		}
		if path != "" {
			jobStatus.UpgradeSavepointPath = path
		}
	}
	health := clusterHealth(&s.deployment.Status)
	health.Restarts++
	health.LastRestartReason = s.restartReason
	health.Samples = ""
	s.deployment.Status.ReconciliationStatus.State = flinkv1beta1.ReconciliationStateUpgrading
	message := fmt.Sprintf("restarting job %s from its last state: %s", s.job.ID, s.restartReason)
	r.event(s, corev1.EventTypeWarning, flinkv1beta1.ReasonRestarting, message)
	s.setProgress(flinkv1beta1.ReasonRestarting, message)
	return s.patch(ctx)
}

// restartsRecorded is status.clusterHealth.restarts.
func restartsRecorded(status *flinkv1beta1.FlinkDeploymentStatus) int64 {
	if status.ClusterHealth == nil {
		return 0
	}
	return status.ClusterHealth.Restarts
}
