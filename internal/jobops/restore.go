package jobops

import (
	"context"

	"github.com/teal-flink/teal/internal/flinkapi"
)

// Restore is what decides where a new job of a resource starts from.
type Restore struct {
	// HasJob: the spec deployed has a job (a session cluster has none).
	HasJob bool
	// FirstDeployment: the spec deployed is the resource's first one.
	FirstDeployment bool
	// RollingBack: the spec deployed is the last stable one, redeployed after a failed upgrade.
	RollingBack bool
	// Recorded is the restore point recorded in status (status.jobStatus.upgradeSavepointPath): the savepoint or
	// retained checkpoint the old job handed over.
	Recorded string
	// Restarted: the operator restarted the job since the first deployment (health check, restart of a failed
	// job), recording its latest state in Recorded.
	Restarted bool
	// Initial is the spec's job.initialSavepointPath.
	Initial string
}

// RestorePoint is the restore-point choice every controller shares: a job of a first deployment starts from
// job.initialSavepointPath, unless the operator restarted it since and recorded its latest state; every later
// job (an upgrade, a rollback, a resubmission) starts from the state recorded for it. "" starts empty.
func RestorePoint(r Restore) string {
	switch {
	case !r.HasJob:
		return ""
	case r.FirstDeployment && !r.RollingBack && r.Restarted && r.Recorded != "":
		return r.Recorded
	case r.FirstDeployment && !r.RollingBack:
		return r.Initial
	}
	return r.Recorded
}

// LatestCheckpoint returns the external path of the job's newest completed checkpoint (or savepoint) that Flink
// has not discarded, "" when there is none: a discarded checkpoint (subsumed, or deleted when the job ended) no
// longer exists and must never be restored from.
func LatestCheckpoint(ctx context.Context, api flinkapi.API, jobID string) (string, error) {
	statistics, err := api.CheckpointStatistics(ctx, jobID)
	if err != nil {
		return "", err
	}
	if retained := statistics.LatestRetainedCheckpoint(); retained != nil {
		return retained.ExternalPath, nil
	}
	return "", nil
}
