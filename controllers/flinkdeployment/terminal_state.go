package flinkdeployment

import (
	"context"
	"fmt"

	corev1 "k8s.io/api/core/v1"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
	"github.com/teal-flink/teal/internal/jobops"
	"github.com/teal-flink/teal/internal/lifecycle"
)

// recordTerminalState records the newest state the ended job left behind as the new job's restore point, before
// the cluster that knows it is deleted. Restoring from the previous upgrade's savepoint instead would rewind the
// job; when no state can be proven (no job to ask), the upgrade stops with ManualRestoreRequired. It reports
// whether the deletion may proceed.
func (r *Reconciler) recordTerminalState(ctx context.Context, s *scope) (bool, error) {
	if s.job == nil && !jobOnRecord(&s.deployment.Status) {
		// The state was taken over before an earlier attempt to delete this cluster (recordClusterRemoval), and
		// the JobManager no longer answers: nothing is left to ask.
		return true, nil
	}
	if s.job == nil || s.flink == nil {
		message := "the old job cannot be observed, so its newest state cannot be taken over, and HA is off: " +
			"restoring from the last recorded savepoint would rewind the job. " + lifecycle.MsgManualRestoreRequired
		s.deployment.Status.Error = message
		s.setStalled(flinkv1beta1.ReasonManualRestore, message)
		r.event(s, corev1.EventTypeWarning, flinkv1beta1.ReasonManualRestore, message)
		return false, nil
	}
	path, err := r.takeOverTerminalState(ctx, s)
	if err != nil || path == "" {
		return err == nil, err
	}
	message := fmt.Sprintf("job %s is %s: the new job restores from its newest state %s", s.job.ID, s.job.State, path)
	r.event(s, corev1.EventTypeNormal, flinkv1beta1.ReasonUpgrading, message)
	s.setProgress(flinkv1beta1.ReasonUpgrading, message)
	return true, nil
}

// takeOverTerminalState records in status, before the cluster that knows it goes, the newest state an ended
// job left behind when it is newer than the recorded restore point, and returns it ("" when nothing newer).
func (r *Reconciler) takeOverTerminalState(ctx context.Context, s *scope) (string, error) {
	statistics, err := s.flink.CheckpointStatistics(ctx, s.job.ID)
	if err != nil {
		return "", fmt.Errorf("reading the state job %s left behind: %w", s.job.ID, err)
	}
	jobStatus := &s.deployment.Status.JobStatus
	path := jobops.TerminalRestorePoint(jobStatus.UpgradeSavepointPath, statistics, jobops.CheckpointsSurviveEnd(s.job.State, s.flinkConfig))
	if path == "" || jobops.SameLocation(path, jobStatus.UpgradeSavepointPath) {
		// Nothing newer than what is recorded (a job that never took or restored state keeps it).
		return "", nil
	}
	jobStatus.UpgradeSavepointPath = path
	// Recorded before the cluster that knows it is deleted.
	return path, s.patch(ctx)
}
