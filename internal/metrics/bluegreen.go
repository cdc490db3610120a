package metrics

import (
	"sync"
	"time"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
	"github.com/teal-flink/teal/controllers/bluegreen"
)

// Transition names, the label values of the blue/green histograms (upstream's Lifecycle.Transition.<name>).
const (
	TransitionInitialDeployment = "initial_deployment"
	TransitionBlueToGreen       = "blue_to_green"
	TransitionGreenToBlue       = "green_to_blue"
)

// BlueGreen returns the blue/green reconciler's TransitionRecorder.
func (m *Metrics) BlueGreen() bluegreen.TransitionRecorder { return &blueGreenRecorder{metrics: m} }

// blueGreenRecorder names each transition by the state it started from and times it, remembered per resource
// until the transition finishes. It times transitions itself because the reconciler's duration starts only when
// an active child is left, which leaves the initial deployment untimed.
type blueGreenRecorder struct {
	metrics *Metrics
	// started maps a resource's UID to its transition in flight.
	started sync.Map
	// now is the clock; nil uses the wall clock.
	now func() time.Time
}

// inFlight is a transition that started in this process.
type inFlight struct {
	name string
	at   time.Time
}

func (r *blueGreenRecorder) clock() time.Time {
	if r.now != nil {
		return r.now()
	}
	return time.Now()
}

var _ bluegreen.TransitionRecorder = (*blueGreenRecorder)(nil)

func (r *blueGreenRecorder) StateChanged(bg *flinkv1beta1.FlinkBlueGreenDeployment, from, to flinkv1beta1.FlinkBlueGreenDeploymentState) {
	r.metrics.stateChanges.WithLabelValues(bg.Namespace, string(to)).Inc()
	if transition := transitionStartedBy(from, to); transition != "" {
		r.started.Store(bg.UID, inFlight{name: transition, at: r.clock()})
	}
}

func (r *blueGreenRecorder) TransitionFinished(bg *flinkv1beta1.FlinkBlueGreenDeployment, outcome bluegreen.TransitionOutcome, duration time.Duration) {
	transition, since := r.transitionOf(bg)
	if !since.IsZero() {
		duration = r.clock().Sub(since)
	}
	if duration > 0 {
		r.metrics.transitionDuration.WithLabelValues(bg.Namespace, transition, string(outcome)).Observe(duration.Seconds())
	}
	if outcome != bluegreen.TransitionSucceeded {
		r.metrics.transitionFailures.WithLabelValues(bg.Namespace, transition, string(outcome)).Inc()
	}
}

// transitionOf names the finished transition and returns when it started (zero when unknown).
func (r *blueGreenRecorder) transitionOf(bg *flinkv1beta1.FlinkBlueGreenDeployment) (string, time.Time) {
	if started, ok := r.started.LoadAndDelete(bg.UID); ok {
		return started.(inFlight).name, started.(inFlight).at
	}
	// Started before this process (a restart or a new leader): infer it from where it ended; the reconciler's
	// duration (zero here) is all there is, except for a first deployment, which started at creation.
	if bg.Status.ActiveDeployment == "" || bg.Status.BlueGreenState == flinkv1beta1.BlueGreenInitializingBlue {
		return TransitionInitialDeployment, bg.CreationTimestamp.Time
	}
	switch bg.Status.BlueGreenState {
	case flinkv1beta1.BlueGreenActiveGreen:
		return TransitionBlueToGreen, time.Time{}
	case flinkv1beta1.BlueGreenActiveBlue:
		return TransitionGreenToBlue, time.Time{}
	}
	return TransitionInitialDeployment, time.Time{}
}

// transitionStartedBy names the transition a state change starts, "" when it starts none.
func transitionStartedBy(from, to flinkv1beta1.FlinkBlueGreenDeploymentState) string {
	switch {
	case from == "" || from == flinkv1beta1.BlueGreenInitializingBlue:
		if to == flinkv1beta1.BlueGreenInitializingBlue || to == flinkv1beta1.BlueGreenTransitioningToBlue {
			return TransitionInitialDeployment
		}
	case from == flinkv1beta1.BlueGreenActiveBlue:
		return TransitionBlueToGreen
	case from == flinkv1beta1.BlueGreenActiveGreen:
		return TransitionGreenToBlue
	}
	return ""
}
