package flinkdeployment

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	corev1 "k8s.io/api/core/v1"
	ctrl "sigs.k8s.io/controller-runtime"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
	"github.com/teal-flink/teal/internal/clusterhealth"
	"github.com/teal-flink/teal/internal/conditions"
	"github.com/teal-flink/teal/internal/flinkapi"
	"github.com/teal-flink/teal/internal/jobops"
	"github.com/teal-flink/teal/internal/lifecycle"
	"github.com/teal-flink/teal/internal/operatorconfig"
	"github.com/teal-flink/teal/internal/upgradeplan"
)

// AnnotationRestarts on the JobManager Deployment is the number of operator-made job restarts it was created
// after (status.clusterHealth.restarts), so a restart recorded in status tells the old cluster from the new.
const AnnotationRestarts = "teal.flink.apache.org/restarts"

// observeHealth judges a deployed job that should be running: a FAILED job is restarted when
// kubernetes.operator.job.restart.failed is set, an unhealthy one (too many restarts within the window, or no
// checkpoint progress) when the cluster health check is enabled. The verdict becomes s.restartReason.
func (r *Reconciler) observeHealth(ctx context.Context, s *scope) (ctrl.Result, error) {
	status := &s.deployment.Status
	if s.invalid != "" || s.target == nil || s.target.Job == nil || jobState(s.target) != flinkv1beta1.JobStateRunning ||
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
	var record healthRecord
	if health.Samples != "" {
		// A record that cannot be read is started afresh.
		_ = json.Unmarshal([]byte(health.Samples), &record)
	}
	restarts, checkpoints, err := flinkapi.JobHealth(ctx, s.flink, s.job.ID)
	if err != nil {
		// No sample this time: the verdict waits for the next observation, but a failure that persists means
		// the check cannot see an unhealthy job, which a person must know.
		r.recordSampleFailure(s, &record, err)
		return ctrl.Result{}, saveHealthRecord(health, record)
	}
	record.SampleFailingSince, record.SampleError = nil, ""
	conditions.Delete(s.deployment, flinkv1beta1.ConditionHealthCheck)
	sample := clusterhealth.Sample{At: r.Now(), Restarts: restarts, CompletedCheckpoints: checkpoints}
	var verdict clusterhealth.Verdict
	record.Record, verdict = clusterhealth.Evaluate(record.Record, s.job.ID, sample, clusterhealth.PolicyFrom(s.config, s.flinkConfig))
	if err := saveHealthRecord(health, record); err != nil {
		return ctrl.Result{}, err
	}
	if !verdict.Healthy {
		s.restartReason = "the cluster health check failed: " + verdict.Reason
	}
	return ctrl.Result{}, nil
}

// healthRecord is what status.clusterHealth.samples holds: the health check's samples and, while sampling
// fails, since when and why (the first failure of the run, so a failing check does not rewrite status each time).
type healthRecord struct {
	clusterhealth.Record
	// SampleFailingSince is when sampling first failed in a row; nil while samples succeed.
	SampleFailingSince *time.Time `json:"sampleFailingSince,omitempty"`
	// SampleError is the first failure of the run.
	SampleError string `json:"sampleError,omitempty"`
}

func saveHealthRecord(health *flinkv1beta1.ClusterHealthStatus, record healthRecord) error {
	encoded, err := json.Marshal(record)
	if err != nil {
		return fmt.Errorf("recording the cluster health: %w", err)
	}
	health.Samples = string(encoded)
	return nil
}

// recordSampleFailure remembers a failed health sample and, once sampling has failed for the reconcile interval
// (more than one observation in a row), reports it with a condition and one Warning event.
func (r *Reconciler) recordSampleFailure(s *scope, record *healthRecord, err error) {
	now := r.Now()
	if record.SampleFailingSince == nil {
		record.SampleFailingSince, record.SampleError = &now, err.Error()
	}
	if !clusterhealth.SampleFailurePersists(*record.SampleFailingSince, now, s.config.DurationOr(operatorconfig.KeyReconcileInterval)) {
		return
	}
	message := fmt.Sprintf("the cluster health check cannot sample job %s since %s: %s; meanwhile it cannot restart "+
		"the job when it is unhealthy", s.job.ID, record.SampleFailingSince.UTC().Format(time.RFC3339), record.SampleError)
	if conditions.GetReason(s.deployment, flinkv1beta1.ConditionHealthCheck) != flinkv1beta1.ReasonHealthSampleFailed {
		r.event(s, corev1.EventTypeWarning, flinkv1beta1.ReasonHealthSampleFailed, message)
	}
	conditions.MarkFalse(s.deployment, flinkv1beta1.ConditionHealthCheck, flinkv1beta1.ReasonHealthSampleFailed, "%s", message)
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
	switch {
	case upgradeMode(s.target) == flinkv1beta1.UpgradeModeStateless:
		jobStatus.UpgradeSavepointPath = ""
	case !highAvailability(s.flinkConfig) && !restartKeepsCheckpoints(s):
		// The restart cancels the job (or it failed), and the configured retention deletes its checkpoints then:
		// restoring from the last upgrade's savepoint would rewind the job, so a person decides.
		message := fmt.Sprintf("job %s needs a restart (%s), but %s=%s deletes its checkpoints when it ends and HA "+
			"is off: set %s or enable HA. %s", s.job.ID, s.restartReason, jobops.KeyCheckpointRetention,
			s.flinkConfig[jobops.KeyCheckpointRetention], jobops.RetentionOnCancellation, lifecycle.MsgManualRestoreRequired)
		s.deployment.Status.Error = message
		s.setStalled(flinkv1beta1.ReasonManualRestore, message)
		r.event(s, corev1.EventTypeWarning, flinkv1beta1.ReasonManualRestore, message)
		return nil
	case !highAvailability(s.flinkConfig):
		// Flink keeps a failed or restarting job's checkpoint statistics: its latest checkpoint is its last state.
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

// restartKeepsCheckpoints reports whether the job's checkpoints outlive the restart: a FAILED job's survive
// unless the retention is Flink's default; a running one is cancelled, so they must survive the cancel.
func restartKeepsCheckpoints(s *scope) bool {
	if s.job.State == flinkv1beta1.JobStatusFailed {
		return jobops.CheckpointsSurviveFailure(s.flinkConfig)
	}
	return jobops.CheckpointsSurviveCancel(s.flinkConfig)
}

// restartsRecorded is status.clusterHealth.restarts.
func restartsRecorded(status *flinkv1beta1.FlinkDeploymentStatus) int64 {
	if status.ClusterHealth == nil {
		return 0
	}
	return status.ClusterHealth.Restarts
}

// clusterRestarts reads the restart count a JobManager Deployment was created after.
func clusterRestarts(annotations map[string]string) int64 {
	restarts, _ := strconv.ParseInt(annotations[AnnotationRestarts], 10, 64)
	return restarts
}
