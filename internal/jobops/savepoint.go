package jobops

import (
	"context"
	"fmt"
	"time"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
	"github.com/teal-flink/teal/internal/flink"
	"github.com/teal-flink/teal/internal/flinkapi"
	"github.com/teal-flink/teal/internal/lifecycle"
)

// JobActive reports whether a job in state still runs (or is about to) and so must be stopped before it is
// replaced; "" (not observed) is not active.
func JobActive(state flinkv1beta1.JobStatusState) bool {
	switch state {
	case "", flinkv1beta1.JobStatusFinished, flinkv1beta1.JobStatusCanceled, flinkv1beta1.JobStatusFailed,
		flinkv1beta1.JobStatusSuspended, flinkv1beta1.JobStatusCancelling:
		return false
	}
	return true
}

// StopWithSavepoint asks Flink to stop the job with a savepoint under the trigger recorded in info (see
// RecordIntent). Flink starts nothing for a trigger id it already knows, so sending it again is safe.
func StopWithSavepoint(ctx context.Context, api flinkapi.API, jobID string, info *flinkv1beta1.SavepointInfo, targetDirectory string) error {
	_, err := api.StopWithSavepoint(ctx, jobID, flink.StopRequest{
		TargetDirectory: targetDirectory, TriggerID: info.TriggerID, FormatType: flink.SavepointFormat(info.FormatType),
	})
	if err != nil {
		return fmt.Errorf("stopping job %s with savepoint %s: %w", jobID, info.TriggerID, err)
	}
	return nil
}

// TriggerSavepoint asks Flink for a savepoint of the running job under the trigger recorded in info; the job
// keeps running.
func TriggerSavepoint(ctx context.Context, api flinkapi.API, jobID string, info *flinkv1beta1.SavepointInfo, targetDirectory string) error {
	_, err := api.TriggerSavepoint(ctx, jobID, flink.SavepointRequest{
		TargetDirectory: targetDirectory, TriggerID: info.TriggerID, FormatType: flink.SavepointFormat(info.FormatType),
	})
	if err != nil {
		return fmt.Errorf("triggering savepoint %s of job %s: %w", info.TriggerID, jobID, err)
	}
	return nil
}

// PollOutcome is what Flink said about a savepoint in flight.
type PollOutcome int

const (
	// PollInProgress: the savepoint is being taken.
	PollInProgress PollOutcome = iota
	// PollCompleted: it completed; Poll.Location is where.
	PollCompleted
	// PollFailed: Flink reports it failed, or refuses the status request (a 4xx other than 404/408/429, see
	// IsDefinitive), so asking again under the same id cannot succeed (Poll.Failure says why). Definitive.
	PollFailed
	// PollUnknown: Flink does not know the trigger id (it expired after rest.async.store-duration, was lost in a
	// JobManager failover, or never arrived). Definitive for this id.
	PollUnknown
	// PollUnreachable: no answer (a timeout, a refused connection, a 5xx). Transient: nothing is known.
	PollUnreachable
)

// Poll is the classified answer to a savepoint status request.
type Poll struct {
	// Outcome classifies the answer.
	Outcome PollOutcome
	// Location of the completed savepoint.
	Location string
	// Failure is Flink's failure cause.
	Failure string
	// Err is the REST error of PollUnreachable, PollUnknown and a refused PollFailed.
	Err error
}

// ClassifyPoll classifies Flink's answer to a savepoint status request by the one rule for REST errors
// (IsDefinitive).
func ClassifyPoll(result flink.SavepointResult, err error) Poll {
	switch {
	case flink.IsNotFound(err): // a 404, or the expired operation (flink.ErrOperationNotFound)
		return Poll{Outcome: PollUnknown, Err: err}
	case IsDefinitive(err): // a refusal (400, 409…): the same request would be refused again
		return Poll{Outcome: PollFailed, Failure: "Flink refused the savepoint status request: " + err.Error(), Err: err}
	case err != nil:
		return Poll{Outcome: PollUnreachable, Err: err}
	case !result.Done():
		return Poll{Outcome: PollInProgress}
	case result.Failure != nil:
		return Poll{Outcome: PollFailed, Failure: result.Failure.Summary()}
	}
	return Poll{Outcome: PollCompleted, Location: result.Location}
}

// PollSavepoint asks Flink about the savepoint recorded in info and classifies the answer.
func PollSavepoint(ctx context.Context, api flinkapi.API, jobID string, info *flinkv1beta1.SavepointInfo) Poll {
	result, err := api.SavepointStatus(ctx, jobID, info.TriggerID)
	return ClassifyPoll(result, err)
}

// Next is what a controller does about a stop-with-savepoint after polling it.
type Next int

const (
	// NextWait: in progress; poll again at the progress-check interval.
	NextWait Next = iota
	// NextBackOff: Flink did not answer; the trigger stays recorded and the reconcile is retried with backoff.
	NextBackOff
	// NextResend: Flink lost the operation while the job still runs; ask again under the recorded id.
	NextResend
	// NextRetry: the savepoint failed and the job keeps running (Flink keeps a job running when its
	// stop-with-savepoint fails); the trigger is dropped and a later attempt gets a new id.
	NextRetry
	// NextStall: the savepoint failed, or its result is lost, and the job does not run: no new attempt can
	// succeed until a person acts (fix the job, upgrade with last-state, or restore by hand).
	NextStall
	// NextRecord: the savepoint completed; record its location.
	NextRecord
)

// AfterPoll decides what follows a poll of a stop-with-savepoint of a job in state jobState ("" when the job
// was not observed). It is the one place that decides when a recorded trigger is dropped: on a definitive answer
// (completed, failed, unknown to Flink with the job ended), never on a transient one.
func AfterPoll(poll Poll, jobState flinkv1beta1.JobStatusState) Next {
	switch poll.Outcome {
	case PollInProgress:
		return NextWait
	case PollUnreachable:
		return NextBackOff
	case PollUnknown:
		if JobActive(jobState) {
			return NextResend
		}
		return NextStall
	case PollFailed:
		if jobState != "" && jobState != flinkv1beta1.JobStatusRunning {
			return NextStall
		}
		return NextRetry
	}
	return NextRecord
}

// DropsTrigger reports whether the recorded trigger is forgotten after next: the attempt is over.
func (n Next) DropsTrigger() bool {
	switch n {
	case NextRetry, NextStall, NextRecord:
		return true
	}
	return false
}

// Settle applies the decision to the recorded trigger: an attempt that ended without a savepoint to record
// (failed, or unknown to Flink with the job ended) is forgotten, so the next attempt gets a new id; a transient
// answer or one still in progress keeps it. A completed savepoint is settled by RecordCompleted.
func Settle(info *flinkv1beta1.SavepointInfo, next Next) {
	if next.DropsTrigger() && next != NextRecord {
		DropTrigger(info)
	}
}

// RecordCompleted records a completed savepoint in info as the last one, appends it to the history and drops
// the trigger.
func RecordCompleted(info *flinkv1beta1.SavepointInfo, location string, at time.Time) flinkv1beta1.Savepoint {
	savepoint := flinkv1beta1.Savepoint{
		TimeStamp: at.UnixMilli(), Location: location, TriggerType: info.TriggerType, FormatType: info.FormatType,
	}
	info.LastSavepoint = &savepoint
	info.SavepointHistory = append(info.SavepointHistory, savepoint)
	DropTrigger(info)
	return savepoint
}

// UpgradeSavepointStall is the message of an upgrade savepoint that stalls (NextStall) and whether it is news for a
// Warning event: Flink failed it while the job is not running (RESTARTING, FAILING), which no retry can fix — a
// person fixes the job or upgrades with last-state / HA; or its result is lost and the job has ended.
func UpgradeSavepointStall(poll Poll, jobID string, jobState flinkv1beta1.JobStatusState) (message string, warn bool) {
	if poll.Outcome == PollFailed {
		return fmt.Sprintf("the upgrade savepoint of job %s failed while the job is %s: %s; the upgrade retries once "+
			"the job runs again, or use upgradeMode last-state", jobID, jobState, poll.Failure), true
	}
	return "the savepoint's result is no longer known to Flink and the job has ended. " + lifecycle.MsgManualRestoreRequired, false
}
