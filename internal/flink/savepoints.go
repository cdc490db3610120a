package flink

import (
	"context"
	"fmt"
)

// SavepointRequest triggers a savepoint (POST /jobs/:jobid/savepoints).
type SavepointRequest struct {
	// TargetDirectory is where the savepoint goes; empty uses the cluster's state.savepoints.dir, and Flink
	// answers 400 when that is not set either.
	TargetDirectory string
	// CancelJob cancels the job once the savepoint completed.
	CancelJob bool
	// FormatType is the savepoint format; empty leaves Flink's default (CANONICAL).
	FormatType SavepointFormat
	// TriggerID makes the trigger idempotent; see TriggerID. Empty lets Flink pick one (not retried then).
	TriggerID string
}

// savepointTriggerBody is SavepointTriggerRequestBody: hyphenated names.
type savepointTriggerBody struct {
	TargetDirectory string          `json:"target-directory,omitempty"`
	CancelJob       bool            `json:"cancel-job"`
	FormatType      SavepointFormat `json:"formatType,omitempty"`
	TriggerID       string          `json:"triggerId,omitempty"`
}

// StopRequest stops a job with a savepoint (POST /jobs/:jobid/stop).
type StopRequest struct {
	// TargetDirectory is where the savepoint goes; empty uses state.savepoints.dir.
	TargetDirectory string
	// Drain emits MAX_WATERMARK first, flushing event-time timers and windows (the job ends FINISHED either way).
	Drain bool
	// FormatType is the savepoint format; empty leaves Flink's default.
	FormatType SavepointFormat
	// TriggerID makes the trigger idempotent; see TriggerID.
	TriggerID string
}

// stopBody is StopWithSavepointRequestBody: camelCase names, unlike the savepoint trigger.
type stopBody struct {
	TargetDirectory string          `json:"targetDirectory,omitempty"`
	Drain           bool            `json:"drain"`
	FormatType      SavepointFormat `json:"formatType,omitempty"`
	TriggerID       string          `json:"triggerId,omitempty"`
}

// SavepointResult is the state of a savepoint or stop-with-savepoint operation.
type SavepointResult struct {
	// Status is IN_PROGRESS or COMPLETED; a failed savepoint is COMPLETED with a Failure.
	Status OperationStatus
	// Location is the savepoint path once completed successfully, such as "file:/savepoints/savepoint-0a1b2c-…".
	Location string
	// Failure is why the savepoint failed.
	Failure *SerializedThrowable
}

// Done reports whether the operation finished, successfully or not.
func (r SavepointResult) Done() bool { return r.Status == OperationCompleted }

// Err returns an error wrapping ErrOperationFailed when the operation completed with a failure.
func (r SavepointResult) Err() error {
	if r.Done() && r.Failure != nil {
		return fmt.Errorf("savepoint: %w: %s", ErrOperationFailed, r.Failure.Summary())
	}
	return nil
}

// TriggerSavepoint starts a savepoint and returns its trigger ID (request.TriggerID when set).
func (c *Client) TriggerSavepoint(ctx context.Context, jobID string, trigger SavepointRequest) (string, error) {
	return c.triggerOperation(ctx, "POST /jobs/:jobid/savepoints", jobPath(jobID, "/savepoints"), trigger.TriggerID,
		savepointTriggerBody{
			TargetDirectory: trigger.TargetDirectory,
			CancelJob:       trigger.CancelJob,
			FormatType:      trigger.FormatType,
			TriggerID:       trigger.TriggerID,
		})
}

// StopWithSavepoint stops the job with a savepoint and returns the trigger ID; poll it with SavepointStatus.
func (c *Client) StopWithSavepoint(ctx context.Context, jobID string, stop StopRequest) (string, error) {
	return c.triggerOperation(ctx, "POST /jobs/:jobid/stop", jobPath(jobID, "/stop"), stop.TriggerID,
		stopBody{
			TargetDirectory: stop.TargetDirectory,
			Drain:           stop.Drain,
			FormatType:      stop.FormatType,
			TriggerID:       stop.TriggerID,
		})
}

// SavepointStatus polls GET /jobs/:jobid/savepoints/:triggerid, which serves savepoints and stop-with-savepoint
// alike. An unknown or expired trigger ID yields an error matching ErrOperationNotFound.
func (c *Client) SavepointStatus(ctx context.Context, jobID, triggerID string) (SavepointResult, error) {
	status, info, err := c.pollOperation(ctx, "GET /jobs/:jobid/savepoints/:triggerid",
		jobPath(jobID, "/savepoints/"+triggerID))
	if err != nil {
		return SavepointResult{}, err
	}
	return SavepointResult{Status: status, Location: info.Location, Failure: info.failure()}, nil
}

// DisposalResult is the state of a savepoint disposal.
type DisposalResult struct {
	// Status is IN_PROGRESS or COMPLETED.
	Status OperationStatus
	// Failure is why the disposal failed.
	Failure *SerializedThrowable
}

// Done reports whether the disposal finished, successfully or not.
func (r DisposalResult) Done() bool { return r.Status == OperationCompleted }

// Err returns an error wrapping ErrOperationFailed when the disposal completed with a failure.
func (r DisposalResult) Err() error {
	if r.Done() && r.Failure != nil {
		return fmt.Errorf("savepoint disposal: %w: %s", ErrOperationFailed, r.Failure.Summary())
	}
	return nil
}

// DisposeSavepoint deletes a savepoint through the JobManager (POST /savepoint-disposal) and returns the trigger
// ID to poll. The request carries no trigger ID in Flink's API, so it is never retried.
func (c *Client) DisposeSavepoint(ctx context.Context, savepointPath string) (string, error) {
	return c.triggerOperation(ctx, "POST /savepoint-disposal", "/savepoint-disposal", "",
		struct {
			SavepointPath string `json:"savepoint-path"`
		}{savepointPath})
}

// DisposalStatus polls GET /savepoint-disposal/:triggerid.
func (c *Client) DisposalStatus(ctx context.Context, triggerID string) (DisposalResult, error) {
	status, info, err := c.pollOperation(ctx, "GET /savepoint-disposal/:triggerid", "/savepoint-disposal/"+triggerID)
	if err != nil {
		return DisposalResult{}, err
	}
	return DisposalResult{Status: status, Failure: info.failure()}, nil
}
