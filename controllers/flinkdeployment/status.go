package flinkdeployment

import (
	"errors"
	"fmt"

	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
	"github.com/teal-flink/teal/internal/conditions"
	"github.com/teal-flink/teal/internal/deploystatus"
	"github.com/teal-flink/teal/internal/gitops"
	"github.com/teal-flink/teal/internal/lifecycle"
	"github.com/teal-flink/teal/internal/operatorconfig"
	"github.com/teal-flink/teal/internal/upgradeplan"
)

// summarize derives lifecycleState and the conditions from what the reconcile found and did. It runs in the
// deferred patch of every reconcile, so the conditions never lag behind the status fields they summarise.
func (r *Reconciler) summarize(s *scope, reconcileErr error) {
	deployment := s.deployment
	if s.released {
		return
	}
	deriveLifecycle(s)
	deploystatus.SetRunning(deployment)
	switch {
	case s.stalled != nil:
		gitops.MarkStalled(deployment, s.stalled.reason, "%s", s.stalled.message)
	case errors.Is(reconcileErr, reconcile.TerminalError(nil)):
		gitops.MarkStalled(deployment, flinkv1beta1.ReasonDeploymentFailed, "%v", reconcileErr)
	case reconcileErr != nil:
		gitops.MarkReconciling(deployment, flinkv1beta1.ReasonRetrying, "retrying after an error: %v", reconcileErr)
	case !deployment.DeletionTimestamp.IsZero():
		// Being deleted: the conditions stay as they were (kstatus reports Terminating).
	case s.progress != nil:
		gitops.MarkReconciling(deployment, s.progress.reason, "%s", s.progress.message)
	default:
		r.summarizeSteadyState(s)
	}
}

// deriveLifecycle sets status.lifecycleState from the rest of the status (lifecycle.Derive); the recorded state
// counts as far as it belongs to this object (lifecycle.Recorded).
func deriveLifecycle(s *scope) {
	status := &s.deployment.Status
	status.LifecycleState = lifecycle.Derive(lifecycle.Observation{
		Current:        lifecycle.Recorded(status.LifecycleState, !s.deployment.DeletionTimestamp.IsZero()),
		Reconciliation: status.ReconciliationStatus, LastReconciledJobState: targetJobState(s),
		JobState: status.JobStatus.State, Error: status.Error, JobManager: status.JobManagerDeploymentStatus,
	})
}

func targetJobState(s *scope) flinkv1beta1.JobState {
	if s.target == nil || s.target.Job == nil {
		return ""
	}
	return upgradeplan.JobState(s.target)
}

// summarizeSteadyState writes the verdict on a reconcile that started nothing (deploystatus.SteadyState).
func (r *Reconciler) summarizeSteadyState(s *scope) {
	deployment := s.deployment
	verdict := deploystatus.SteadyState(deploystatus.Observation{
		Status: &deployment.Status, Target: s.target,
		ReadinessTimeout: s.config.DurationOr(operatorconfig.KeyReadinessTimeout),
		ReadyReason:      conditions.GetReason(deployment, flinkv1beta1.ConditionReady),
		StalledReason:    conditions.GetReason(deployment, flinkv1beta1.ConditionStalled),
		Now:              r.Now(),
	}.WithTaskManagers(conditions.Get(deployment, flinkv1beta1.ConditionTaskManagers)))
	s.wakeWithin(verdict.WakeIn)
	if verdict.EventType != "" {
		r.event(s, verdict.EventType, verdict.Reason, verdict.EventMessage)
	}
	if verdict.MarkStable {
		deployment.Status.ReconciliationStatus.LastStableSpec = deployment.Status.ReconciliationStatus.LastReconciledSpec
	}
	s.inFlight = s.inFlight || verdict.InFlight
	switch verdict.Outcome {
	case gitops.Ready:
		gitops.MarkReady(deployment, verdict.Reason, "%s", verdict.Message)
	case gitops.Stalled:
		gitops.MarkStalled(deployment, verdict.Reason, "%s", verdict.Message)
	default:
		gitops.MarkReconciling(deployment, verdict.Reason, "%s", verdict.Message)
	}
	// lifecycleState was derived before stability was recorded.
	deriveLifecycle(s)
}

// event records an event about the deployment with a reason shared with the conditions.
func (r *Reconciler) event(s *scope, eventType, reason, message string) {
	if r.Recorder == nil {
		return
	}
	r.Recorder.Eventf(s.deployment, nil, eventType, reason, "Reconcile", "%s", truncate(message, 1000))
}

func truncate(message string, limit int) string {
	if len(message) <= limit {
		return message
	}
	return fmt.Sprintf("%s…", message[:limit])
}
