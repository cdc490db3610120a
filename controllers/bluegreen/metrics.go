package bluegreen

import (
	"time"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
)

// TransitionOutcome is how a blue/green transition (or first deployment, or in-place patch) ended.
type TransitionOutcome string

// Transition outcomes, named like the condition reasons that report them.
const (
	// TransitionSucceeded: the incoming child became ready and is the active one.
	TransitionSucceeded TransitionOutcome = flinkv1beta1.ReasonSucceeded
	// TransitionAborted: the incoming child was not ready within the abort grace period.
	TransitionAborted TransitionOutcome = flinkv1beta1.ReasonTransitionAborted
	// TransitionSavepointFailed: the hand-over savepoint did not complete within the grace period.
	TransitionSavepointFailed TransitionOutcome = flinkv1beta1.ReasonSavepointFailed
)

// TransitionRecorder observes blue/green transitions, for metrics. Calls come from the reconciler after the
// status that reports the change was written; implementations must be safe for concurrent use and fast.
type TransitionRecorder interface {
	// StateChanged reports that bg moved from one blueGreenState to another ("" before the first state).
	StateChanged(bg *flinkv1beta1.FlinkBlueGreenDeployment, from, to flinkv1beta1.FlinkBlueGreenDeploymentState)
	// TransitionFinished reports the end of a transition and how long it took since it started (as observed by
	// this operator process; zero when it started before the process did).
	TransitionFinished(bg *flinkv1beta1.FlinkBlueGreenDeployment, outcome TransitionOutcome, duration time.Duration)
}

// recordState and recordFinish are nil-safe calls of the reconciler's recorder.
func (r *Reconciler) recordState(bg *flinkv1beta1.FlinkBlueGreenDeployment, from, to flinkv1beta1.FlinkBlueGreenDeploymentState) {
	if from == to {
		return
	}
	now := r.Now()
	if isSteady(from) && !isSteady(to) {
		r.started.Store(bg.UID, now)
	}
	if r.Metrics != nil {
		r.Metrics.StateChanged(bg, from, to)
	}
}

func (r *Reconciler) recordFinish(bg *flinkv1beta1.FlinkBlueGreenDeployment, outcome TransitionOutcome) {
	var duration time.Duration
	if started, ok := r.started.LoadAndDelete(bg.UID); ok {
		duration = r.Now().Sub(started.(time.Time))
	}
	if r.Metrics != nil {
		r.Metrics.TransitionFinished(bg, outcome, duration)
	}
}

func isSteady(state flinkv1beta1.FlinkBlueGreenDeploymentState) bool {
	switch state {
	case "", flinkv1beta1.BlueGreenInitializingBlue, flinkv1beta1.BlueGreenActiveBlue, flinkv1beta1.BlueGreenActiveGreen:
		return true
	}
	return false
}
