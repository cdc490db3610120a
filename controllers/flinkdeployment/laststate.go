package flinkdeployment

import (
	"context"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
	"github.com/teal-flink/teal/internal/flink"
	"github.com/teal-flink/teal/internal/lifecycle"
	"github.com/teal-flink/teal/internal/operatorconfig"
	"github.com/teal-flink/teal/internal/resources"
	"github.com/teal-flink/teal/internal/upgradeplan"
)

// jobOnRecord reports whether status.jobStatus.jobId names a job whose cluster the operator has not removed
// itself (recordClusterRemoval). A SUSPENDED job's cluster was removed by a suspend too: upstream keeps the id
// and does not know status.clusterRemovedJobId, so a suspended resource Teal takes over resumes from its
// savepoint rather than being taken for a lost cluster.
func jobOnRecord(status *flinkv1beta1.FlinkDeploymentStatus) bool {
	return status.JobStatus.JobID != "" && status.JobStatus.JobID != status.ClusterRemovedJobID &&
		status.JobStatus.State != flinkv1beta1.JobStatusSuspended
}

// observeHAData reports whether Flink's HA metadata of the cluster survives, when the planner needs to know: the
// cluster went missing with a job on record, under HA. Upstream asks the same before it lets a new JobManager
// resume a job it cannot see.
func (r *Reconciler) observeHAData(ctx context.Context, s *scope, obs upgradeplan.Observation) (bool, error) {
	if !upgradeplan.AsksHAData(obs) {
		return false, nil
	}
	configMaps := &corev1.ConfigMapList{}
	if err := r.List(ctx, configMaps, client.InNamespace(s.deployment.Namespace),
		client.MatchingLabels{resources.LabelApp: s.deployment.Name}); err != nil {
		return false, fmt.Errorf("listing the HA ConfigMaps: %w", err)
	}
	// Flink 2.x does not label its HA ConfigMaps configmap-type=high-availability: known by name as on deletion.
	for i := range configMaps.Items {
		if resources.IsHAConfigMap(s.deployment.Name, configMaps.Items[i]) {
			return true, nil
		}
	}
	return false, nil
}

// observeCheckpointAge asks Flink for the running job's checkpoints when a last-state upgrade is about to hand
// its state over and kubernetes.operator.job.upgrade.last-state.max.allowed.checkpoint.age is set.
func (r *Reconciler) observeCheckpointAge(ctx context.Context, s *scope, obs upgradeplan.Observation) (upgradeplan.CheckpointAge, error) {
	maxAge := s.config.DurationOr(operatorconfig.KeyLastStateMaxCheckpointAge)
	if maxAge <= 0 || s.flink == nil || !upgradeplan.AsksCheckpointAge(obs) {
		return upgradeplan.CheckpointRecent, nil
	}
	statistics, err := s.flink.CheckpointStatistics(ctx, s.job.ID)
	if flink.IsNotFound(err) {
		// Checkpointing is off: there is no checkpoint to be too old, and the upgrade hands the state over
		// through a savepoint anyway (checkpointAndCancel).
		return upgradeplan.CheckpointRecent, nil
	}
	if err != nil {
		return upgradeplan.CheckpointRecent, fmt.Errorf("reading the checkpoints of job %s: %w", s.job.ID, err)
	}
	age := upgradeplan.CheckpointAgeOf(r.Now(), maxAge, s.job.StartTime, statistics)
	if age == upgradeplan.CheckpointPending {
		s.wakeWithin(s.config.DurationOr(operatorconfig.KeyProgressCheckInterval))
	}
	return age, nil
}

// awaitCheckpoint reports that a last-state upgrade waits for a checkpoint in progress (see upgradeplan.CheckpointAgeOf).
func (r *Reconciler) awaitCheckpoint(s *scope) {
	s.setProgress(flinkv1beta1.ReasonUpgrading, fmt.Sprintf("the latest checkpoint of job %s is older than %s (%s): "+
		"waiting for the checkpoint in progress before the last-state upgrade", s.job.ID,
		s.config.DurationOr(operatorconfig.KeyLastStateMaxCheckpointAge), operatorconfig.KeyLastStateMaxCheckpointAge))
}

// reportLostCluster reports a cluster that went missing with a job whose newest state nobody recorded
// (clusterLostWithState, or HA metadata gone): a person chooses the state to restore.
func (r *Reconciler) reportLostCluster(s *scope) {
	jobStatus := s.deployment.Status.JobStatus
	message := upgradeplan.LostCluster{
		Name: s.deployment.Name, Target: s.target, HighAvailability: resources.HighAvailabilityActivated(s.flinkConfig),
		LastStateFallback: s.config.Bool(operatorconfig.KeyLastStateFallback), JobID: jobStatus.JobID, JobState: jobStatus.State,
		Upgrading: s.deployment.Status.ReconciliationStatus.State == flinkv1beta1.ReconciliationStateUpgrading,
		Recorded:  jobStatus.UpgradeSavepointPath,
	}.Message(lifecycle.MsgManualRestoreRequired)
	if s.deployment.Status.Error != message {
		r.event(s, corev1.EventTypeWarning, flinkv1beta1.ReasonManualRestore, message)
	}
	s.deployment.Status.Error = message
	s.setStalled(flinkv1beta1.ReasonManualRestore, message)
}

// recordClusterRemoval records, before the operator deletes a cluster, that the job's state has been taken
// over (a savepoint, a checkpoint, the terminal state, or HA metadata): status.clusterRemovedJobId names the job.
// status.jobStatus.jobId stays, as upstream keeps it on suspend and cleanup: people look for the job's retained
// checkpoints under <checkpoints dir>/<jobId>. A cluster that goes missing while another job is on record was
// lost, not removed (clusterLostWithState).
func (r *Reconciler) recordClusterRemoval(ctx context.Context, s *scope, current upgradeplan.Step) error {
	status := &s.deployment.Status
	if !jobOnRecord(status) {
		return nil
	}
	status.ClusterRemovedJobID = status.JobStatus.JobID
	if err := s.patch(ctx); err != nil {
		return err
	}
	r.intentRecorded(ctx, s, current)
	return nil
}
