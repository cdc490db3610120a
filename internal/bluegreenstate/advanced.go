package bluegreenstate

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
)

// The coordination ConfigMap of transitionMode ADVANCED (FLIP-504): its keys and values, shared with the gate in
// the jobs (gate/, docs/bluegreen-exactly-once.md).
const (
	GateKeyFirstDeployment = "is-first-deployment"
	GateKeyActive          = "active-deployment-type"
	GateKeyDeletionDelay   = "deployment-deletion-delay-ms"
	GateKeyStage           = "stage"
	GateKeyWatermarkStage  = "watermark-stage"
	GateKeyWatermark       = "watermark-toggle-value"
	// GateKeyCandidatePrefix starts the outgoing gates' W candidates (<candidate>@<job id>). A candidate of an
	// aborted cut-over names the same outgoing job as the next attempt's, so it would count there.
	GateKeyCandidatePrefix = "teal.gate-candidate."

	StageInitializing         = "INITIALIZING"
	StageTransitioning        = "TRANSITIONING"
	StageRunning              = "RUNNING"
	StageClearTeardown        = "CLEAR_TO_TEARDOWN"
	WatermarkNotSet           = "WATERMARK_NOT_SET"
	WatermarkSet              = "WATERMARK_SET"
	DefaultTransitionDeadline = 10 * time.Minute
)

// GateConfigMapName is the coordination ConfigMap's name: <bg-name>-configmap, as the draft names it.
func GateConfigMapName(bg *flinkv1beta1.FlinkBlueGreenDeployment) string {
	return bg.Name + "-configmap"
}

// Gate is what the controller observed of the coordination ConfigMap.
type Gate struct {
	// Exists: the ConfigMap is there.
	Exists bool
	// Active is active-deployment-type; Stage is stage.
	Active flinkv1beta1.BlueGreenDeploymentType
	Stage  string
	// W is watermark-toggle-value when watermark-stage is WATERMARK_SET ("" otherwise: a leftover value is no W).
	W string
	// Candidates are the W candidate keys present, sorted.
	Candidates []string
}

// GateWrite is a change of the coordination ConfigMap: keys to set and keys to remove, written conditionally on
// the resourceVersion the decision was made from, so that a gate's concurrent write (W, CLEAR_TO_TEARDOWN) is
// never overwritten by a decision that did not see it.
type GateWrite struct {
	Set    map[string]string
	Remove []string
}

// String names the write by its stage, or by the keys it sets.
func (w *GateWrite) String() string {
	if w == nil {
		return ""
	}
	if stage := w.Set[GateKeyStage]; stage != "" {
		return stage
	}
	keys := make([]string, 0, len(w.Set))
	for key := range w.Set {
		keys = append(keys, key)
	}
	sort.Strings(keys)
	return strings.Join(keys, ",")
}

// writeGate is the effect that writes w.
func writeGate(w GateWrite) Effect { return Effect{Kind: EffectWriteGate, Gate: &w} }

// prepareGate starts a transition towards incoming: the incoming colour is the one that emits from W on, and
// any W of an earlier transition is removed (the incoming gate would otherwise emit at once).
func prepareGate(o Observations, incoming flinkv1beta1.BlueGreenDeploymentType) Effect {
	return writeGate(GateWrite{Set: map[string]string{
		GateKeyFirstDeployment: strconv.FormatBool(o.FirstDeployment),
		GateKeyActive:          string(incoming),
		GateKeyDeletionDelay:   strconv.FormatInt(o.DeletionDelay.Milliseconds(), 10),
		GateKeyStage:           StageInitializing,
		GateKeyWatermarkStage:  WatermarkNotSet,
	}, Remove: append([]string{GateKeyWatermark}, o.Gate.Candidates...)})
}

// settleGate makes active the only emitting colour with stage RUNNING. Without clearW a W stays (the sole
// gate emits what is at or after it: everything it still sees); with it, W is removed (an abort before W).
func settleGate(active flinkv1beta1.BlueGreenDeploymentType, clearW bool) Effect {
	w := GateWrite{Set: map[string]string{GateKeyActive: string(active), GateKeyStage: StageRunning}}
	if clearW {
		w.Set[GateKeyWatermarkStage] = WatermarkNotSet
		w.Remove = []string{GateKeyWatermark}
	}
	return writeGate(w)
}

// withGate adds the ConfigMap writes of transitionMode ADVANCED to a decision made by the BASIC state machine
// outside a running cut-over: a transition that starts towards another colour (or the first deployment)
// prepares the ConfigMap before the incoming child is created, and a settled state keeps it saying who emits.
func withGate(o Observations, d Decision) Decision {
	starting := d.Intent.State == flinkv1beta1.BlueGreenTransitioningToBlue || d.Intent.State == flinkv1beta1.BlueGreenTransitioningToGreen
	if starting && !IsTransitioning(o.State) {
		incoming := StateChild(d.Intent.State)
		if o.FirstDeployment || o.State == "" || o.State == flinkv1beta1.BlueGreenInitializingBlue || incoming != StateChild(o.State) || !o.Gate.Exists {
			d.Effects = append([]Effect{prepareGate(o, incoming)}, d.Effects...)
		}
		return d
	}
	if (o.State == flinkv1beta1.BlueGreenActiveBlue || o.State == flinkv1beta1.BlueGreenActiveGreen) && d.Intent.State == "" && d.State == "" {
		active := StateChild(o.State)
		if (!o.Gate.Exists || o.Gate.Active != active || o.Gate.Stage != StageRunning) && !abortPending(o, active) {
			d.Effects = append(d.Effects, settleGate(active, o.Gate.W == ""))
		}
	}
	return d
}

// IsTransitioning reports a TRANSITIONING_TO_<colour> state.
func IsTransitioning(state flinkv1beta1.FlinkBlueGreenDeploymentState) bool {
	return state == flinkv1beta1.BlueGreenTransitioningToBlue || state == flinkv1beta1.BlueGreenTransitioningToGreen
}

// cutOverStarted: the ConfigMap says a cut-over towards incoming is past INITIALIZING (the incoming job runs and
// the gates act on W). From then on the incoming child is not restarted by a spec change: its gate may already
// have emitted records from W on, which a restart from the hand-over savepoint would emit again.
func cutOverStarted(o Observations, incoming flinkv1beta1.BlueGreenDeploymentType) bool {
	return o.Gate.Exists && o.Gate.Active == incoming && (o.Gate.Stage == StageTransitioning || o.Gate.Stage == StageClearTeardown)
}

// nextCutOver is the ADVANCED protocol while both children run: INITIALIZING (the incoming job starts and its
// gate holds) → TRANSITIONING once the incoming job runs (the gates agree on W) → CLEAR_TO_TEARDOWN written by
// the outgoing gates once their watermark passed W → the outgoing job is stopped with a savepoint (its last
// transaction commits) and removed → RUNNING. d carries what nextTransitioning already decided (the spec record
// of a top-level change).
func nextCutOver(o Observations, incomingType flinkv1beta1.BlueGreenDeploymentType, d Decision) Decision {
	incoming, outgoing := o.Child(incomingType), o.Child(Other(incomingType))
	in, out := Lower(incomingType), Lower(Other(incomingType))
	reconciling := func(reason, message string) {
		d.Outcome = Outcome{Kind: OutcomeReconciling, Reason: reason, Message: message}
		// One event per phase, not one per look while it lasts.
		d.Event = o.Reason != reason
	}
	stage := o.Gate.Stage
	if !o.Gate.Exists || o.Gate.Active != incomingType || (stage != StageInitializing && stage != StageTransitioning && stage != StageClearTeardown) {
		if abortDue(o) {
			if o.Gate.Exists && o.Gate.Active == Other(incomingType) && o.Gate.Stage == StageRunning && o.Gate.W == "" {
				// Settled on the outgoing colour without W (an abort of an earlier version, or by hand): no gate
				// can have cut over, so the abort is lossless. Carry it out in order.
				return abortCutOver(o, incomingType, "the cut-over did not complete in time")
			}
			// Missing, or in a state that does not rule out W: aborting after W would lose records.
			d.Outcome = Outcome{Kind: OutcomeStalled, Reason: flinkv1beta1.ReasonCutOverStalled, Message: fmt.Sprintf(
				"the cut-over to the %s child is past its deadline, but the coordination ConfigMap does not show the cut-over without W (%s), so it is not aborted (an abort after W loses records): check the ConfigMap and both jobs",
				in, describeGate(o.Gate))}
			d.Event, d.Warning = o.Reason != flinkv1beta1.ReasonCutOverStalled, true
			return d
		}
		// The transition was recorded but the ConfigMap not yet prepared (the operator stopped in between):
		// prepare it before the incoming child exists.
		d.Effects = append(d.Effects, prepareGate(o, incomingType))
		stage = StageInitializing
		if incoming.Exists {
			// A child from before the preparation (it cannot have passed INITIALIZING): it holds, and goes on.
			reconciling(flinkv1beta1.ReasonWaitingForIncomingJob, fmt.Sprintf("prepared the cut-over to the %s child", in))
			return d
		}
	}
	if !incoming.Exists {
		d.Effects = append(d.Effects, Effect{Kind: EffectApplyChild, Child: incomingType})
	}
	deadline := func() time.Time {
		readyAt := o.ReadyAt
		if readyAt.IsZero() {
			readyAt = o.Now
		}
		return readyAt.Add(o.TransitionDeadline)
	}
	// Before the stage switch: an abort interrupted after its first write shows INITIALIZING again, which must
	// not lead back to TRANSITIONING (the gates would agree on W again). An incoming job that ran late, after
	// the grace period but before this look and before any TRANSITIONING, still goes on.
	if abortDue(o) && o.Gate.W == "" && stage != StageClearTeardown && !(stage == StageInitializing && o.ReadyAt.IsZero() && incoming.Ready) {
		return abortCutOver(o, incomingType, abortWhy(o, in))
	}
	switch stage {
	case StageInitializing:
		if !incoming.Ready {
			reconciling(flinkv1beta1.ReasonWaitingForIncomingJob, fmt.Sprintf(
				"waiting for the %s job to run (its gate holds; the %s job emits everything): %s", in, out, incoming.Problem))
			if !o.AbortAt.IsZero() {
				d.Wait = o.AbortAt.Sub(o.Now) + time.Millisecond
			}
			return d
		}
		if o.ReadyAt.IsZero() {
			d.Intent.SetReady = true
		}
		d.Effects = append(d.Effects, writeGate(GateWrite{Set: map[string]string{GateKeyStage: StageTransitioning}}))
		reconciling(flinkv1beta1.ReasonWaitingForWatermark, fmt.Sprintf(
			"the %s job runs: stage TRANSITIONING, waiting for the gates to agree on the toggle watermark W", in))
		d.Wait = o.TransitionDeadline + time.Millisecond
		return d
	case StageTransitioning:
		if o.ReadyAt.IsZero() {
			d.Intent.SetReady = true
		}
		at := deadline()
		if o.Gate.W == "" {
			reconciling(flinkv1beta1.ReasonWaitingForWatermark, fmt.Sprintf(
				"stage TRANSITIONING: waiting for the gates to agree on the toggle watermark W (deadline in %s)", at.Sub(o.Now).Round(time.Second)))
			d.Wait = at.Sub(o.Now) + time.Millisecond
			return d
		}
		if o.Now.After(at) {
			// An abort after W would lose records (the outgoing job dropped those at or after W): wait, and say
			// that a person should look at the outgoing job's watermark.
			d.Outcome = Outcome{Kind: OutcomeStalled, Reason: flinkv1beta1.ReasonCutOverStalled, Message: fmt.Sprintf(
				"cut-over at W=%s: the %s job's watermark did not pass W within the transition deadline %s; both children keep running, each emitting its side of W, until it does (check the %s job's sources for idleness or lag)",
				formatW(o.Gate.W), out, o.TransitionDeadline, out)}
			d.Event, d.Warning = o.Reason != flinkv1beta1.ReasonCutOverStalled, true
			return d
		}
		reconciling(flinkv1beta1.ReasonCutOverAtWatermark, fmt.Sprintf(
			"cut-over at W=%s: the %s job emits below W, the %s job from W; waiting for the %s job's watermark to pass W",
			formatW(o.Gate.W), out, in, out))
		d.Wait = at.Sub(o.Now) + time.Millisecond
		return d
	}
	return teardown(o, incomingType, outgoing, d)
}

// teardown stops the outgoing job with a savepoint once the gates wrote CLEAR_TO_TEARDOWN (a plain delete would
// lose a transactional sink's last, uncommitted records), then removes the outgoing child and settles the
// ConfigMap on the incoming colour.
func teardown(o Observations, incomingType flinkv1beta1.BlueGreenDeploymentType, outgoing Child, d Decision) Decision {
	out := Lower(Other(incomingType))
	progress := func(reason, message string) Outcome {
		return Outcome{Kind: OutcomeReconciling, Reason: reason, Message: message}
	}
	stopped := o.Savepoint == SavepointDone || outgoing.Finished || !outgoing.Exists
	switch {
	case stopped:
		d.Effects = append(d.Effects, Effect{Kind: EffectSwitchIngress, Child: incomingType})
		if outgoing.Exists {
			d.Effects = append(d.Effects, Effect{Kind: EffectDeleteChild, Child: Other(incomingType)})
		}
		d.Effects = append(d.Effects, settleGate(incomingType, false))
		d.State, d.JobState, d.ClearMarkers = ActiveState(incomingType), flinkv1beta1.JobStatusRunning, true
		d.Outcome = Outcome{Kind: OutcomeReady, Reason: flinkv1beta1.ReasonSucceeded, Message: fmt.Sprintf(
			"transition complete at W=%s: the %s child runs the latest spec", formatW(o.Gate.W), Lower(incomingType))}
		d.Event = true
	case o.TriggerID == "":
		d.Intent.NewTrigger, d.Intent.Teardown = true, true
		d.Effects = append(d.Effects, Effect{Kind: EffectStopChild, Child: Other(incomingType)})
		d.Outcome = progress(flinkv1beta1.ReasonClearToTeardown, fmt.Sprintf(
			"clear to tear down: stopping the %s job with a savepoint", out))
		d.Event, d.Wait = true, o.Poll
	case o.Savepoint == SavepointPending:
		d.Outcome = progress(flinkv1beta1.ReasonClearToTeardown, fmt.Sprintf(
			"clear to tear down: stop-with-savepoint %s of the %s job in progress", o.TriggerID, out))
		d.Wait = o.Poll
	case o.Savepoint == SavepointFailed:
		d.Intent.NewTrigger, d.Intent.Teardown = true, true
		d.Effects = append(d.Effects, Effect{Kind: EffectStopChild, Child: Other(incomingType)})
		d.Outcome = progress(flinkv1beta1.ReasonRetrying, fmt.Sprintf(
			"the stop-with-savepoint of the %s job failed, retrying: %s", out, o.SavepointProblem))
		d.Event, d.Warning, d.Retry = true, true, true
	case o.Savepoint == SavepointUnreachable:
		d.Outcome = progress(flinkv1beta1.ReasonRetrying, fmt.Sprintf(
			"the stop-with-savepoint status of the %s job cannot be fetched, retrying: %s", out, o.SavepointProblem))
		d.Retry = true
	default:
		// Recorded but unknown to Flink (not sent before the operator stopped): send it; the trigger id keeps a
		// repeated request from starting a second one.
		d.Effects = append(d.Effects, Effect{Kind: EffectStopChild, Child: Other(incomingType)})
		d.Outcome = progress(flinkv1beta1.ReasonClearToTeardown, fmt.Sprintf(
			"clear to tear down: stopping the %s job with a savepoint", out))
		d.Wait = o.Poll
	}
	return d
}

// abortCutOver gives up on a cut-over before W is set, which loses nothing and duplicates nothing, in three
// steps: (1) the ConfigMap goes back to INITIALIZING without W, the incoming colour still active, so the outgoing
// gate emits everything (also what it held while W was being agreed) while the incoming gate, still running,
// holds and no gate proposes W; (2) the incoming child is suspended with the records its gate held; (3) only once
// it no longer runs does the ConfigMap name the outgoing colour active (withGate, in the ACTIVE state recorded
// here). Naming the outgoing colour active while the incoming job runs would make the incoming gate an outgoing
// one without W, which emits: duplicates. Step 1 is conditional on the resourceVersion the decision saw, so a
// W that a gate set meanwhile makes it fail and the next reconcile keep waiting instead. It also removes the W
// candidates: they name the outgoing job, which a retry keeps, and were computed before it emitted what it held.
func abortCutOver(o Observations, incomingType flinkv1beta1.BlueGreenDeploymentType, why string) Decision {
	previous := ActiveState(Other(incomingType))
	message := fmt.Sprintf("aborting the cut-over to the %s child: %s; back to %s, which kept emitting throughout", Lower(incomingType), why, previous)
	hold := writeGate(GateWrite{Set: map[string]string{
		GateKeyActive:         string(incomingType),
		GateKeyStage:          StageInitializing,
		GateKeyWatermarkStage: WatermarkNotSet,
	}, Remove: append([]string{GateKeyWatermark}, o.Gate.Candidates...)})
	return Decision{
		Effects: []Effect{hold, {Kind: EffectSuspendChild, Child: incomingType}},
		State:   previous, JobState: flinkv1beta1.JobStatusFailing, ClearMarkers: true, Error: message,
		Outcome: Outcome{Kind: OutcomeStalled, Reason: flinkv1beta1.ReasonTransitionAborted, Message: message},
		Event:   true, Warning: true,
	}
}

// abortPending: an abort's last step is not due yet. The ConfigMap still names the other colour (the aborted
// incoming one) active without W while its child may run; naming active instead would turn that child's gate
// into an outgoing gate without W, which emits what active emits too.
func abortPending(o Observations, active flinkv1beta1.BlueGreenDeploymentType) bool {
	if !o.Gate.Exists || o.Gate.Active != Other(active) || o.Gate.W != "" {
		return false
	}
	aborted := o.Child(Other(active))
	return aborted.Terminating || (aborted.Exists && !aborted.Suspended && !aborted.Finished)
}

// abortWhy says which deadline an abort missed.
func abortWhy(o Observations, in string) string {
	if o.ReadyAt.IsZero() {
		return fmt.Sprintf("the %s job did not run within the abort grace period", in)
	}
	return fmt.Sprintf("the gates did not agree on a toggle watermark W within the transition deadline %s (an idle or stuck source holds the cut-over back)",
		o.TransitionDeadline)
}

// describeGate renders what the controller saw of the coordination ConfigMap, for messages.
func describeGate(g Gate) string {
	if !g.Exists {
		return "it is missing"
	}
	w := "no W"
	if g.W != "" {
		w = "W=" + g.W
	}
	return fmt.Sprintf("active %s, stage %s, %s", g.Active, g.Stage, w)
}

// abortDue: the abort grace period (before the incoming job ran) or the transition deadline (after) has passed.
func abortDue(o Observations) bool {
	if !o.ReadyAt.IsZero() {
		return o.Now.After(o.ReadyAt.Add(o.TransitionDeadline))
	}
	return !o.AbortAt.IsZero() && o.Now.After(o.AbortAt)
}

// formatW renders W (epoch ms of event time) with its instant, for messages.
func formatW(w string) string {
	millis, err := strconv.ParseInt(w, 10, 64)
	if err != nil {
		return w
	}
	return fmt.Sprintf("%s (%s)", w, time.UnixMilli(millis).UTC().Format(time.RFC3339Nano))
}
