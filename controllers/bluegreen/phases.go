package bluegreen

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
	"github.com/teal-flink/teal/internal/bluegreenstate"
	"github.com/teal-flink/teal/internal/conditions"
	"github.com/teal-flink/teal/internal/flinkapi"
	"github.com/teal-flink/teal/internal/gitops"
	"github.com/teal-flink/teal/internal/jobops"
	"github.com/teal-flink/teal/internal/operatorconfig"
	"github.com/teal-flink/teal/validators"
)

// Upstream's defaults of the blue/green options.
const (
	defaultAbortGracePeriod   = 10 * time.Minute
	defaultRescheduleInterval = 15 * time.Second
	defaultDeletionDelay      = time.Duration(0)
	savepointTriggerPurpose   = "bluegreen-savepoint"
	teardownTriggerPurpose    = "bluegreen-teardown"
)

// scope carries what earlier phases found to the later ones of one reconcile.
type scope struct {
	// bg is the object reconciled; phases change its status, the deferred patch writes it.
	bg *flinkv1beta1.FlinkBlueGreenDeployment
	// patcher patches bg; act uses it to record intent before carrying out effects.
	patcher *gitops.Patcher
	// initialState is the blueGreenState the reconcile started from.
	initialState flinkv1beta1.FlinkBlueGreenDeploymentState
	// config is the operator configuration; grace, reschedule and deletionDelay the blue/green options.
	config                           *operatorconfig.Config
	grace, reschedule, deletionDelay time.Duration
	// transitionDeadline bounds an ADVANCED cut-over (kubernetes.operator.bluegreen.advanced.transition-deadline).
	transitionDeadline time.Duration
	// reconciled is the last reconciled spec, nil before the first one.
	reconciled *flinkv1beta1.FlinkBlueGreenDeploymentSpec
	// gateConfigMap is the coordination ConfigMap of an ADVANCED deployment as last read or written, nil when
	// absent; writes are conditional on its resourceVersion.
	gateConfigMap *corev1.ConfigMap
	// children are the blue and green FlinkDeployments, nil when absent.
	children map[flinkv1beta1.BlueGreenDeploymentType]*flinkv1beta1.FlinkDeployment
	// obs are the observations next decides from.
	obs bluegreenstate.Observations
	// decision is what next decided.
	decision *bluegreenstate.Decision
	// outcome, when set, overrides the decision's outcome (validation failures, transient errors).
	outcome *bluegreenstate.Outcome
	// eventWarning and event: whether the outcome is reported as an event, and its type.
	event, eventWarning bool
	// finished, when set, is how the transition in flight ended in this reconcile.
	finished TransitionOutcome
	// wait is when to look again at the latest.
	wait time.Duration
	// done stops the remaining phases.
	done bool
}

func (s *scope) stall(reason, message string) {
	s.outcome = &bluegreenstate.Outcome{Kind: bluegreenstate.OutcomeStalled, Reason: reason, Message: message}
	s.event, s.eventWarning, s.done = true, true, true
}

func (s *scope) requeueAfter() time.Duration {
	if gitops.Current(s.bg) != gitops.InProgress {
		return 0
	}
	if s.wait > 0 && s.wait < s.reschedule {
		return s.wait
	}
	return s.reschedule
}

func durationOption(configuration map[string]string, key string, fallback time.Duration) (time.Duration, error) {
	value, ok := configuration[key]
	if !ok || value == "" {
		return fallback, nil
	}
	duration, err := operatorconfig.ParseDuration(value)
	if err != nil {
		return 0, fmt.Errorf("spec.configuration[%q]: %w", key, err)
	}
	return max(duration, 0), nil
}

// loadConfig reads the operator configuration and the blue/green options of spec.configuration.
func (r *Reconciler) loadConfig(_ context.Context, s *scope) (ctrl.Result, error) {
	s.config = r.OperatorConfig().ForResource(s.bg.Spec.Configuration)
	s.reschedule = defaultRescheduleInterval
	var errs []error
	var err error
	s.grace, err = durationOption(s.bg.Spec.Configuration, validators.KeyBlueGreenAbortGracePeriod, defaultAbortGracePeriod)
	errs = append(errs, err)
	s.reschedule, err = durationOption(s.bg.Spec.Configuration, validators.KeyBlueGreenRescheduleInterval, defaultRescheduleInterval)
	errs = append(errs, err)
	s.deletionDelay, err = durationOption(s.bg.Spec.Configuration, validators.KeyBlueGreenDeletionDelay, defaultDeletionDelay)
	errs = append(errs, err)
	s.transitionDeadline, err = durationOption(s.bg.Spec.Configuration, validators.KeyBlueGreenTransitionDeadline,
		s.config.DurationOr(operatorconfig.KeyBlueGreenTransitionDeadline))
	errs = append(errs, err)
	if s.transitionDeadline <= 0 {
		s.transitionDeadline = bluegreenstate.DefaultTransitionDeadline
	}
	if s.reschedule <= 0 {
		s.reschedule = defaultRescheduleInterval
	}
	if err := errors.Join(errs...); err != nil {
		s.stall(flinkv1beta1.ReasonValidationError, err.Error())
		return ctrl.Result{}, reconcile.TerminalError(err)
	}
	return ctrl.Result{}, nil
}

// validateSpec re-runs the admission rules (a webhook can be disabled or bypassed) and reads lastReconciledSpec.
func (r *Reconciler) validateSpec(_ context.Context, s *scope) (ctrl.Result, error) {
	if r.Validate != nil {
		if errs := r.Validate(s.bg, nil); len(errs) > 0 {
			s.stall(flinkv1beta1.ReasonValidationError, errs.ToAggregate().Error())
			return ctrl.Result{}, nil
		}
	}
	reconciled, ok, err := bluegreenstate.ParseSpec(s.bg.Status.LastReconciledSpec)
	if err != nil {
		s.stall(flinkv1beta1.ReasonValidationError, err.Error())
		return ctrl.Result{}, reconcile.TerminalError(err)
	}
	if ok {
		s.reconciled = reconciled
		// The webhook refuses a change of mode; without it (disabled or bypassed) the controller refuses too,
		// rather than roll out a mode the running children were not built for.
		if errs := validators.ValidateTransitionModeChange(reconciled.EffectiveTransitionMode(), s.bg.Spec.EffectiveTransitionMode()); len(errs) > 0 {
			s.stall(flinkv1beta1.ReasonValidationError, errs.ToAggregate().Error())
			return ctrl.Result{}, nil
		}
	}
	return ctrl.Result{}, nil
}

// observeChildren reads both children and the spec diff.
func (r *Reconciler) observeChildren(ctx context.Context, s *scope) (ctrl.Result, error) {
	bg := s.bg
	o := &s.obs
	o.State = bg.Status.BlueGreenState
	o.Now = r.Now()
	o.AbortAt = parseTimestamp(bg.Status.AbortTimestamp)
	o.ReadyAt = parseTimestamp(bg.Status.DeploymentReadyTimestamp)
	o.DeletionDelay = s.deletionDelay
	o.Poll = min(s.config.DurationOr(operatorconfig.KeyProgressCheckInterval), s.reschedule)
	o.TriggerID = bg.Status.SavepointTriggerID
	o.Failing = bg.Status.JobStatus.State == flinkv1beta1.JobStatusFailing
	o.FirstDeployment = bg.Status.ActiveDeployment == ""
	o.Reason = conditions.GetReason(bg, flinkv1beta1.ConditionReconciling)
	if o.Reason == "" {
		o.Reason = conditions.GetReason(bg, flinkv1beta1.ConditionStalled)
	}
	o.Advanced = bg.Spec.EffectiveTransitionMode() == flinkv1beta1.TransitionModeAdvanced
	o.TransitionDeadline = s.transitionDeadline
	if o.Advanced {
		if err := r.observeGate(ctx, s); errors.Is(err, errNotOwned) {
			s.stall(flinkv1beta1.ReasonDeploymentFailed, err.Error())
			return ctrl.Result{}, nil
		} else if err != nil {
			return ctrl.Result{}, err
		}
	}
	_, o.Retry = bg.Annotations[RetryAnnotation]
	desired := &bg.Spec.Template.Spec
	o.DesiredSuspended = bluegreenstate.JobState(desired) == flinkv1beta1.JobStateSuspended
	o.Stateless = desired.Job == nil || desired.Job.UpgradeMode == "" || desired.Job.UpgradeMode == flinkv1beta1.UpgradeModeStateless
	o.Diff = bluegreenstate.DiffIgnore
	if s.reconciled != nil {
		o.Reconciled = true
		o.ReconciledSuspended = bluegreenstate.JobState(&s.reconciled.Template.Spec) == flinkv1beta1.JobStateSuspended
		o.TopLevelChanged = bluegreenstate.TopLevelChanged(s.reconciled, &bg.Spec)
		diff, err := bluegreenstate.TemplateDiff(&s.reconciled.Template.Spec, desired)
		if err != nil {
			s.stall(flinkv1beta1.ReasonValidationError, err.Error())
			return ctrl.Result{}, reconcile.TerminalError(err)
		}
		o.Diff = diff
	}

	s.children = map[flinkv1beta1.BlueGreenDeploymentType]*flinkv1beta1.FlinkDeployment{}
	incoming := flinkv1beta1.BlueGreenDeploymentType("")
	if o.State == flinkv1beta1.BlueGreenTransitioningToBlue || o.State == flinkv1beta1.BlueGreenTransitioningToGreen {
		incoming = bluegreenstate.StateChild(o.State)
	}
	for _, t := range []flinkv1beta1.BlueGreenDeploymentType{flinkv1beta1.BlueGreenTypeBlue, flinkv1beta1.BlueGreenTypeGreen} {
		fd := &flinkv1beta1.FlinkDeployment{}
		err := r.Get(ctx, client.ObjectKey{Namespace: bg.Namespace, Name: childName(bg, t)}, fd)
		switch {
		case apierrors.IsNotFound(err):
			continue
		case err != nil:
			return ctrl.Result{}, fmt.Errorf("reading the %s child: %w", bluegreenstate.Lower(t), err)
		}
		if !isControlledBy(fd, bg) {
			s.stall(flinkv1beta1.ReasonDeploymentFailed,
				fmt.Sprintf("FlinkDeployment %s exists and is not owned by this blue/green deployment: delete or rename it", fd.Name))
			return ctrl.Result{}, nil
		}
		s.children[t] = fd
		observed := observeChild(fd)
		if t == incoming && observed.Ready && s.reconciled != nil {
			want, err := r.buildChild(s, t)
			if err != nil {
				return ctrl.Result{}, err
			}
			if fd.Annotations[specHashAnnotation] != want.Annotations[specHashAnnotation] {
				observed.Ready, observed.Problem = false, "the latest spec is not applied yet"
			}
		}
		if t == flinkv1beta1.BlueGreenTypeBlue {
			o.Blue = observed
		} else {
			o.Green = observed
		}
	}
	return ctrl.Result{}, nil
}

// observeChild judges a child by the status its own controller reported for it. A status that cannot be about
// the object that exists (an observedGeneration ahead of its generation, DELETING on an object not being
// deleted) was left by a deleted child of the same name: the child counts as not yet reported on.
func observeChild(fd *flinkv1beta1.FlinkDeployment) bluegreenstate.Child {
	c := bluegreenstate.Child{Exists: fd.DeletionTimestamp.IsZero(), Terminating: !fd.DeletionTimestamp.IsZero()}
	c.SpecSuspended = fd.Spec.Job != nil && fd.Spec.Job.State == flinkv1beta1.JobStateSuspended
	if inheritedStatus(fd) {
		c.Problem = "the controller has not reported on this object yet (its status was left by a deleted child of the same name)"
		return c
	}
	current := fd.Status.ObservedGeneration == fd.Generation
	c.Ready = c.Exists && current && fd.Status.LifecycleState == flinkv1beta1.LifecycleStateStable &&
		fd.Status.JobStatus.State == flinkv1beta1.JobStatusRunning
	c.Suspended = c.Exists && current && fd.Status.LifecycleState == flinkv1beta1.LifecycleStateSuspended
	c.Stalled = conditions.IsTrue(fd, flinkv1beta1.ConditionStalled)
	c.Finished = c.Exists && fd.Status.JobStatus.State == flinkv1beta1.JobStatusFinished
	if !c.Ready {
		c.Problem = fmt.Sprintf("lifecycle %s, job %s", orUnknown(string(fd.Status.LifecycleState)), orUnknown(string(fd.Status.JobStatus.State)))
		if message := conditions.GetMessage(fd, flinkv1beta1.ConditionReady); message != "" {
			c.Problem += ": " + message
		}
	}
	return c
}

// inheritedStatus reports a child status that cannot have been written for this object.
func inheritedStatus(fd *flinkv1beta1.FlinkDeployment) bool {
	deleting := fd.Status.LifecycleState == flinkv1beta1.LifecycleStateDeleting || fd.Status.LifecycleState == flinkv1beta1.LifecycleStateDeleted
	return fd.Status.ObservedGeneration > fd.Generation || (deleting && fd.DeletionTimestamp.IsZero())
}

func orUnknown(value string) string {
	if value == "" {
		return "unknown"
	}
	return value
}

// observeSavepoint polls the hand-over savepoint in SAVEPOINTING states.
func (r *Reconciler) observeSavepoint(ctx context.Context, s *scope) (ctrl.Result, error) {
	o := &s.obs
	savepointed := bluegreenstate.StateChild(o.State)
	switch {
	case o.TriggerID == "":
		return ctrl.Result{}, nil
	case o.State == flinkv1beta1.BlueGreenSavepointingBlue || o.State == flinkv1beta1.BlueGreenSavepointingGreen:
	case o.Advanced && bluegreenstate.IsTransitioning(o.State):
		// The ADVANCED teardown's stop-with-savepoint of the outgoing child.
		savepointed = bluegreenstate.Other(bluegreenstate.StateChild(o.State))
	default:
		return ctrl.Result{}, nil
	}
	api, jobID, err := r.activeJob(ctx, s, savepointed)
	if err != nil {
		o.Savepoint, o.SavepointProblem = bluegreenstate.SavepointUnreachable, err.Error()
		return ctrl.Result{}, nil
	}
	poll := jobops.PollSavepoint(ctx, api, jobID, &flinkv1beta1.SavepointInfo{TriggerID: o.TriggerID})
	switch poll.Outcome {
	case jobops.PollUnknown:
		o.Savepoint = bluegreenstate.SavepointUnknown
	case jobops.PollUnreachable:
		o.Savepoint, o.SavepointProblem = bluegreenstate.SavepointUnreachable, poll.Err.Error()
	case jobops.PollInProgress:
		o.Savepoint = bluegreenstate.SavepointPending
	case jobops.PollFailed:
		o.Savepoint, o.SavepointProblem = bluegreenstate.SavepointFailed, poll.Failure
	default:
		o.Savepoint, o.SavepointLocation = bluegreenstate.SavepointDone, poll.Location
	}
	return ctrl.Result{}, nil
}

// activeJob returns a REST client of a child's JobManager and the ID of its running job.
func (r *Reconciler) activeJob(ctx context.Context, s *scope, t flinkv1beta1.BlueGreenDeploymentType) (flinkapi.API, string, error) {
	fd := s.children[t]
	if fd == nil {
		return nil, "", fmt.Errorf("the %s child does not exist", bluegreenstate.Lower(t))
	}
	api, err := r.childAPI(s, fd)
	if err != nil {
		return nil, "", err
	}
	jobID := fd.Status.JobStatus.JobID
	if jobID == "" {
		if jobID, err = runningJobID(ctx, api); err != nil {
			return nil, "", fmt.Errorf("listing the jobs of %s: %w", fd.Name, err)
		}
		if jobID == "" {
			return nil, "", fmt.Errorf("%s runs no job", fd.Name)
		}
	}
	return api, jobID, nil
}

// runningJobID returns the ID of the cluster's job that is not globally terminal, "" when there is none.
func runningJobID(ctx context.Context, api flinkapi.API) (string, error) {
	jobs, err := api.ListJobs(ctx)
	if err != nil {
		return "", err
	}
	for _, job := range jobs {
		if !job.State.IsGloballyTerminal() {
			return job.ID, nil
		}
	}
	return "", nil
}

// decide runs the state machine.
func (r *Reconciler) decide(_ context.Context, s *scope) (ctrl.Result, error) {
	d := bluegreenstate.ForLatestGeneration(s.obs, bluegreenstate.Next(s.obs))
	s.decision = &d
	s.event, s.eventWarning, s.wait = d.Event, d.Warning, d.Wait
	return ctrl.Result{}, nil
}

// act records the decision's intent, patches it, carries out the effects and sets the final status.
func (r *Reconciler) act(ctx context.Context, s *scope) (ctrl.Result, error) {
	d, bg := s.decision, s.bg
	if err := r.applyIntent(s, d.Intent); err != nil {
		return ctrl.Result{}, err
	}
	r.recoverDeletedChild(ctx, s)
	if s.obs.Retry {
		// Acted upon (or not applicable): either way it is consumed.
		delete(bg.Annotations, RetryAnnotation)
	}
	if len(d.Effects) > 0 {
		if !d.Intent.Empty() {
			if d.Outcome.Kind == bluegreenstate.OutcomeReconciling {
				gitops.MarkReconciling(bg, d.Outcome.Reason, "%s", d.Outcome.Message)
			}
			if err := s.patcher.Patch(ctx, bg); err != nil {
				return ctrl.Result{}, fmt.Errorf("recording the intent: %w", err)
			}
			r.recordState(bg, s.initialState, bg.Status.BlueGreenState)
			s.initialState = bg.Status.BlueGreenState
			step := "Intent " + string(bg.Status.BlueGreenState)
			if d.Intent.Teardown {
				// A step of its own: the teardown trigger id is recorded in the same state as the hand-over's start.
				step += " teardown"
			}
			r.step(ctx, bg, step)
		}
		for _, e := range d.Effects {
			if err := r.carryOut(ctx, s, e); err != nil {
				s.outcome = &bluegreenstate.Outcome{Kind: bluegreenstate.OutcomeReconciling, Reason: flinkv1beta1.ReasonRetrying, Message: fmt.Sprintf("%s failed, retrying: %v", e, err)}
				s.event, s.eventWarning = true, true
				return ctrl.Result{}, err
			}
			r.step(ctx, bg, e.String())
		}
	}
	status := &bg.Status
	if d.State != "" {
		status.BlueGreenState = d.State
	}
	if d.JobState != "" {
		status.JobStatus.State = d.JobState
	}
	if d.ClearMarkers {
		clearMarkers(status)
	}
	if d.Error != "" {
		status.Error = d.Error
	}
	switch status.BlueGreenState {
	case flinkv1beta1.BlueGreenActiveBlue, flinkv1beta1.BlueGreenActiveGreen:
		status.ActiveDeployment = childName(bg, bluegreenstate.StateChild(status.BlueGreenState))
	case flinkv1beta1.BlueGreenInitializingBlue:
		status.ActiveDeployment = ""
	}
	if d.State != "" {
		switch d.Outcome.Reason {
		case flinkv1beta1.ReasonTransitionAborted:
			s.finished = TransitionAborted
		default:
			s.finished = TransitionSucceeded
		}
	} else if d.Outcome.Reason == flinkv1beta1.ReasonSavepointFailed {
		s.finished = TransitionSavepointFailed
	}
	if d.Retry {
		return ctrl.Result{}, fmt.Errorf("%s", d.Outcome.Message)
	}
	return ctrl.Result{}, nil
}

func (r *Reconciler) step(ctx context.Context, bg *flinkv1beta1.FlinkBlueGreenDeployment, step string) {
	if r.OnStep != nil {
		r.OnStep(ctx, bg, step)
	}
}

// applyIntent writes the decision's intent into status (in memory).
func (r *Reconciler) applyIntent(s *scope, i bluegreenstate.Intent) error {
	bg, status := s.bg, &s.bg.Status
	now := s.obs.Now
	if i.ClearMarkers {
		clearMarkers(status)
	}
	if i.RecordSpec {
		serialized, err := bluegreenstate.SerializeSpec(&bg.Spec)
		if err != nil {
			return err
		}
		status.LastReconciledSpec = serialized
		status.LastReconciledTimestamp = formatTimestamp(now)
		s.reconciled = bg.Spec.DeepCopy()
	}
	switch i.Start {
	case bluegreenstate.StartTemplate:
		status.JobStatus.UpgradeSavepointPath = ""
		if job := bg.Spec.Template.Spec.Job; job != nil {
			status.JobStatus.UpgradeSavepointPath = job.InitialSavepointPath
		}
	case bluegreenstate.StartSavepoint:
		status.JobStatus.UpgradeSavepointPath = s.obs.SavepointLocation
	case bluegreenstate.StartEmpty:
		status.JobStatus.UpgradeSavepointPath = ""
	}
	if i.SetAbortDeadline {
		status.AbortTimestamp = formatTimestamp(now.Add(s.grace))
	}
	if i.SetReady {
		status.DeploymentReadyTimestamp = formatTimestamp(now)
	}
	if i.NewTrigger {
		purpose := savepointTriggerPurpose
		if i.Teardown {
			purpose = teardownTriggerPurpose
		}
		// The trigger-id policy every controller shares: a fresh id per attempt (a retry after a failure is a
		// new attempt), recorded in status before Flink is asked.
		status.SavepointTriggerID = jobops.TriggerID(string(bg.UID), strconv.FormatInt(bg.Generation, 10), purpose, now)
	}
	if i.State != "" {
		status.BlueGreenState = i.State
	}
	if i.JobState != "" {
		status.JobStatus.State = i.JobState
	}
	if i.ClearError {
		status.Error = ""
	}
	return nil
}

// clearMarkers is upstream's resetTransitionMarkers.
func clearMarkers(status *flinkv1beta1.FlinkBlueGreenDeploymentStatus) {
	status.AbortTimestamp = formatTimestamp(time.Time{})
	status.DeploymentReadyTimestamp = formatTimestamp(time.Time{})
	status.SavepointTriggerID = ""
}
