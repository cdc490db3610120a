package bluegreen

import (
	"fmt"
	"time"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
)

// child is what the controller observed of one child FlinkDeployment.
type child struct {
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

// savepoint is the state of the hand-over savepoint in flight.
type savepoint int

const (
	// savepointNone: no savepoint is observed (none in flight, or not polled).
	savepointNone savepoint = iota
	// savepointPending: Flink reports it in progress.
	savepointPending
	// savepointDone: completed; observations.SavepointLocation is where.
	savepointDone
	// savepointFailed: completed with a failure (observations.SavepointProblem).
	savepointFailed
	// savepointUnknown: Flink does not know the trigger id (never sent, or the JobManager restarted).
	savepointUnknown
	// savepointUnreachable: the REST call failed; a transient error, retried with backoff.
	savepointUnreachable
)

// observations are everything next decides from.
type observations struct {
	// State is status.blueGreenState ("" before the first reconcile).
	State flinkv1beta1.FlinkBlueGreenDeploymentState
	// Reconciled: status.lastReconciledSpec is set.
	Reconciled bool
	// Diff is the template diff between lastReconciledSpec and the desired spec.
	Diff diffType
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
	Blue, Green child
	// TriggerID is status.savepointTriggerId.
	TriggerID string
	// Savepoint is the state of the savepoint TriggerID names (SAVEPOINTING states only).
	Savepoint savepoint
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
	Gate               gate
	TransitionDeadline time.Duration
}

func (o *observations) child(t flinkv1beta1.BlueGreenDeploymentType) child {
	if t == flinkv1beta1.BlueGreenTypeBlue {
		return o.Blue
	}
	return o.Green
}

// startPoint says which path an incoming child starts from (its job.initialSavepointPath).
type startPoint int

const (
	// startKeep keeps the recorded start path (in-place patches carry it over, as upstream).
	startKeep startPoint = iota
	// startTemplate uses the template's initialSavepointPath (first deployment, savepointRedeployNonce).
	startTemplate
	// startSavepoint uses the hand-over savepoint just completed.
	startSavepoint
	// startEmpty starts without state (stateless transitions).
	startEmpty
)

// intent is the status the controller records, and patches, before any effect is carried out.
type intent struct {
	// State, when set, is the new blueGreenState.
	State flinkv1beta1.FlinkBlueGreenDeploymentState
	// RecordSpec writes the desired spec to lastReconciledSpec.
	RecordSpec bool
	// Start, when not startKeep, changes the start path of the incoming child.
	Start startPoint
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

func (i intent) empty() bool { return i == intent{} }

// effectKind is an action on the cluster or on Flink.
type effectKind string

// Effects, carried out in order after the intent is recorded.
const (
	effectTriggerSavepoint effectKind = "TriggerSavepoint"
	effectApplyChild       effectKind = "ApplyChild"
	effectSuspendChild     effectKind = "SuspendChild"
	effectDeleteChild      effectKind = "DeleteChild"
	effectSwitchIngress    effectKind = "SwitchIngress"
	// effectWriteGate writes the coordination ConfigMap (ADVANCED); effectStopChild stops a child's job with a
	// savepoint under the recorded trigger id (ADVANCED teardown).
	effectWriteGate effectKind = "WriteGate"
	effectStopChild effectKind = "StopChild"
)

type effect struct {
	Kind  effectKind
	Child flinkv1beta1.BlueGreenDeploymentType
	// Gate is the change effectWriteGate writes.
	Gate *gateWrite
}

func (e effect) String() string {
	if e.Kind == effectWriteGate {
		return fmt.Sprintf("%s(%s)", e.Kind, e.Gate)
	}
	return fmt.Sprintf("%s(%s)", e.Kind, e.Child)
}

// outcomeKind is where a reconcile leaves the object in the GitOps contract.
type outcomeKind int

const (
	outcomeReconciling outcomeKind = iota
	outcomeReady
	outcomeStalled
)

type outcome struct {
	Kind    outcomeKind
	Reason  string
	Message string
}

// decision is what next returns: record Intent, carry out Effects, then set the final fields.
type decision struct {
	Intent  intent
	Effects []effect
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
	Outcome outcome
	// Warning marks the outcome's event as a Warning (Normal otherwise); Event false emits none.
	Event, Warning bool
	// Retry: a transient failure; the reconcile returns an error so that controller-runtime backs off.
	Retry bool
	// Wait, when set, is when to look again if no watch event comes first.
	Wait time.Duration
}

func other(t flinkv1beta1.BlueGreenDeploymentType) flinkv1beta1.BlueGreenDeploymentType {
	if t == flinkv1beta1.BlueGreenTypeBlue {
		return flinkv1beta1.BlueGreenTypeGreen
	}
	return flinkv1beta1.BlueGreenTypeBlue
}

// activeState, savepointingState and transitioningState name the states of a child type.
func activeState(t flinkv1beta1.BlueGreenDeploymentType) flinkv1beta1.FlinkBlueGreenDeploymentState {
	if t == flinkv1beta1.BlueGreenTypeBlue {
		return flinkv1beta1.BlueGreenActiveBlue
	}
	return flinkv1beta1.BlueGreenActiveGreen
}

func savepointingState(t flinkv1beta1.BlueGreenDeploymentType) flinkv1beta1.FlinkBlueGreenDeploymentState {
	if t == flinkv1beta1.BlueGreenTypeBlue {
		return flinkv1beta1.BlueGreenSavepointingBlue
	}
	return flinkv1beta1.BlueGreenSavepointingGreen
}

func transitioningState(to flinkv1beta1.BlueGreenDeploymentType) flinkv1beta1.FlinkBlueGreenDeploymentState {
	if to == flinkv1beta1.BlueGreenTypeBlue {
		return flinkv1beta1.BlueGreenTransitioningToBlue
	}
	return flinkv1beta1.BlueGreenTransitioningToGreen
}

// stateChild returns the child a state is about: the active one, the one being savepointed, or the incoming one.
func stateChild(state flinkv1beta1.FlinkBlueGreenDeploymentState) flinkv1beta1.BlueGreenDeploymentType {
	switch state {
	case flinkv1beta1.BlueGreenActiveGreen, flinkv1beta1.BlueGreenSavepointingGreen, flinkv1beta1.BlueGreenTransitioningToGreen:
		return flinkv1beta1.BlueGreenTypeGreen
	}
	return flinkv1beta1.BlueGreenTypeBlue
}

// next decides, from the observations alone, what the controller does next.
func next(o observations) decision {
	if o.Diff == "" {
		o.Diff = diffIgnore
	}
	var d decision
	switch o.State {
	case "", flinkv1beta1.BlueGreenInitializingBlue:
		d = nextInitializing(o)
	case flinkv1beta1.BlueGreenActiveBlue, flinkv1beta1.BlueGreenActiveGreen:
		d = nextActive(o, stateChild(o.State))
	case flinkv1beta1.BlueGreenSavepointingBlue, flinkv1beta1.BlueGreenSavepointingGreen:
		d = nextSavepointing(o, stateChild(o.State))
	default:
		return nextTransitioning(o, stateChild(o.State))
	}
	if o.Advanced {
		d = withGate(o, d)
	}
	return d
}

func nextInitializing(o observations) decision {
	if o.DesiredSuspended {
		// Upstream blocks the first deployment while the template asks for a suspended job.
		return decision{
			Intent:  intent{State: flinkv1beta1.BlueGreenInitializingBlue, JobState: flinkv1beta1.JobStatusSuspended},
			Outcome: outcome{Kind: outcomeReady, Reason: flinkv1beta1.ReasonSuspended, Message: "suspended as the spec asks: nothing deployed"},
		}
	}
	changed := o.Diff != diffIgnore || o.TopLevelChanged
	if o.Reconciled && o.Failing && !changed && !o.Retry {
		return decision{Outcome: outcome{Kind: outcomeStalled}}
	}
	d := startIncoming(flinkv1beta1.BlueGreenTypeBlue, startTemplate)
	d.Outcome = outcome{Kind: outcomeReconciling, Reason: flinkv1beta1.ReasonDeploying, Message: "deploying the blue child, waiting for its job to run"}
	d.Event = true
	return d
}

// startIncoming records the spec and starts (or patches) child t, with a fresh abort deadline.
func startIncoming(t flinkv1beta1.BlueGreenDeploymentType, start startPoint) decision {
	return decision{
		Intent: intent{
			State: transitioningState(t), RecordSpec: true, Start: start, ClearMarkers: true, SetAbortDeadline: true,
			JobState: flinkv1beta1.JobStatusReconciling, ClearError: true,
		},
		Effects: []effect{{Kind: effectApplyChild, Child: t}},
	}
}

func nextActive(o observations, activeType flinkv1beta1.BlueGreenDeploymentType) decision {
	active := o.child(activeType)
	diff := o.Diff
	if o.Failing && o.Retry {
		diff = diffTransition
	}
	if !active.Exists && !active.SpecSuspended {
		// The serving child is gone (deleted by hand): bring it back in place.
		diff = diffPatchChild
	}
	var d decision
	switch {
	case diff == diffSuspend || diff == diffResume || diff == diffPatchChild ||
		(active.SpecSuspended && (diff == diffTransition || diff == diffSavepointRedeploy)):
		// Upstream's unified patch: the active child is updated in place, via TRANSITIONING_TO_<same>.
		d = startIncoming(activeType, startKeep)
		d.Outcome = outcome{Kind: outcomeReconciling, Reason: flinkv1beta1.ReasonTransitioning,
			Message: fmt.Sprintf("%s: updating the %s child in place", diff, lower(activeType))}
		d.Event = true
	case diff == diffTransition || diff == diffSavepointRedeploy:
		if !active.Ready {
			// Upstream marks the spec reconciled and waits for another commit; Teal waits for the active child
			// (the watch on it brings the reconcile), and reports Stalled only when the child itself is.
			if active.Stalled {
				return decision{Outcome: outcome{Kind: outcomeStalled, Reason: flinkv1beta1.ReasonJobFailed,
					Message: fmt.Sprintf("transition not possible: the active %s child is not ready: %s", lower(activeType), active.Problem)}}
			}
			return decision{Outcome: outcome{Kind: outcomeReconciling, Reason: flinkv1beta1.ReasonRetrying,
				Message: fmt.Sprintf("waiting for the active %s child to be ready before the transition: %s", lower(activeType), active.Problem)}}
		}
		incoming := other(activeType)
		switch {
		case diff == diffSavepointRedeploy:
			d = startIncoming(incoming, startTemplate)
		case o.Stateless:
			d = startIncoming(incoming, startEmpty)
		default:
			d = decision{
				Intent: intent{
					State: savepointingState(activeType), ClearMarkers: true, SetAbortDeadline: true, NewTrigger: o.TriggerID == "",
					JobState: flinkv1beta1.JobStatusReconciling, ClearError: true,
				},
				Effects: []effect{{Kind: effectTriggerSavepoint, Child: activeType}},
				Outcome: outcome{Kind: outcomeReconciling, Reason: flinkv1beta1.ReasonSavepointing,
					Message: fmt.Sprintf("taking the hand-over savepoint of the %s child", lower(activeType))},
				Event: true, Wait: o.Poll,
			}
			if o.TriggerID != "" {
				// Upstream recorded the trigger before this state: poll it rather than take a second one.
				d.Intent.ClearMarkers, d.Effects = false, nil
			}
			return d
		}
		d.Outcome = outcome{Kind: outcomeReconciling, Reason: flinkv1beta1.ReasonTransitioning,
			Message: fmt.Sprintf("%s: deploying the %s child", diff, lower(incoming))}
		d.Event = true
		d.Effects = replaceLeftover(o, incoming, d.Effects)
	default:
		d = steadyActive(o, activeType, active)
	}
	// The other child never runs next to an active one: after an abort it stays suspended for inspection.
	if idle := o.child(other(activeType)); idle.Exists && !idle.SpecSuspended {
		d.Effects = append([]effect{{Kind: effectSuspendChild, Child: other(activeType)}}, d.Effects...)
	}
	return d
}

// steadyActive reports on an active state with nothing to roll out but top-level options.
func steadyActive(o observations, activeType flinkv1beta1.BlueGreenDeploymentType, active child) decision {
	d := decision{Effects: []effect{{Kind: effectSwitchIngress, Child: activeType}}}
	if o.TopLevelChanged {
		d.Intent.RecordSpec = true
	}
	switch {
	case o.Failing:
		d.Outcome = outcome{Kind: outcomeStalled}
	case o.ReconciledSuspended && active.Suspended:
		d.JobState = flinkv1beta1.JobStatusSuspended
		d.Outcome = outcome{Kind: outcomeReady, Reason: flinkv1beta1.ReasonSuspended,
			Message: fmt.Sprintf("the %s child is suspended as the spec asks", lower(activeType))}
	case active.Ready:
		d.JobState = flinkv1beta1.JobStatusRunning
		d.Outcome = outcome{Kind: outcomeReady, Reason: flinkv1beta1.ReasonSucceeded,
			Message: fmt.Sprintf("the %s child runs the latest spec", lower(activeType))}
	case active.Stalled:
		d.Outcome = outcome{Kind: outcomeStalled, Reason: flinkv1beta1.ReasonJobFailed,
			Message: fmt.Sprintf("the active %s child needs attention: %s", lower(activeType), active.Problem)}
	default:
		d.Outcome = outcome{Kind: outcomeReconciling, Reason: flinkv1beta1.ReasonProgressing,
			Message: fmt.Sprintf("the active %s child is not ready: %s", lower(activeType), active.Problem)}
	}
	return d
}

func nextSavepointing(o observations, activeType flinkv1beta1.BlueGreenDeploymentType) decision {
	incoming := other(activeType)
	if o.Savepoint == savepointDone {
		d := startIncoming(incoming, startSavepoint)
		d.Effects = replaceLeftover(o, incoming, d.Effects)
		d.Outcome = outcome{Kind: outcomeReconciling, Reason: flinkv1beta1.ReasonTransitioning,
			Message: fmt.Sprintf("deploying the %s child from savepoint %s", lower(incoming), o.SavepointLocation)}
		d.Event = true
		return d
	}
	if !o.AbortAt.IsZero() && o.Now.After(o.AbortAt) {
		// Upstream waits for the savepoint forever; Teal gives up after the abort grace period. The attempted
		// spec is recorded so that it is not retried without a new commit or the retry annotation.
		message := fmt.Sprintf("the hand-over savepoint of the %s child did not complete within the abort grace period", lower(activeType))
		if o.SavepointProblem != "" {
			message += ": " + o.SavepointProblem
		}
		return decision{
			Intent:  intent{State: activeState(activeType), RecordSpec: true, ClearMarkers: true, JobState: flinkv1beta1.JobStatusFailing},
			Error:   message,
			Outcome: outcome{Kind: outcomeStalled, Reason: flinkv1beta1.ReasonSavepointFailed, Message: message},
			Event:   true, Warning: true,
		}
	}
	progress := func(reason, message string) outcome {
		return outcome{Kind: outcomeReconciling, Reason: reason, Message: message}
	}
	switch o.Savepoint {
	case savepointPending:
		return decision{Outcome: progress(flinkv1beta1.ReasonSavepointing,
			fmt.Sprintf("savepoint %s of the %s child in progress", o.TriggerID, lower(activeType))), Wait: o.Poll}
	case savepointFailed:
		return decision{
			Intent:  intent{NewTrigger: true},
			Effects: []effect{{Kind: effectTriggerSavepoint, Child: activeType}},
			Outcome: progress(flinkv1beta1.ReasonRetrying, "the hand-over savepoint failed, retrying: "+o.SavepointProblem),
			Event:   true, Warning: true, Retry: true,
		}
	case savepointUnreachable:
		return decision{Outcome: progress(flinkv1beta1.ReasonRetrying,
			"the savepoint status cannot be fetched, retrying: "+o.SavepointProblem), Retry: true}
	default:
		// Unknown to Flink (the trigger was recorded but not sent) or none recorded: (re)send it; the trigger
		// id makes a repeated request start no second savepoint.
		d := decision{
			Intent:  intent{NewTrigger: o.TriggerID == ""},
			Effects: []effect{{Kind: effectTriggerSavepoint, Child: activeType}},
			Outcome: progress(flinkv1beta1.ReasonSavepointing,
				fmt.Sprintf("taking the hand-over savepoint of the %s child", lower(activeType))),
			Wait: o.Poll,
		}
		return d
	}
}

func nextTransitioning(o observations, incomingType flinkv1beta1.BlueGreenDeploymentType) decision {
	incoming, outgoing := o.child(incomingType), o.child(other(incomingType))
	// A spec change during a transition goes to the incoming child (with a fresh deadline); a suspend waits
	// until the transition is over, and so does any change once an ADVANCED cut-over has started.
	if o.Diff != diffIgnore && o.Diff != diffSuspend && !(o.Advanced && cutOverStarted(o, incomingType)) {
		start := startKeep
		if o.Diff == diffSavepointRedeploy {
			start = startTemplate
		}
		return decision{
			Intent:  intent{RecordSpec: true, Start: start, ClearMarkers: true, SetAbortDeadline: true, JobState: flinkv1beta1.JobStatusReconciling},
			Effects: []effect{{Kind: effectApplyChild, Child: incomingType}},
			Outcome: outcome{Kind: outcomeReconciling, Reason: flinkv1beta1.ReasonTransitioning,
				Message: fmt.Sprintf("the spec changed during the transition (%s): updating the %s child", o.Diff, lower(incomingType))},
			Event: true,
		}
	}
	var d decision
	if o.TopLevelChanged && o.Diff == diffIgnore {
		d.Intent.RecordSpec = true
	}
	if incoming.Terminating {
		d.Outcome = outcome{Kind: outcomeReconciling, Reason: flinkv1beta1.ReasonTransitioning,
			Message: fmt.Sprintf("waiting for the previous %s child to be deleted", lower(incomingType))}
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
		d.Effects = append(d.Effects, effect{Kind: effectApplyChild, Child: incomingType})
	}
	finish := func(jobState flinkv1beta1.JobStatusState, reason, message string) decision {
		d.Effects = append(d.Effects, effect{Kind: effectSwitchIngress, Child: incomingType})
		if outgoing.Exists {
			d.Effects = append(d.Effects, effect{Kind: effectDeleteChild, Child: other(incomingType)})
		}
		if o.Advanced && !abortPending(o, incomingType) {
			d.Effects = append(d.Effects, settleGate(incomingType, o.Gate.W == ""))
		}
		d.State, d.JobState, d.ClearMarkers = activeState(incomingType), jobState, true
		d.Outcome = outcome{Kind: outcomeReady, Reason: reason, Message: message}
		d.Event = true
		return d
	}
	switch {
	case o.ReconciledSuspended && incoming.Suspended:
		return finish(flinkv1beta1.JobStatusSuspended, flinkv1beta1.ReasonSuspended,
			fmt.Sprintf("the %s child is suspended as the spec asks", lower(incomingType)))
	case incoming.Ready && !outgoing.Exists:
		return finish(flinkv1beta1.JobStatusRunning, flinkv1beta1.ReasonSucceeded,
			fmt.Sprintf("the %s child runs the latest spec", lower(incomingType)))
	case incoming.Ready:
		readyAt := o.ReadyAt
		if readyAt.IsZero() {
			d.Intent.SetReady, readyAt = true, o.Now
		}
		if deleteAt := readyAt.Add(o.DeletionDelay); o.Now.Before(deleteAt) {
			d.Outcome = outcome{Kind: outcomeReconciling, Reason: flinkv1beta1.ReasonTransitioning,
				Message: fmt.Sprintf("the %s child is ready; the %s child is deleted in %s", lower(incomingType),
					lower(other(incomingType)), deleteAt.Sub(o.Now).Round(time.Second))}
			d.Wait = deleteAt.Sub(o.Now)
			return d
		}
		return finish(flinkv1beta1.JobStatusRunning, flinkv1beta1.ReasonSucceeded,
			fmt.Sprintf("transition complete: the %s child runs the latest spec", lower(incomingType)))
	case !o.AbortAt.IsZero() && o.Now.After(o.AbortAt):
		return abort(o, incomingType, outgoing)
	}
	d.Outcome = outcome{Kind: outcomeReconciling, Reason: flinkv1beta1.ReasonTransitioning,
		Message: fmt.Sprintf("waiting for the %s child: %s", lower(incomingType), incoming.Problem)}
	if !o.AbortAt.IsZero() {
		d.Wait = o.AbortAt.Sub(o.Now) + time.Millisecond
	}
	return d
}

// replaceLeftover deletes a leftover incoming child (suspended by an earlier abort) instead of patching it: the
// transition then creates it afresh from the hand-over savepoint once it is gone.
func replaceLeftover(o observations, incoming flinkv1beta1.BlueGreenDeploymentType, effects []effect) []effect {
	if c := o.child(incoming); c.Exists || c.Terminating {
		return []effect{{Kind: effectDeleteChild, Child: incoming}}
	}
	return effects
}

// abort gives up on an incoming child that did not become ready within the grace period: it is suspended and
// the previous state comes back (the old child kept serving throughout).
func abort(o observations, incomingType flinkv1beta1.BlueGreenDeploymentType, outgoing child) decision {
	previous := activeState(other(incomingType))
	suspend := []effect{{Kind: effectSuspendChild, Child: incomingType}}
	switch {
	case outgoing.Exists:
	case o.FirstDeployment:
		previous = flinkv1beta1.BlueGreenInitializingBlue
	default:
		// An in-place patch of the only child: nothing else could serve, so it is neither suspended nor
		// replaced; the deployment reports the failure and waits for a fix.
		previous, suspend = activeState(incomingType), nil
	}
	message := fmt.Sprintf("aborting the %s child: not ready within the abort grace period; back to %s", lower(incomingType), previous)
	return decision{
		Effects: suspend, State: previous, JobState: flinkv1beta1.JobStatusFailing, ClearMarkers: true, Error: message,
		Outcome: outcome{Kind: outcomeStalled, Reason: flinkv1beta1.ReasonTransitionAborted, Message: message},
		Event:   true, Warning: true,
	}
}

func lower(t flinkv1beta1.BlueGreenDeploymentType) string {
	if t == flinkv1beta1.BlueGreenTypeBlue {
		return "blue"
	}
	return "green"
}
