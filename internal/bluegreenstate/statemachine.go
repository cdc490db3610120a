package bluegreenstate

import (
	"fmt"
	"time"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
)

// Child is what the controller observed of one child FlinkDeployment.
type Child struct {
	// Exists: the child is there and not being deleted.
	Exists bool
	// Ready: the child's latest generation runs, lifecycleState STABLE and job RUNNING.
	Ready bool
	// Suspended: the child's latest generation is suspended (lifecycleState SUSPENDED).
	Suspended bool
	// SpecSuspended: the child's spec asks for job.state suspended.
	SpecSuspended bool
	// Terminating: the child is being deleted.
	Terminating bool
	// Stalled: the child reports Stalled=True (it needs a person); Problem says why.
	Stalled bool
	// Finished: the child's job reached FINISHED (after a stop-with-savepoint).
	Finished bool
	// Problem describes a child that is not ready, for messages.
	Problem string
}

// SavepointState is the state of the hand-over savepoint (or the ADVANCED teardown's stop-with-savepoint) in
// flight.
type SavepointState int

const (
	// SavepointNone: no savepoint is observed (none in flight, or not polled).
	SavepointNone SavepointState = iota
	// SavepointPending: Flink reports it in progress.
	SavepointPending
	// SavepointDone: completed; Observations.SavepointLocation is where.
	SavepointDone
	// SavepointFailed: completed with a failure (Observations.SavepointProblem).
	SavepointFailed
	// SavepointUnknown: Flink does not know the trigger id (never sent, or the JobManager restarted).
	SavepointUnknown
	// SavepointUnreachable: the REST call failed; a transient error, retried with backoff.
	SavepointUnreachable
)

// Observations are everything Next decides from.
type Observations struct {
	// State is status.blueGreenState ("" before the first reconcile).
	State flinkv1beta1.FlinkBlueGreenDeploymentState
	// Reconciled: status.lastReconciledSpec is set.
	Reconciled bool
	// Diff is the template diff between lastReconciledSpec and the desired spec.
	Diff DiffType
	// TopLevelChanged: spec.configuration or spec.ingress changed since lastReconciledSpec.
	TopLevelChanged bool
	// DesiredSuspended: the desired template asks for job.state suspended.
	DesiredSuspended bool
	// ReconciledSuspended: the last reconciled template asks for job.state suspended.
	ReconciledSuspended bool
	// Stateless: the desired template's upgradeMode is stateless (no savepoint hand-over).
	Stateless bool
	// Failing: status.jobStatus.state is FAILING (the last attempt was aborted or failed).
	Failing bool
	// FirstDeployment: no child has ever been active (status.activeDeployment is empty).
	FirstDeployment bool
	// Retry: the retry annotation asks to re-attempt the current spec.
	Retry bool
	// Blue and Green are the children.
	Blue, Green Child
	// TriggerID is status.savepointTriggerId.
	TriggerID string
	// Savepoint is the state of the savepoint TriggerID names (SAVEPOINTING states only).
	Savepoint SavepointState
	// SavepointLocation is the completed savepoint's path; SavepointProblem why it failed or was unreachable.
	SavepointLocation, SavepointProblem string
	// Now is the clock reading; AbortAt and ReadyAt the recorded transition markers (zero when unset).
	Now, AbortAt, ReadyAt time.Time
	// DeletionDelay is kubernetes.operator.bluegreen.deployment-deletion.delay.
	DeletionDelay time.Duration
	// Poll is how often a savepoint in flight is polled.
	Poll time.Duration
	// Reason is the reason of the Reconciling or Stalled condition the object carries (the phase reported last).
	Reason string
	// Advanced: spec.transitionMode is ADVANCED (FLIP-504); Gate is the coordination ConfigMap then, and
	// TransitionDeadline kubernetes.operator.bluegreen.advanced.transition-deadline.
	Advanced           bool
	Gate               Gate
	TransitionDeadline time.Duration
}

// Child returns the observed child of type t.
func (o *Observations) Child(t flinkv1beta1.BlueGreenDeploymentType) Child {
	if t == flinkv1beta1.BlueGreenTypeBlue {
		return o.Blue
	}
	return o.Green
}

// StartPoint says which path an incoming child starts from (its job.initialSavepointPath).
type StartPoint int

const (
	// StartKeep keeps the recorded start path (in-place patches carry it over, as upstream).
	StartKeep StartPoint = iota
	// StartTemplate uses the template's initialSavepointPath (first deployment, savepointRedeployNonce).
	StartTemplate
	// StartSavepoint uses the hand-over savepoint just completed.
	StartSavepoint
	// StartEmpty starts without state (stateless transitions).
	StartEmpty
)

// Intent is the status the controller records, and patches, before any effect is carried out.
type Intent struct {
	// State, when set, is the new blueGreenState.
	State flinkv1beta1.FlinkBlueGreenDeploymentState
	// RecordSpec writes the desired spec to lastReconciledSpec.
	RecordSpec bool
	// Start, when not StartKeep, changes the start path of the incoming child.
	Start StartPoint
	// ClearMarkers resets abortTimestamp, deploymentReadyTimestamp and savepointTriggerId (upstream's
	// resetTransitionMarkers); it applies before the fields below.
	ClearMarkers bool
	// SetAbortDeadline sets abortTimestamp to now + the abort grace period.
	SetAbortDeadline bool
	// SetReady sets deploymentReadyTimestamp to now.
	SetReady bool
	// NewTrigger derives and records a new savepoint trigger id.
	NewTrigger bool
	// Teardown makes that trigger the outgoing child's stop-with-savepoint (ADVANCED): a purpose of its own, so
	// that its id never equals the hand-over savepoint's of the same generation (Flink would answer the stop
	// with the hand-over savepoint's result).
	Teardown bool
	// JobState, when set, is the new status.jobStatus.state.
	JobState flinkv1beta1.JobStatusState
	// ClearError clears status.error.
	ClearError bool
}

// Empty reports an intent that records nothing.
func (i Intent) Empty() bool { return i == Intent{} }

// EffectKind is an action on the cluster or on Flink.
type EffectKind string

// Effects, carried out in order after the intent is recorded.
const (
	EffectTriggerSavepoint EffectKind = "TriggerSavepoint"
	EffectApplyChild       EffectKind = "ApplyChild"
	EffectSuspendChild     EffectKind = "SuspendChild"
	EffectDeleteChild      EffectKind = "DeleteChild"
	EffectSwitchIngress    EffectKind = "SwitchIngress"
	// EffectWriteGate writes the coordination ConfigMap (ADVANCED); EffectStopChild stops a child's job with a
	// savepoint under the recorded trigger id (ADVANCED teardown).
	EffectWriteGate EffectKind = "WriteGate"
	EffectStopChild EffectKind = "StopChild"
)

// Effect is one action the controller carries out after the intent is recorded.
type Effect struct {
	// Kind is what to do; Child the child it acts on.
	Kind  EffectKind
	Child flinkv1beta1.BlueGreenDeploymentType
	// Gate is the change EffectWriteGate writes.
	Gate *GateWrite
}

// String names the effect for step hooks and messages ("ApplyChild(GREEN)").
func (e Effect) String() string {
	if e.Kind == EffectWriteGate {
		return fmt.Sprintf("%s(%s)", e.Kind, e.Gate)
	}
	return fmt.Sprintf("%s(%s)", e.Kind, e.Child)
}

// OutcomeKind is where a reconcile leaves the object in the GitOps contract.
type OutcomeKind int

const (
	OutcomeReconciling OutcomeKind = iota
	OutcomeReady
	OutcomeStalled
)

// Outcome is the summary a decision reports in the conditions: the kind, and the reason and message.
type Outcome struct {
	Kind    OutcomeKind
	Reason  string
	Message string
}

// Decision is what Next returns: record Intent, carry out Effects, then set the final fields.
type Decision struct {
	Intent  Intent
	Effects []Effect
	// State, when set, is the blueGreenState after the effects succeeded (a finished or aborted transition:
	// the effects are the commit, so a crash before the final patch repeats them idempotently).
	State flinkv1beta1.FlinkBlueGreenDeploymentState
	// JobState, when set, is status.jobStatus.state after the effects.
	JobState flinkv1beta1.JobStatusState
	// ClearMarkers resets the transition markers after the effects.
	ClearMarkers bool
	// Error, when set, becomes status.error.
	Error string
	// Outcome is the summary for the conditions.
	Outcome Outcome
	// Warning marks the outcome's event as a Warning (Normal otherwise); Event false emits none.
	Event, Warning bool
	// Retry: a transient failure; the reconcile returns an error so that controller-runtime backs off.
	Retry bool
	// Wait, when set, is when to look again if no watch event comes first.
	Wait time.Duration
}

// Other returns the other child type.
func Other(t flinkv1beta1.BlueGreenDeploymentType) flinkv1beta1.BlueGreenDeploymentType {
	if t == flinkv1beta1.BlueGreenTypeBlue {
		return flinkv1beta1.BlueGreenTypeGreen
	}
	return flinkv1beta1.BlueGreenTypeBlue
}

// ActiveState, SavepointingState and TransitioningState name the states of a child type.
func ActiveState(t flinkv1beta1.BlueGreenDeploymentType) flinkv1beta1.FlinkBlueGreenDeploymentState {
	if t == flinkv1beta1.BlueGreenTypeBlue {
		return flinkv1beta1.BlueGreenActiveBlue
	}
	return flinkv1beta1.BlueGreenActiveGreen
}

// SavepointingState is SAVEPOINTING_<t>.
func SavepointingState(t flinkv1beta1.BlueGreenDeploymentType) flinkv1beta1.FlinkBlueGreenDeploymentState {
	if t == flinkv1beta1.BlueGreenTypeBlue {
		return flinkv1beta1.BlueGreenSavepointingBlue
	}
	return flinkv1beta1.BlueGreenSavepointingGreen
}

// TransitioningState is TRANSITIONING_TO_<to>.
func TransitioningState(to flinkv1beta1.BlueGreenDeploymentType) flinkv1beta1.FlinkBlueGreenDeploymentState {
	if to == flinkv1beta1.BlueGreenTypeBlue {
		return flinkv1beta1.BlueGreenTransitioningToBlue
	}
	return flinkv1beta1.BlueGreenTransitioningToGreen
}

// StateChild returns the child a state is about: the active one, the one being savepointed, or the incoming one.
func StateChild(state flinkv1beta1.FlinkBlueGreenDeploymentState) flinkv1beta1.BlueGreenDeploymentType {
	switch state {
	case flinkv1beta1.BlueGreenActiveGreen, flinkv1beta1.BlueGreenSavepointingGreen, flinkv1beta1.BlueGreenTransitioningToGreen:
		return flinkv1beta1.BlueGreenTypeGreen
	}
	return flinkv1beta1.BlueGreenTypeBlue
}

// Next decides, from the observations alone, what the controller does next.
func Next(o Observations) Decision {
	if o.Diff == "" {
		o.Diff = DiffIgnore
	}
	var d Decision
	switch o.State {
	case "", flinkv1beta1.BlueGreenInitializingBlue:
		d = nextInitializing(o)
	case flinkv1beta1.BlueGreenActiveBlue, flinkv1beta1.BlueGreenActiveGreen:
		d = nextActive(o, StateChild(o.State))
	case flinkv1beta1.BlueGreenSavepointingBlue, flinkv1beta1.BlueGreenSavepointingGreen:
		d = nextSavepointing(o, StateChild(o.State))
	default:
		return nextTransitioning(o, StateChild(o.State))
	}
	if o.Advanced {
		d = withGate(o, d)
	}
	return d
}

func nextInitializing(o Observations) Decision {
	if o.DesiredSuspended {
		// Upstream blocks the first deployment while the template asks for a suspended job.
		return Decision{
			Intent:  Intent{State: flinkv1beta1.BlueGreenInitializingBlue, JobState: flinkv1beta1.JobStatusSuspended},
			Outcome: Outcome{Kind: OutcomeReady, Reason: flinkv1beta1.ReasonSuspended, Message: "suspended as the spec asks: nothing deployed"},
		}
	}
	changed := o.Diff != DiffIgnore || o.TopLevelChanged
	if o.Reconciled && o.Failing && !changed && !o.Retry {
		return Decision{Outcome: Outcome{Kind: OutcomeStalled}}
	}
	d := startIncoming(flinkv1beta1.BlueGreenTypeBlue, StartTemplate)
	d.Outcome = Outcome{Kind: OutcomeReconciling, Reason: flinkv1beta1.ReasonDeploying, Message: "deploying the blue child, waiting for its job to run"}
	d.Event = true
	return d
}

// startIncoming records the spec and starts (or patches) child t, with a fresh abort deadline.
func startIncoming(t flinkv1beta1.BlueGreenDeploymentType, start StartPoint) Decision {
	return Decision{
		Intent: Intent{
			State: TransitioningState(t), RecordSpec: true, Start: start, ClearMarkers: true, SetAbortDeadline: true,
			JobState: flinkv1beta1.JobStatusReconciling, ClearError: true,
		},
		Effects: []Effect{{Kind: EffectApplyChild, Child: t}},
	}
}

func nextActive(o Observations, activeType flinkv1beta1.BlueGreenDeploymentType) Decision {
	active := o.Child(activeType)
	diff := o.Diff
	if o.Failing && o.Retry {
		diff = DiffTransition
	}
	if !active.Exists && !active.SpecSuspended {
		// The serving child is gone (deleted by hand): bring it back in place.
		diff = DiffPatchChild
	}
	var d Decision
	switch {
	case diff == DiffSuspend || diff == DiffResume || diff == DiffPatchChild ||
		(active.SpecSuspended && (diff == DiffTransition || diff == DiffSavepointRedeploy)):
		// Upstream's unified patch: the active child is updated in place, via TRANSITIONING_TO_<same>.
		d = startIncoming(activeType, StartKeep)
		d.Outcome = Outcome{Kind: OutcomeReconciling, Reason: flinkv1beta1.ReasonTransitioning,
			Message: fmt.Sprintf("%s: updating the %s child in place", diff, Lower(activeType))}
		d.Event = true
	case diff == DiffTransition || diff == DiffSavepointRedeploy:
		if !active.Ready {
			// Upstream marks the spec reconciled and waits for another commit; Teal waits for the active child
			// (the watch on it brings the reconcile), and reports Stalled only when the child itself is.
			if active.Stalled {
				return Decision{Outcome: Outcome{Kind: OutcomeStalled, Reason: flinkv1beta1.ReasonJobFailed,
					Message: fmt.Sprintf("transition not possible: the active %s child is not ready: %s", Lower(activeType), active.Problem)}}
			}
			return Decision{Outcome: Outcome{Kind: OutcomeReconciling, Reason: flinkv1beta1.ReasonRetrying,
				Message: fmt.Sprintf("waiting for the active %s child to be ready before the transition: %s", Lower(activeType), active.Problem)}}
		}
		incoming := Other(activeType)
		switch {
		case diff == DiffSavepointRedeploy:
			d = startIncoming(incoming, StartTemplate)
		case o.Stateless:
			d = startIncoming(incoming, StartEmpty)
		default:
			d = Decision{
				Intent: Intent{
					State: SavepointingState(activeType), ClearMarkers: true, SetAbortDeadline: true, NewTrigger: o.TriggerID == "",
					JobState: flinkv1beta1.JobStatusReconciling, ClearError: true,
				},
				Effects: []Effect{{Kind: EffectTriggerSavepoint, Child: activeType}},
				Outcome: Outcome{Kind: OutcomeReconciling, Reason: flinkv1beta1.ReasonSavepointing,
					Message: fmt.Sprintf("taking the hand-over savepoint of the %s child", Lower(activeType))},
				Event: true, Wait: o.Poll,
			}
			if o.TriggerID != "" {
				// Upstream recorded the trigger before this state: poll it rather than take a second one.
				d.Intent.ClearMarkers, d.Effects = false, nil
			}
			return d
		}
		d.Outcome = Outcome{Kind: OutcomeReconciling, Reason: flinkv1beta1.ReasonTransitioning,
			Message: fmt.Sprintf("%s: deploying the %s child", diff, Lower(incoming))}
		d.Event = true
		d.Effects = replaceLeftover(o, incoming, d.Effects)
	default:
		d = steadyActive(o, activeType, active)
	}
	// The other child never runs next to an active one: after an abort it stays suspended for inspection.
	if idle := o.Child(Other(activeType)); idle.Exists && !idle.SpecSuspended {
		d.Effects = append([]Effect{{Kind: EffectSuspendChild, Child: Other(activeType)}}, d.Effects...)
	}
	return d
}

// steadyActive reports on an active state with nothing to roll out but top-level options.
func steadyActive(o Observations, activeType flinkv1beta1.BlueGreenDeploymentType, active Child) Decision {
	d := Decision{Effects: []Effect{{Kind: EffectSwitchIngress, Child: activeType}}}
	if o.TopLevelChanged {
		d.Intent.RecordSpec = true
	}
	switch {
	case o.Failing:
		d.Outcome = Outcome{Kind: OutcomeStalled}
	case o.ReconciledSuspended && active.Suspended:
		d.JobState = flinkv1beta1.JobStatusSuspended
		d.Outcome = Outcome{Kind: OutcomeReady, Reason: flinkv1beta1.ReasonSuspended,
			Message: fmt.Sprintf("the %s child is suspended as the spec asks", Lower(activeType))}
	case active.Ready:
		d.JobState = flinkv1beta1.JobStatusRunning
		d.Outcome = Outcome{Kind: OutcomeReady, Reason: flinkv1beta1.ReasonSucceeded,
			Message: fmt.Sprintf("the %s child runs the latest spec", Lower(activeType))}
	case active.Stalled:
		d.Outcome = Outcome{Kind: OutcomeStalled, Reason: flinkv1beta1.ReasonJobFailed,
			Message: fmt.Sprintf("the active %s child needs attention: %s", Lower(activeType), active.Problem)}
	default:
		d.Outcome = Outcome{Kind: OutcomeReconciling, Reason: flinkv1beta1.ReasonProgressing,
			Message: fmt.Sprintf("the active %s child is not ready: %s", Lower(activeType), active.Problem)}
	}
	return d
}

func nextSavepointing(o Observations, activeType flinkv1beta1.BlueGreenDeploymentType) Decision {
	incoming := Other(activeType)
	if o.Savepoint == SavepointDone {
		d := startIncoming(incoming, StartSavepoint)
		d.Effects = replaceLeftover(o, incoming, d.Effects)
		d.Outcome = Outcome{Kind: OutcomeReconciling, Reason: flinkv1beta1.ReasonTransitioning,
			Message: fmt.Sprintf("deploying the %s child from savepoint %s", Lower(incoming), o.SavepointLocation)}
		d.Event = true
		return d
	}
	if !o.AbortAt.IsZero() && o.Now.After(o.AbortAt) {
		// Upstream waits for the savepoint forever; Teal gives up after the abort grace period. The attempted
		// spec is recorded so that it is not retried without a new commit or the retry annotation.
		message := fmt.Sprintf("the hand-over savepoint of the %s child did not complete within the abort grace period", Lower(activeType))
		if o.SavepointProblem != "" {
			message += ": " + o.SavepointProblem
		}
		return Decision{
			Intent:  Intent{State: ActiveState(activeType), RecordSpec: true, ClearMarkers: true, JobState: flinkv1beta1.JobStatusFailing},
			Error:   message,
			Outcome: Outcome{Kind: OutcomeStalled, Reason: flinkv1beta1.ReasonSavepointFailed, Message: message},
			Event:   true, Warning: true,
		}
	}
	progress := func(reason, message string) Outcome {
		return Outcome{Kind: OutcomeReconciling, Reason: reason, Message: message}
	}
	switch o.Savepoint {
	case SavepointPending:
		return Decision{Outcome: progress(flinkv1beta1.ReasonSavepointing,
			fmt.Sprintf("savepoint %s of the %s child in progress", o.TriggerID, Lower(activeType))), Wait: o.Poll}
	case SavepointFailed:
		return Decision{
			Intent:  Intent{NewTrigger: true},
			Effects: []Effect{{Kind: EffectTriggerSavepoint, Child: activeType}},
			Outcome: progress(flinkv1beta1.ReasonRetrying, "the hand-over savepoint failed, retrying: "+o.SavepointProblem),
			Event:   true, Warning: true, Retry: true,
		}
	case SavepointUnreachable:
		return Decision{Outcome: progress(flinkv1beta1.ReasonRetrying,
			"the savepoint status cannot be fetched, retrying: "+o.SavepointProblem), Retry: true}
	default:
		// Unknown to Flink (the trigger was recorded but not sent) or none recorded: (re)send it; the trigger
		// id makes a repeated request start no second savepoint.
		d := Decision{
			Intent:  Intent{NewTrigger: o.TriggerID == ""},
			Effects: []Effect{{Kind: EffectTriggerSavepoint, Child: activeType}},
			Outcome: progress(flinkv1beta1.ReasonSavepointing,
				fmt.Sprintf("taking the hand-over savepoint of the %s child", Lower(activeType))),
			Wait: o.Poll,
		}
		return d
	}
}

func nextTransitioning(o Observations, incomingType flinkv1beta1.BlueGreenDeploymentType) Decision {
	incoming, outgoing := o.Child(incomingType), o.Child(Other(incomingType))
	// A spec change during a transition goes to the incoming child (with a fresh deadline); a suspend waits
	// until the transition is over, and so does any change once an ADVANCED cut-over has started.
	if o.Diff != DiffIgnore && o.Diff != DiffSuspend && !(o.Advanced && cutOverStarted(o, incomingType)) {
		start := StartKeep
		if o.Diff == DiffSavepointRedeploy {
			start = StartTemplate
		}
		return Decision{
			Intent:  Intent{RecordSpec: true, Start: start, ClearMarkers: true, SetAbortDeadline: true, JobState: flinkv1beta1.JobStatusReconciling},
			Effects: []Effect{{Kind: EffectApplyChild, Child: incomingType}},
			Outcome: Outcome{Kind: OutcomeReconciling, Reason: flinkv1beta1.ReasonTransitioning,
				Message: fmt.Sprintf("the spec changed during the transition (%s): updating the %s child", o.Diff, Lower(incomingType))},
			Event: true,
		}
	}
	var d Decision
	if o.TopLevelChanged && o.Diff == DiffIgnore {
		d.Intent.RecordSpec = true
	}
	if incoming.Terminating {
		d.Outcome = Outcome{Kind: OutcomeReconciling, Reason: flinkv1beta1.ReasonTransitioning,
			Message: fmt.Sprintf("waiting for the previous %s child to be deleted", Lower(incomingType))}
		return d
	}
	if o.Advanced && outgoing.Exists && !outgoing.SpecSuspended {
		// Both children run: the FLIP-504 cut-over decides when the outgoing one goes.
		return nextCutOver(o, incomingType, d)
	}
	if o.Advanced && !o.Gate.Exists {
		// A gate without its ConfigMap holds everything: create it before the child runs.
		d.Effects = append(d.Effects, prepareGate(o, incomingType))
	}
	if !incoming.Exists {
		// Recorded but not yet created (or the operator stopped in between): create it now.
		d.Effects = append(d.Effects, Effect{Kind: EffectApplyChild, Child: incomingType})
	}
	finish := func(jobStatus flinkv1beta1.JobStatusState, reason, message string) Decision {
		d.Effects = append(d.Effects, Effect{Kind: EffectSwitchIngress, Child: incomingType})
		if outgoing.Exists {
			d.Effects = append(d.Effects, Effect{Kind: EffectDeleteChild, Child: Other(incomingType)})
		}
		if o.Advanced && !abortPending(o, incomingType) {
			d.Effects = append(d.Effects, settleGate(incomingType, o.Gate.W == ""))
		}
		d.State, d.JobState, d.ClearMarkers = ActiveState(incomingType), jobStatus, true
		d.Outcome = Outcome{Kind: OutcomeReady, Reason: reason, Message: message}
		d.Event = true
		return d
	}
	switch {
	case o.ReconciledSuspended && incoming.Suspended:
		return finish(flinkv1beta1.JobStatusSuspended, flinkv1beta1.ReasonSuspended,
			fmt.Sprintf("the %s child is suspended as the spec asks", Lower(incomingType)))
	case incoming.Ready && !outgoing.Exists:
		return finish(flinkv1beta1.JobStatusRunning, flinkv1beta1.ReasonSucceeded,
			fmt.Sprintf("the %s child runs the latest spec", Lower(incomingType)))
	case incoming.Ready:
		readyAt := o.ReadyAt
		if readyAt.IsZero() {
			d.Intent.SetReady, readyAt = true, o.Now
		}
		if deleteAt := readyAt.Add(o.DeletionDelay); o.Now.Before(deleteAt) {
			d.Outcome = Outcome{Kind: OutcomeReconciling, Reason: flinkv1beta1.ReasonTransitioning,
				Message: fmt.Sprintf("the %s child is ready; the %s child is deleted in %s", Lower(incomingType),
					Lower(Other(incomingType)), deleteAt.Sub(o.Now).Round(time.Second))}
			d.Wait = deleteAt.Sub(o.Now)
			return d
		}
		return finish(flinkv1beta1.JobStatusRunning, flinkv1beta1.ReasonSucceeded,
			fmt.Sprintf("transition complete: the %s child runs the latest spec", Lower(incomingType)))
	case !o.AbortAt.IsZero() && o.Now.After(o.AbortAt):
		return abort(o, incomingType, outgoing)
	}
	d.Outcome = Outcome{Kind: OutcomeReconciling, Reason: flinkv1beta1.ReasonTransitioning,
		Message: fmt.Sprintf("waiting for the %s child: %s", Lower(incomingType), incoming.Problem)}
	if !o.AbortAt.IsZero() {
		d.Wait = o.AbortAt.Sub(o.Now) + time.Millisecond
	}
	return d
}

// replaceLeftover deletes a leftover incoming child (suspended by an earlier abort) instead of patching it: the
// transition then creates it afresh from the hand-over savepoint once it is gone.
func replaceLeftover(o Observations, incoming flinkv1beta1.BlueGreenDeploymentType, effects []Effect) []Effect {
	if c := o.Child(incoming); c.Exists || c.Terminating {
		return []Effect{{Kind: EffectDeleteChild, Child: incoming}}
	}
	return effects
}

// abort gives up on an incoming child that did not become ready within the grace period: it is suspended and
// the previous state comes back (the old child kept serving throughout).
func abort(o Observations, incomingType flinkv1beta1.BlueGreenDeploymentType, outgoing Child) Decision {
	previous := ActiveState(Other(incomingType))
	suspend := []Effect{{Kind: EffectSuspendChild, Child: incomingType}}
	switch {
	case outgoing.Exists:
	case o.FirstDeployment:
		previous = flinkv1beta1.BlueGreenInitializingBlue
	default:
		// An in-place patch of the only child: nothing else could serve, so it is neither suspended nor
		// replaced; the deployment reports the failure and waits for a fix.
		previous, suspend = ActiveState(incomingType), nil
	}
	message := fmt.Sprintf("aborting the %s child: not ready within the abort grace period; back to %s", Lower(incomingType), previous)
	return Decision{
		Effects: suspend, State: previous, JobState: flinkv1beta1.JobStatusFailing, ClearMarkers: true, Error: message,
		Outcome: Outcome{Kind: OutcomeStalled, Reason: flinkv1beta1.ReasonTransitionAborted, Message: message},
		Event:   true, Warning: true,
	}
}

// Lower names a child type as its child name and messages do: "blue" or "green".
func Lower(t flinkv1beta1.BlueGreenDeploymentType) string {
	if t == flinkv1beta1.BlueGreenTypeBlue {
		return "blue"
	}
	return "green"
}
