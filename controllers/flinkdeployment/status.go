package flinkdeployment

import (
	"errors"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
	"github.com/teal-flink/teal/internal/conditions"
	"github.com/teal-flink/teal/internal/gitops"
	"github.com/teal-flink/teal/internal/lifecycle"
	"github.com/teal-flink/teal/internal/operatorconfig"
)

// summarize derives lifecycleState and the conditions from what the reconcile found and did. It runs in the
// deferred patch of every reconcile, so the conditions never lag behind the status fields they summarise.
func (r *Reconciler) summarize(s *scope, reconcileErr error) {
	deployment := s.deployment
	status := &deployment.Status
	if s.released {
		return
	}
	status.LifecycleState = lifecycle.Derive(lifecycle.Observation{
		Current: currentLifecycle(deployment), Reconciliation: status.ReconciliationStatus,
		LastReconciledJobState: targetJobState(s), JobState: status.JobStatus.State, Error: status.Error,
		JobManager: status.JobManagerDeploymentStatus,
	})
	setRunning(deployment)
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

// currentLifecycle is the recorded lifecycle state as far as it belongs to this object (lifecycle.Recorded).
func currentLifecycle(deployment *flinkv1beta1.FlinkDeployment) flinkv1beta1.ResourceLifecycleState {
	return lifecycle.Recorded(deployment.Status.LifecycleState, !deployment.DeletionTimestamp.IsZero())
}

func targetJobState(s *scope) flinkv1beta1.JobState {
	if s.target == nil || s.target.Job == nil {
		return ""
	}
	return jobState(s.target)
}

// summarizeSteadyState judges a reconcile that started nothing: is the target running as asked?
func (r *Reconciler) summarizeSteadyState(s *scope) {
	deployment := s.deployment
	status := &deployment.Status
	switch {
	case s.target == nil:
		gitops.MarkReconciling(deployment, flinkv1beta1.ReasonDeploying, "waiting for the first deployment")
	case status.ReconciliationStatus.State == flinkv1beta1.ReconciliationStateRolledBack:
		// The commit failed even though the stable spec serves again: it is never recorded as stable.
		gitops.MarkStalled(deployment, flinkv1beta1.ReasonRolledBack,
			"the spec did not become ready within %s and was rolled back to the last stable spec (JobManager %s, job %s); commit a fix to try again",
			s.config.DurationOr(operatorconfig.KeyReadinessTimeout), orUnknown(string(status.JobManagerDeploymentStatus)), orUnknown(string(status.JobStatus.State)))
	case status.JobManagerDeploymentStatus == flinkv1beta1.JobManagerDeploymentError:
		gitops.MarkStalled(deployment, flinkv1beta1.ReasonDeploymentFailed, "%s", status.Error)
	case targetJobState(s) == flinkv1beta1.JobStateSuspended:
		gitops.MarkReady(deployment, flinkv1beta1.ReasonSuspended, "job suspended as the spec asks")
	case s.target.Job == nil && status.JobManagerDeploymentStatus == flinkv1beta1.JobManagerDeploymentReady:
		markStable(status)
		gitops.MarkReady(deployment, flinkv1beta1.ReasonSucceeded, "session cluster running")
	case status.JobStatus.State == flinkv1beta1.JobStatusFailed:
		gitops.MarkStalled(deployment, flinkv1beta1.ReasonJobFailed, "%s failed", jobRef(status))
	case s.target.Job != nil && status.JobStatus.State == flinkv1beta1.JobStatusFinished:
		// A bounded job that ran to its end is done: a terminal outcome, so observedGeneration advances and
		// the resource is no longer polled as if something were in flight.
		if conditions.GetReason(deployment, flinkv1beta1.ConditionReady) != flinkv1beta1.ReasonFinished {
			r.event(s, corev1.EventTypeNormal, flinkv1beta1.ReasonFinished, jobRef(status)+" finished")
		}
		gitops.MarkReady(deployment, flinkv1beta1.ReasonFinished, "%s finished", jobRef(status))
	case s.target.Job != nil && status.JobStatus.State == flinkv1beta1.JobStatusCanceled:
		// The operator cancels only inside an upgrade, which reports progress: a cancelled job in the steady
		// state was cancelled from the Flink UI or CLI, and only a person knows whether it should run again.
		if conditions.GetReason(deployment, flinkv1beta1.ConditionStalled) != flinkv1beta1.ReasonJobCancelled {
			r.event(s, corev1.EventTypeWarning, flinkv1beta1.ReasonJobCancelled,
				"job "+status.JobStatus.JobID+" was cancelled outside the operator")
		}
		gitops.MarkStalled(deployment, flinkv1beta1.ReasonJobCancelled,
			"job %s was cancelled outside the operator (Flink web UI or CLI); commit a change, or change "+
				"spec.job.restartNonce, to start it again", status.JobStatus.JobID)
	case s.target.Job != nil && status.JobStatus.State == flinkv1beta1.JobStatusRunning &&
		status.JobManagerDeploymentStatus == flinkv1beta1.JobManagerDeploymentReady:
		markStable(status)
		gitops.MarkReady(deployment, flinkv1beta1.ReasonSucceeded, "job %s running", status.JobStatus.JobID)
	default:
		s.inFlight = true
		gitops.MarkReconciling(deployment, flinkv1beta1.ReasonDeploying, "waiting for the %s (JobManager %s, job %s)",
			map[bool]string{true: "session cluster", false: "job"}[s.target.Job == nil],
			orUnknown(string(status.JobManagerDeploymentStatus)), orUnknown(string(status.JobStatus.State)))
	}
	// lifecycleState was derived before stability was recorded.
	status.LifecycleState = lifecycle.Derive(lifecycle.Observation{
		Current: currentLifecycle(deployment), Reconciliation: status.ReconciliationStatus,
		LastReconciledJobState: targetJobState(s), JobState: status.JobStatus.State, Error: status.Error,
		JobManager: status.JobManagerDeploymentStatus,
	})
}

// jobRef names the job in messages; the id is empty until the first job of a deployed cluster is observed.
func jobRef(status *flinkv1beta1.FlinkDeploymentStatus) string {
	if status.JobStatus.JobID == "" {
		return "the job"
	}
	return "job " + status.JobStatus.JobID
}

func orUnknown(value string) string {
	if value == "" {
		return "unknown"
	}
	return value
}

// markStable records the running spec as the last stable one (what a rollback returns to).
func markStable(status *flinkv1beta1.FlinkDeploymentStatus) {
	status.ReconciliationStatus.LastStableSpec = status.ReconciliationStatus.LastReconciledSpec
}

// setRunning maintains upstream's Running condition.
func setRunning(deployment *flinkv1beta1.FlinkDeployment) {
	status := &deployment.Status
	switch {
	case deployment.Spec.Job == nil && status.JobManagerDeploymentStatus == flinkv1beta1.JobManagerDeploymentReady:
		conditions.MarkTrue(deployment, flinkv1beta1.ConditionRunning, "JobManagerReady", "session cluster is ready")
	case status.JobStatus.State == flinkv1beta1.JobStatusRunning:
		conditions.MarkTrue(deployment, flinkv1beta1.ConditionRunning, "RunningState", "job is running")
	default:
		state := orUnknown(string(status.JobStatus.State))
		conditions.MarkFalse(deployment, flinkv1beta1.ConditionRunning, "JobNotRunning", "job is %s", state)
	}
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
