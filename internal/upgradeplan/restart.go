package upgradeplan

import (
	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
	"github.com/teal-flink/teal/internal/jobops"
)

// RestartSource is where a restart of the deployed job (health check, a failed job with
// kubernetes.operator.job.restart.failed) takes the job's state from.
type RestartSource int

const (
	// RestartFromHA: Flink HA is on; the new JobManager recovers the job and its state by itself.
	RestartFromHA RestartSource = iota
	// RestartEmpty: a stateless job starts without state.
	RestartEmpty
	// RestartFromLatestCheckpoint: without HA, the job's latest retained checkpoint (Flink keeps a failed or
	// restarting job's checkpoint statistics) is its last state.
	RestartFromLatestCheckpoint
	// RestartNeedsPerson: without HA, the configured retention deletes the job's checkpoints when the restart
	// ends it; restoring from the last upgrade's savepoint would rewind the job, so a person decides.
	RestartNeedsPerson
)

// RestartSourceOf decides where a restart of job takes its state from. A FAILED job has ended already; a running
// one is cancelled by the restart, so its checkpoints must survive a cancel.
func RestartSourceOf(target *flinkv1beta1.FlinkDeploymentSpec, highAvailability bool, job flinkv1beta1.JobStatusState, flinkConfig map[string]string) RestartSource {
	ending := flinkv1beta1.JobStatusCanceled
	if job == flinkv1beta1.JobStatusFailed {
		ending = job
	}
	switch {
	case UpgradeMode(target) == flinkv1beta1.UpgradeModeStateless:
		return RestartEmpty
	case highAvailability:
		return RestartFromHA
	case !jobops.CheckpointsSurviveEnd(ending, flinkConfig):
		return RestartNeedsPerson
	}
	return RestartFromLatestCheckpoint
}
