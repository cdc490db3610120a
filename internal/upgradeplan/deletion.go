package upgradeplan

import (
	"fmt"
	"time"

	"github.com/teal-flink/teal/internal/flinkapi"
	"github.com/teal-flink/teal/internal/flinkvalue"
	"github.com/teal-flink/teal/internal/operatorconfig"
)

// DeletionSavepoint is what a deletion does next about kubernetes.operator.job.savepoint-on-deletion.
type DeletionSavepoint int

const (
	// DeletionTakeSavepoint stops the running job with a savepoint.
	DeletionTakeSavepoint DeletionSavepoint = iota
	// DeletionSkipSavepoint: nothing runs, or no cluster is left: nothing to save.
	DeletionSkipSavepoint
	// DeletionAwaitSavepoint polls the savepoint recorded in status.
	DeletionAwaitSavepoint
	// DeletionUnreachable: a savepoint is due, but the JobManager cannot be reached.
	DeletionUnreachable
)

// DeletionSavepointOf decides the deletion's savepoint step: inFlight (an upgrade-type trigger is recorded),
// reachable (the JobManager's REST API answers), clusterExists (its Deployment exists) and the job it reports.
func DeletionSavepointOf(inFlight, reachable, clusterExists bool, job *flinkapi.JobInfo) DeletionSavepoint {
	switch {
	case inFlight && reachable:
		return DeletionAwaitSavepoint
	case inFlight:
		return DeletionUnreachable
	case job != nil && !JobIsActive(job):
		return DeletionSkipSavepoint
	case (!reachable || job == nil) && !clusterExists:
		return DeletionSkipSavepoint
	case !reachable || job == nil:
		return DeletionUnreachable
	}
	return DeletionTakeSavepoint
}

// DefaultCleanupTimeout is upstream's default for kubernetes.operator.resource.cleanup.timeout.
const DefaultCleanupTimeout = 5 * time.Minute

// CleanupTimeout reads kubernetes.operator.resource.cleanup.timeout: how long a deletion keeps trying to shut the
// job down as asked (the savepoint on deletion) before it deletes the cluster anyway. A malformed or non-positive
// value means the default.
func CleanupTimeout(configured string) time.Duration {
	if timeout, err := flinkvalue.ParseDuration(configured); err == nil && timeout > 0 {
		return timeout
	}
	return DefaultCleanupTimeout
}

// DeletionSavepointFailed says what a failed attempt at the savepoint on deletion means: retried until the cleanup
// timeout (counted from the deletion request) has passed, then given up, the cluster deleted without it (the
// job's latest state is then only in its checkpoints). It returns the message for the Warning event and status.
func DeletionSavepointFailed(attempt error, deletedAt time.Time, timeout time.Duration, now time.Time) (message string, giveUp bool) {
	deadline := deletedAt.Add(timeout)
	if now.Before(deadline) {
		return fmt.Sprintf("savepoint on deletion: %v; retrying until %s (%s)", attempt,
			deadline.UTC().Format(time.RFC3339), operatorconfig.KeyCleanupTimeout), false
	}
	return fmt.Sprintf("deleting the cluster without the savepoint on deletion after %s: %v; the job's latest "+
		"state is only in its retained checkpoints", timeout, attempt), true
}
