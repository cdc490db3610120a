package deploystatus

import (
	"fmt"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
	"github.com/teal-flink/teal/internal/conditions"
	"github.com/teal-flink/teal/internal/gitops"
	"github.com/teal-flink/teal/internal/upgradeplan"
)

// Observation is what the steady-state verdict reads.
type Observation struct {
	// Status is the deployment's status as the reconcile left it.
	Status *flinkv1beta1.FlinkDeploymentStatus
	// Target is the last reconciled spec; nil before the first deployment.
	Target *flinkv1beta1.FlinkDeploymentSpec
	// ReadinessTimeout is kubernetes.operator.deployment.readiness.timeout (named in a rollback's message).
	ReadinessTimeout time.Duration
	// TaskManagerFailure is why the cluster's TaskManager pods cannot run ("" when they can, or there are none),
	// failing since TaskManagerFailingSince; Now is the current time.
	TaskManagerFailure      string
	TaskManagerFailingSince time.Time
	Now                     time.Time
	// ReadyReason and StalledReason are the reasons of the Ready and Stalled conditions so far: an event is
	// emitted only when the verdict is new.
	ReadyReason, StalledReason string
}

// WithTaskManagers reads a FlinkDeployment's TaskManagers condition (nil when absent) into the observation: a
// False one is a failure since its lastTransitionTime.
func (o Observation) WithTaskManagers(condition *metav1.Condition) Observation {
	if condition != nil && condition.Status == metav1.ConditionFalse {
		o.TaskManagerFailure, o.TaskManagerFailingSince = condition.Message, condition.LastTransitionTime.Time
	}
	return o
}

// TaskManagerFailure is why a FlinkDeployment's TaskManagers cannot run, from its TaskManagers condition; "" when
// they can (or there are none). A session job waiting for slots on the cluster says so.
func TaskManagerFailure(deployment *flinkv1beta1.FlinkDeployment) string {
	return Observation{}.WithTaskManagers(conditions.Get(deployment, flinkv1beta1.ConditionTaskManagers)).TaskManagerFailure
}

// Verdict is the outcome of a reconcile that started nothing.
type Verdict struct {
	// Outcome is the summary condition to set (gitops.Ready, gitops.Stalled or gitops.InProgress).
	Outcome gitops.Outcome
	// Reason and Message go on the condition.
	Reason, Message string
	// MarkStable: the running spec becomes the last stable one (what a rollback returns to).
	MarkStable bool
	// InFlight: something is under way; the reconcile requeues at the progress-check interval.
	InFlight bool
	// WakeIn, when set, is when the verdict changes by itself (a failure becomes Stalled): requeue by then.
	WakeIn time.Duration
	// EventType, when set, asks for one event of this type with Reason and EventMessage.
	EventType, EventMessage string
}

// SteadyState judges a reconcile that started nothing: is the target running as asked?
func SteadyState(o Observation) Verdict {
	status := o.Status
	jobManager, jobStatus := status.JobManagerDeploymentStatus, status.JobStatus.State
	hasJob := o.Target != nil && o.Target.Job != nil
	switch {
	case o.Target == nil:
		return Verdict{Outcome: gitops.InProgress, Reason: flinkv1beta1.ReasonDeploying, Message: "waiting for the first deployment"}
	case status.ReconciliationStatus.State == flinkv1beta1.ReconciliationStateRolledBack:
		// The commit failed even though the stable spec serves again: it is never recorded as stable.
		return Verdict{Outcome: gitops.Stalled, Reason: flinkv1beta1.ReasonRolledBack, Message: fmt.Sprintf(
			"the spec did not become ready within %s and was rolled back to the last stable spec (JobManager %s, job %s); commit a fix to try again",
			o.ReadinessTimeout, OrUnknown(string(jobManager)), OrUnknown(string(jobStatus)))}
	case jobManager == flinkv1beta1.JobManagerDeploymentError:
		return Verdict{Outcome: gitops.Stalled, Reason: flinkv1beta1.ReasonDeploymentFailed, Message: status.Error}
	case hasJob && upgradeplan.JobState(o.Target) == flinkv1beta1.JobStateSuspended:
		return Verdict{Outcome: gitops.Ready, Reason: flinkv1beta1.ReasonSuspended, Message: "job suspended as the spec asks"}
	case o.TaskManagerFailure != "":
		// A cluster that cannot run its TaskManagers runs no task, whatever the JobManager says; it may yet
		// recover (an image pushed, a node added), so it stalls only once it has failed for the readiness timeout.
		failingFor := o.Now.Sub(o.TaskManagerFailingSince)
		if failingFor >= o.ReadinessTimeout {
			return Verdict{Outcome: gitops.Stalled, Reason: flinkv1beta1.ReasonTaskManagerFailed, Message: fmt.Sprintf(
				"TaskManagers cannot run since %s: %s", o.TaskManagerFailingSince.UTC().Format(time.RFC3339), o.TaskManagerFailure)}
		}
		return Verdict{Outcome: gitops.InProgress, Reason: flinkv1beta1.ReasonTaskManagerFailed, InFlight: true,
			WakeIn: o.ReadinessTimeout - failingFor, Message: fmt.Sprintf("TaskManagers cannot run (Stalled if it lasts %s): %s",
				o.ReadinessTimeout, o.TaskManagerFailure)}
	case !hasJob && jobManager == flinkv1beta1.JobManagerDeploymentReady:
		return Verdict{Outcome: gitops.Ready, Reason: flinkv1beta1.ReasonSucceeded, Message: "session cluster running", MarkStable: true}
	case jobStatus == flinkv1beta1.JobStatusFailed:
		return Verdict{Outcome: gitops.Stalled, Reason: flinkv1beta1.ReasonJobFailed, Message: JobRef(status) + " failed"}
	case hasJob && jobStatus == flinkv1beta1.JobStatusFinished:
		// A bounded job that ran to its end is done: a terminal outcome, so observedGeneration advances and
		// the resource is no longer polled as if something were in flight.
		verdict := Verdict{Outcome: gitops.Ready, Reason: flinkv1beta1.ReasonFinished, Message: JobRef(status) + " finished"}
		if o.ReadyReason != flinkv1beta1.ReasonFinished {
			verdict.EventType, verdict.EventMessage = corev1.EventTypeNormal, verdict.Message
		}
		return verdict
	case hasJob && jobStatus == flinkv1beta1.JobStatusCanceled:
		// The operator cancels only inside an upgrade, which reports progress: a cancelled job in the steady
		// state was cancelled from the Flink UI or CLI, and only a person knows whether it should run again.
		verdict := Verdict{Outcome: gitops.Stalled, Reason: flinkv1beta1.ReasonJobCancelled, Message: fmt.Sprintf(
			"job %s was cancelled outside the operator (Flink web UI or CLI); commit a change, or change "+
				"spec.job.restartNonce, to start it again", status.JobStatus.JobID)}
		if o.StalledReason != flinkv1beta1.ReasonJobCancelled {
			verdict.EventType = corev1.EventTypeWarning
			verdict.EventMessage = "job " + status.JobStatus.JobID + " was cancelled outside the operator"
		}
		return verdict
	case hasJob && jobStatus == flinkv1beta1.JobStatusRunning && jobManager == flinkv1beta1.JobManagerDeploymentReady:
		return Verdict{Outcome: gitops.Ready, Reason: flinkv1beta1.ReasonSucceeded,
			Message: fmt.Sprintf("job %s running", status.JobStatus.JobID), MarkStable: true}
	}
	what := "job"
	if !hasJob {
		what = "session cluster"
	}
	return Verdict{Outcome: gitops.InProgress, Reason: flinkv1beta1.ReasonDeploying, InFlight: true, Message: fmt.Sprintf(
		"waiting for the %s (JobManager %s, job %s)", what, OrUnknown(string(jobManager)), OrUnknown(string(jobStatus)))}
}

// SetRunning maintains upstream's Running condition: True while a session cluster's JobManager is ready or the
// job runs.
func SetRunning(deployment *flinkv1beta1.FlinkDeployment) {
	status := &deployment.Status
	switch {
	case deployment.Spec.Job == nil && status.JobManagerDeploymentStatus == flinkv1beta1.JobManagerDeploymentReady:
		conditions.MarkTrue(deployment, flinkv1beta1.ConditionRunning, "JobManagerReady", "session cluster is ready")
	case status.JobStatus.State == flinkv1beta1.JobStatusRunning:
		conditions.MarkTrue(deployment, flinkv1beta1.ConditionRunning, "RunningState", "job is running")
	default:
		conditions.MarkFalse(deployment, flinkv1beta1.ConditionRunning, "JobNotRunning", "job is %s", OrUnknown(string(status.JobStatus.State)))
	}
}

// JobRef names the job in messages; the id is empty until the first job of a deployed cluster is observed.
func JobRef(status *flinkv1beta1.FlinkDeploymentStatus) string {
	if status.JobStatus.JobID == "" {
		return "the job"
	}
	return "job " + status.JobStatus.JobID
}

// OrUnknown is value, or "unknown" when empty.
func OrUnknown(value string) string {
	if value == "" {
		return "unknown"
	}
	return value
}

// Deployed is the reason and message that report a cluster just deployed: for the target spec (restoring the job
// from restore, "" when it starts empty), for the last stable spec while rolling back, or for a JobManager
// Deployment that went missing (recovery).
func Deployed(restore string, rollingBack, recovery bool) (reason, message string) {
	restored := ""
	if restore != "" {
		restored = ", job restores from " + restore
	}
	switch {
	case recovery:
		return flinkv1beta1.ReasonDeploying, "JobManager Deployment was missing: redeployed"
	case rollingBack:
		return flinkv1beta1.ReasonRollingBack, "last stable spec redeployed" + restored
	}
	return flinkv1beta1.ReasonDeploying, "cluster deployed" + restored
}
