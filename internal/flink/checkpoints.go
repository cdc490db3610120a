package flink

import (
	"context"
	"fmt"
)

// CheckpointType selects the kind of a manually triggered checkpoint.
type CheckpointType string

// The checkpoint types Flink accepts for a manual trigger (INCREMENTAL is not supported yet, FLINK-33723).
const (
	CheckpointConfigured CheckpointType = "CONFIGURED"
	CheckpointFull       CheckpointType = "FULL"
)

// CheckpointRequest triggers a checkpoint (POST /jobs/:jobid/checkpoints, Flink 1.19+).
type CheckpointRequest struct {
	// Type is the checkpoint type; empty leaves Flink's default (CONFIGURED).
	Type CheckpointType `json:"checkpointType,omitempty"`
	// TriggerID makes the trigger idempotent; see TriggerID.
	TriggerID string `json:"triggerId,omitempty"`
}

// CheckpointResult is the state of a triggered checkpoint.
type CheckpointResult struct {
	// Status is IN_PROGRESS or COMPLETED; a failed checkpoint is COMPLETED with a Failure.
	Status OperationStatus
	// CheckpointID is the completed checkpoint's ID.
	CheckpointID int64
	// Failure is why the checkpoint failed.
	Failure *SerializedThrowable
}

// Done reports whether the checkpoint finished, successfully or not.
func (r CheckpointResult) Done() bool { return r.Status == OperationCompleted }

// Err returns an error wrapping ErrOperationFailed when the checkpoint completed with a failure.
func (r CheckpointResult) Err() error {
	if r.Done() && r.Failure != nil {
		return fmt.Errorf("checkpoint: %w: %s", ErrOperationFailed, r.Failure.Summary())
	}
	return nil
}

// TriggerCheckpoint starts a checkpoint and returns its trigger ID.
func (c *Client) TriggerCheckpoint(ctx context.Context, jobID string, trigger CheckpointRequest) (string, error) {
	return c.triggerOperation(ctx, "POST /jobs/:jobid/checkpoints", jobPath(jobID, "/checkpoints"),
		trigger.TriggerID, trigger)
}

// CheckpointStatus polls GET /jobs/:jobid/checkpoints/:triggerid.
func (c *Client) CheckpointStatus(ctx context.Context, jobID, triggerID string) (CheckpointResult, error) {
	status, info, err := c.pollOperation(ctx, "GET /jobs/:jobid/checkpoints/:triggerid",
		jobPath(jobID, "/checkpoints/"+triggerID))
	if err != nil {
		return CheckpointResult{}, err
	}
	return CheckpointResult{Status: status, CheckpointID: info.CheckpointID, Failure: info.failure()}, nil
}

// CheckpointStatistics is GET /jobs/:jobid/checkpoints, reduced to the counts and the latest checkpoints.
type CheckpointStatistics struct {
	// Counts are the job's checkpoint counters.
	Counts CheckpointCounts `json:"counts"`
	// Latest are the newest completed checkpoint and savepoint, the newest failure and the restore point.
	Latest LatestCheckpoints `json:"latest"`
	// History are the most recent checkpoints (web.checkpoints.history of them), newest first: completed,
	// failed and in progress alike (see Status).
	History []CheckpointHistoryEntry `json:"history"`
}

// CheckpointHistoryEntry is one entry of the checkpoint history. Only completed entries carry an external path
// and a meaningful Discarded flag.
type CheckpointHistoryEntry struct {
	CompletedCheckpoint
	// Status is IN_PROGRESS, COMPLETED or FAILED.
	Status string `json:"status"`
}

// Checkpoint history statuses.
const (
	CheckpointStatusCompleted  = "COMPLETED"
	CheckpointStatusFailed     = "FAILED"
	CheckpointStatusInProgress = "IN_PROGRESS"
)

// LatestRetainedCheckpoint returns the newest completed checkpoint (not savepoint) that Flink has not discarded
// and that has an external path, so a job can be restored from it; nil when there is none. Flink deletes a
// checkpoint when a newer one subsumes it and, unless execution.checkpointing.externalized-checkpoint-retention
// keeps them, when the job ends: the latest entry alone cannot tell whether its path still exists.
func (s CheckpointStatistics) LatestRetainedCheckpoint() *CompletedCheckpoint {
	var newest *CompletedCheckpoint
	consider := func(candidate *CompletedCheckpoint) {
		if candidate == nil || candidate.IsSavepoint || candidate.Discarded || candidate.ExternalPath == "" {
			return
		}
		if newest == nil || candidate.ID > newest.ID {
			newest = candidate
		}
	}
	consider(s.Latest.Completed)
	for i := range s.History {
		if s.History[i].Status == CheckpointStatusCompleted {
			consider(&s.History[i].CompletedCheckpoint)
		}
	}
	return newest
}

// CheckpointCounts are the counters of CheckpointStatistics.
type CheckpointCounts struct {
	// Restored counts restores since the job started.
	Restored int64 `json:"restored"`
	// Total counts all checkpoints triggered.
	Total int64 `json:"total"`
	// InProgress counts checkpoints in flight.
	InProgress int64 `json:"in_progress"`
	// Completed counts completed checkpoints (savepoints included).
	Completed int64 `json:"completed"`
	// Failed counts failed checkpoints.
	Failed int64 `json:"failed"`
}

// LatestCheckpoints are the "latest" entries of CheckpointStatistics; each is nil when Flink sends null.
type LatestCheckpoints struct {
	// Completed is the newest completed checkpoint.
	Completed *CompletedCheckpoint `json:"completed"`
	// Savepoint is the newest completed savepoint.
	Savepoint *CompletedCheckpoint `json:"savepoint"`
	// Failed is the newest failed checkpoint.
	Failed *FailedCheckpoint `json:"failed"`
	// Restored is the checkpoint or savepoint the job last restored from.
	Restored *RestoredCheckpoint `json:"restored"`
}

// CompletedCheckpoint is a completed checkpoint or savepoint.
type CompletedCheckpoint struct {
	// ID is the checkpoint ID; IDs of one job (and of jobs restored from it) only grow.
	ID int64 `json:"id"`
	// IsSavepoint tells savepoints from checkpoints.
	IsSavepoint bool `json:"is_savepoint"`
	// ExternalPath is where it was written, such as "file:/savepoints/savepoint-0a1b2c-…".
	ExternalPath string `json:"external_path"`
	// TriggerTimestamp is when it was triggered, in epoch milliseconds.
	TriggerTimestamp int64 `json:"trigger_timestamp"`
	// LatestAckTimestamp is when the last task acknowledged it, in epoch milliseconds.
	LatestAckTimestamp int64 `json:"latest_ack_timestamp"`
	// StateSize is the checkpointed state size in bytes.
	StateSize int64 `json:"state_size"`
	// CheckpointType is CHECKPOINT, UNALIGNED_CHECKPOINT, SAVEPOINT or SYNC_SAVEPOINT.
	CheckpointType string `json:"checkpoint_type"`
	// Discarded tells whether it has been deleted since.
	Discarded bool `json:"discarded"`
	// SavepointFormat is a savepoint's format type (CANONICAL or NATIVE); empty for a checkpoint.
	SavepointFormat SavepointFormat `json:"savepointFormat,omitempty"`
}

// FailedCheckpoint is a failed checkpoint.
type FailedCheckpoint struct {
	// ID is the checkpoint ID.
	ID int64 `json:"id"`
	// FailureTimestamp is when it failed, in epoch milliseconds.
	FailureTimestamp int64 `json:"failure_timestamp"`
	// FailureMessage says why.
	FailureMessage string `json:"failure_message"`
}

// RestoredCheckpoint is the checkpoint or savepoint a job restored from.
type RestoredCheckpoint struct {
	// ID is the restored checkpoint's ID.
	ID int64 `json:"id"`
	// RestoreTimestamp is when the restore happened, in epoch milliseconds.
	RestoreTimestamp int64 `json:"restore_timestamp"`
	// IsSavepoint tells whether a savepoint was restored.
	IsSavepoint bool `json:"is_savepoint"`
	// ExternalPath is the restored checkpoint's location.
	ExternalPath string `json:"external_path"`
}

// CheckpointStatistics returns GET /jobs/:jobid/checkpoints.
func (c *Client) CheckpointStatistics(ctx context.Context, jobID string) (CheckpointStatistics, error) {
	var statistics CheckpointStatistics
	err := c.get(ctx, "GET /jobs/:jobid/checkpoints", jobPath(jobID, "/checkpoints"), &statistics)
	return statistics, err
}
