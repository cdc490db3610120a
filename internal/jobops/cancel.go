package jobops

import (
	"context"
	"fmt"

	"github.com/teal-flink/teal/internal/flink"
	"github.com/teal-flink/teal/internal/flinkapi"
)

// CancelOutcome is what a cancel request achieved.
type CancelOutcome int

const (
	// CancelRequested: Flink accepted the cancel; the job ends shortly.
	CancelRequested CancelOutcome = iota
	// CancelAlreadyTerminal: Flink answered 409 because the job had already reached a terminal state (it
	// finished, failed or was cancelled meanwhile) — what the cancel asked for, so it is a success.
	CancelAlreadyTerminal
)

// String names the outcome for messages.
func (o CancelOutcome) String() string {
	if o == CancelAlreadyTerminal {
		return "already terminal"
	}
	return "cancel requested"
}

// CancelResult is the one rule for the answer to a cancel: nil is CancelRequested, a 409 is
// CancelAlreadyTerminal, anything else an error (retried by the caller).
func CancelResult(err error) (CancelOutcome, error) {
	switch {
	case err == nil:
		return CancelRequested, nil
	case flink.IsConflict(err):
		return CancelAlreadyTerminal, nil
	}
	return CancelRequested, err
}

// Cancel asks Flink to cancel the job and classifies the answer by CancelResult.
func Cancel(ctx context.Context, api flinkapi.API, jobID string) (CancelOutcome, error) {
	outcome, err := CancelResult(api.CancelJob(ctx, jobID))
	if err != nil {
		return outcome, fmt.Errorf("cancelling job %s: %w", jobID, err)
	}
	return outcome, nil
}
