package flinksessionjob

import (
	"errors"

	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
	"github.com/teal-flink/teal/internal/deploystatus"
	"github.com/teal-flink/teal/internal/gitops"
	"github.com/teal-flink/teal/internal/lifecycle"
)

// summarize derives lifecycleState and the conditions from what the reconcile found and did.
func (r *Reconciler) summarize(s *scope, reconcileErr error) {
	job := s.job
	status := &job.Status
	if s.released {
		return
	}
	derive := func() {
		status.LifecycleState = lifecycle.Derive(lifecycle.Observation{
			Current: currentLifecycle(job), Reconciliation: status.ReconciliationStatus,
			LastReconciledJobState: targetJobState(s), JobState: status.JobStatus.State, Error: status.Error,
		})
	}
	derive()
	switch {
	case s.stalled != nil:
		gitops.MarkStalled(job, s.stalled.reason, "%s", s.stalled.message)
	case errors.Is(reconcileErr, reconcile.TerminalError(nil)):
		gitops.MarkStalled(job, flinkv1beta1.ReasonDeploymentFailed, "%v", reconcileErr)
	case reconcileErr != nil:
		gitops.MarkReconciling(job, flinkv1beta1.ReasonRetrying, "retrying after an error: %v", reconcileErr)
	case !job.DeletionTimestamp.IsZero():
	case s.progress != nil:
		gitops.MarkReconciling(job, s.progress.reason, "%s", s.progress.message)
	case s.target == nil:
		gitops.MarkReconciling(job, flinkv1beta1.ReasonDeploying, "waiting for the first submission")
	case targetJobState(s) == flinkv1beta1.JobStateSuspended:
		gitops.MarkReady(job, flinkv1beta1.ReasonSuspended, "job suspended as the spec asks")
	case status.JobStatus.State == flinkv1beta1.JobStatusFailed:
		gitops.MarkStalled(job, flinkv1beta1.ReasonJobFailed, "job %s failed", status.JobStatus.JobID)
	case status.JobStatus.State == flinkv1beta1.JobStatusFinished:
		// A bounded job that ran to its end: a terminal Ready outcome, not a job polled forever.
		gitops.MarkReady(job, flinkv1beta1.ReasonFinished, "job %s finished", status.JobStatus.JobID)
	case status.JobStatus.State == flinkv1beta1.JobStatusCanceled:
		// The operator cancels only inside an upgrade or a deletion, which report progress.
		gitops.MarkStalled(job, flinkv1beta1.ReasonJobCancelled, "job %s was cancelled outside the operator (Flink "+
			"web UI or CLI); commit a change, or change spec.job.restartNonce, to start it again", status.JobStatus.JobID)
	case status.JobStatus.State == flinkv1beta1.JobStatusRunning && s.current != nil:
		status.ReconciliationStatus.LastStableSpec = status.ReconciliationStatus.LastReconciledSpec
		derive()
		gitops.MarkReady(job, flinkv1beta1.ReasonSucceeded, "job %s running", status.JobStatus.JobID)
	case s.session != nil && deploystatus.TaskManagerFailure(s.session) != "":
		// The job waits for slots its session cluster cannot provide: say why, from the cluster's own verdict.
		s.inFlight = true
		gitops.MarkReconciling(job, flinkv1beta1.ReasonTaskManagerFailed, "waiting for job %s (%s): session cluster %s "+
			"cannot run TaskManagers: %s", status.JobStatus.JobID, orUnknown(string(status.JobStatus.State)), s.session.Name,
			deploystatus.TaskManagerFailure(s.session))
	default:
		s.inFlight = true
		gitops.MarkReconciling(job, flinkv1beta1.ReasonDeploying, "waiting for job %s (%s)", status.JobStatus.JobID, orUnknown(string(status.JobStatus.State)))
	}
}

func targetJobState(s *scope) flinkv1beta1.JobState {
	if s.target == nil || s.target.Job == nil {
		return ""
	}
	return desiredState(s.target)
}

// currentLifecycle is the recorded lifecycle state as far as it belongs to this object (lifecycle.Recorded).
func currentLifecycle(job *flinkv1beta1.FlinkSessionJob) flinkv1beta1.ResourceLifecycleState {
	return lifecycle.Recorded(job.Status.LifecycleState, !job.DeletionTimestamp.IsZero())
}
