package deploystatus

import (
	"testing"
	"time"

	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
	"github.com/teal-flink/teal/internal/conditions"
	"github.com/teal-flink/teal/internal/gitops"
)

func TestSteadyState(t *testing.T) {
	application := &flinkv1beta1.FlinkDeploymentSpec{Job: &flinkv1beta1.JobSpec{State: flinkv1beta1.JobStateRunning}}
	suspended := &flinkv1beta1.FlinkDeploymentSpec{Job: &flinkv1beta1.JobSpec{State: flinkv1beta1.JobStateSuspended}}
	session := &flinkv1beta1.FlinkDeploymentSpec{}
	status := func(jobManager flinkv1beta1.JobManagerDeploymentStatus, job flinkv1beta1.JobStatusState) *flinkv1beta1.FlinkDeploymentStatus {
		status := &flinkv1beta1.FlinkDeploymentStatus{JobManagerDeploymentStatus: jobManager}
		status.JobStatus.State, status.JobStatus.JobID = job, "j1"
		status.ReconciliationStatus.State = flinkv1beta1.ReconciliationStateDeployed
		return status
	}
	rolledBack := status(flinkv1beta1.JobManagerDeploymentReady, flinkv1beta1.JobStatusRunning)
	rolledBack.ReconciliationStatus.State = flinkv1beta1.ReconciliationStateRolledBack
	jmError := status(flinkv1beta1.JobManagerDeploymentError, "")
	jmError.Error = "JobManager pod x: CrashLoopBackOff"
	noJobYet := status(flinkv1beta1.JobManagerDeploymentReady, flinkv1beta1.JobStatusFailed)
	noJobYet.JobStatus.JobID = ""
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	const tmFailure = "TaskManager pod s-taskmanager-1-1: ImagePullBackOff: not found"
	for _, tc := range []struct {
		name          string
		status        *flinkv1beta1.FlinkDeploymentStatus
		target        *flinkv1beta1.FlinkDeploymentSpec
		readyReason   string
		stalledReason string
		tmFailingFor  time.Duration
		tmFailure     string
		expect        Verdict
	}{
		{name: "session cluster whose TaskManagers fail: not Ready, in progress until the readiness timeout",
			status: status(flinkv1beta1.JobManagerDeploymentReady, ""), target: session, tmFailure: tmFailure, tmFailingFor: time.Minute,
			expect: Verdict{Outcome: gitops.InProgress, Reason: flinkv1beta1.ReasonTaskManagerFailed, InFlight: true, WakeIn: 4 * time.Minute,
				Message: "TaskManagers cannot run (Stalled if it lasts 5m0s): " + tmFailure}},
		{name: "session cluster whose TaskManagers fail past the readiness timeout: Stalled",
			status: status(flinkv1beta1.JobManagerDeploymentReady, ""), target: session, tmFailure: tmFailure, tmFailingFor: 5 * time.Minute,
			expect: Verdict{Outcome: gitops.Stalled, Reason: flinkv1beta1.ReasonTaskManagerFailed,
				Message: "TaskManagers cannot run since 2026-01-01T11:55:00Z: " + tmFailure}},
		{name: "application whose job waits for TaskManagers that fail",
			status: status(flinkv1beta1.JobManagerDeploymentReady, flinkv1beta1.JobStatusRunning), target: application, tmFailure: tmFailure,
			expect: Verdict{Outcome: gitops.InProgress, Reason: flinkv1beta1.ReasonTaskManagerFailed, InFlight: true, WakeIn: 5 * time.Minute,
				Message: "TaskManagers cannot run (Stalled if it lasts 5m0s): " + tmFailure}},
		{name: "a JobManager that cannot run comes first", status: jmError, target: session, tmFailure: tmFailure, tmFailingFor: time.Hour,
			expect: Verdict{Outcome: gitops.Stalled, Reason: flinkv1beta1.ReasonDeploymentFailed, Message: jmError.Error}},
		{name: "before the first deployment", status: status("", ""),
			expect: Verdict{Outcome: gitops.InProgress, Reason: flinkv1beta1.ReasonDeploying, Message: "waiting for the first deployment"}},
		{name: "rolled back", status: rolledBack, target: application,
			expect: Verdict{Outcome: gitops.Stalled, Reason: flinkv1beta1.ReasonRolledBack,
				Message: "the spec did not become ready within 5m0s and was rolled back to the last stable spec (JobManager READY, job RUNNING); commit a fix to try again"}},
		{name: "JobManager cannot run", status: jmError, target: application,
			expect: Verdict{Outcome: gitops.Stalled, Reason: flinkv1beta1.ReasonDeploymentFailed, Message: jmError.Error}},
		{name: "suspended as asked", status: status(flinkv1beta1.JobManagerDeploymentMissing, flinkv1beta1.JobStatusSuspended), target: suspended,
			expect: Verdict{Outcome: gitops.Ready, Reason: flinkv1beta1.ReasonSuspended, Message: "job suspended as the spec asks"}},
		{name: "session cluster ready", status: status(flinkv1beta1.JobManagerDeploymentReady, ""), target: session,
			expect: Verdict{Outcome: gitops.Ready, Reason: flinkv1beta1.ReasonSucceeded, Message: "session cluster running", MarkStable: true}},
		{name: "session cluster deploying", status: status(flinkv1beta1.JobManagerDeploymentDeploying, ""), target: session,
			expect: Verdict{Outcome: gitops.InProgress, Reason: flinkv1beta1.ReasonDeploying, InFlight: true,
				Message: "waiting for the session cluster (JobManager DEPLOYING, job unknown)"}},
		{name: "job failed", status: status(flinkv1beta1.JobManagerDeploymentReady, flinkv1beta1.JobStatusFailed), target: application,
			expect: Verdict{Outcome: gitops.Stalled, Reason: flinkv1beta1.ReasonJobFailed, Message: "job j1 failed"}},
		{name: "job failed before its id was seen", status: noJobYet, target: application,
			expect: Verdict{Outcome: gitops.Stalled, Reason: flinkv1beta1.ReasonJobFailed, Message: "the job failed"}},
		{name: "bounded job finished: one event", status: status(flinkv1beta1.JobManagerDeploymentReady, flinkv1beta1.JobStatusFinished), target: application,
			expect: Verdict{Outcome: gitops.Ready, Reason: flinkv1beta1.ReasonFinished, Message: "job j1 finished",
				EventType: corev1.EventTypeNormal, EventMessage: "job j1 finished"}},
		{name: "bounded job finished, already reported", status: status(flinkv1beta1.JobManagerDeploymentReady, flinkv1beta1.JobStatusFinished),
			target: application, readyReason: flinkv1beta1.ReasonFinished,
			expect: Verdict{Outcome: gitops.Ready, Reason: flinkv1beta1.ReasonFinished, Message: "job j1 finished"}},
		{name: "cancelled outside the operator: one event", status: status(flinkv1beta1.JobManagerDeploymentReady, flinkv1beta1.JobStatusCanceled), target: application,
			expect: Verdict{Outcome: gitops.Stalled, Reason: flinkv1beta1.ReasonJobCancelled,
				Message:   "job j1 was cancelled outside the operator (Flink web UI or CLI); commit a change, or change spec.job.restartNonce, to start it again",
				EventType: corev1.EventTypeWarning, EventMessage: "job j1 was cancelled outside the operator"}},
		{name: "cancelled, already reported", status: status(flinkv1beta1.JobManagerDeploymentReady, flinkv1beta1.JobStatusCanceled), target: application,
			stalledReason: flinkv1beta1.ReasonJobCancelled,
			expect: Verdict{Outcome: gitops.Stalled, Reason: flinkv1beta1.ReasonJobCancelled,
				Message: "job j1 was cancelled outside the operator (Flink web UI or CLI); commit a change, or change spec.job.restartNonce, to start it again"}},
		{name: "job running", status: status(flinkv1beta1.JobManagerDeploymentReady, flinkv1beta1.JobStatusRunning), target: application,
			expect: Verdict{Outcome: gitops.Ready, Reason: flinkv1beta1.ReasonSucceeded, Message: "job j1 running", MarkStable: true}},
		{name: "job starting", status: status(flinkv1beta1.JobManagerDeploymentReady, flinkv1beta1.JobStatusCreated), target: application,
			expect: Verdict{Outcome: gitops.InProgress, Reason: flinkv1beta1.ReasonDeploying, InFlight: true,
				Message: "waiting for the job (JobManager READY, job CREATED)"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := NewWithT(t)
			g.Expect(SteadyState(Observation{Status: tc.status, Target: tc.target, ReadinessTimeout: 5 * time.Minute,
				ReadyReason: tc.readyReason, StalledReason: tc.stalledReason, Now: now,
				TaskManagerFailure: tc.tmFailure, TaskManagerFailingSince: now.Add(-tc.tmFailingFor)})).To(Equal(tc.expect))
		})
	}
}

func TestSetRunning(t *testing.T) {
	for _, tc := range []struct {
		name       string
		session    bool
		jobManager flinkv1beta1.JobManagerDeploymentStatus
		job        flinkv1beta1.JobStatusState
		expectTrue bool
		reason     string
	}{
		{name: "session cluster ready", session: true, jobManager: flinkv1beta1.JobManagerDeploymentReady, expectTrue: true, reason: "JobManagerReady"},
		{name: "session cluster deploying", session: true, jobManager: flinkv1beta1.JobManagerDeploymentDeploying, reason: "JobNotRunning"},
		{name: "job running", jobManager: flinkv1beta1.JobManagerDeploymentReady, job: flinkv1beta1.JobStatusRunning, expectTrue: true, reason: "RunningState"},
		{name: "job failed", jobManager: flinkv1beta1.JobManagerDeploymentReady, job: flinkv1beta1.JobStatusFailed, reason: "JobNotRunning"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := NewWithT(t)
			deployment := &flinkv1beta1.FlinkDeployment{}
			if !tc.session {
				deployment.Spec.Job = &flinkv1beta1.JobSpec{}
			}
			deployment.Status.JobManagerDeploymentStatus, deployment.Status.JobStatus.State = tc.jobManager, tc.job
			SetRunning(deployment)
			g.Expect(conditions.IsTrue(deployment, flinkv1beta1.ConditionRunning)).To(Equal(tc.expectTrue))
			g.Expect(conditions.GetReason(deployment, flinkv1beta1.ConditionRunning)).To(Equal(tc.reason))
		})
	}
}

func TestDeployed(t *testing.T) {
	for _, tc := range []struct {
		name                  string
		restore               string
		rollingBack, recovery bool
		reason, message       string
	}{
		{"fresh job", "", false, false, flinkv1beta1.ReasonDeploying, "cluster deployed"},
		{"job restores", "file:/sp/1", false, false, flinkv1beta1.ReasonDeploying, "cluster deployed, job restores from file:/sp/1"},
		{"rollback", "file:/sp/1", true, false, flinkv1beta1.ReasonRollingBack, "last stable spec redeployed, job restores from file:/sp/1"},
		{"recovery wins", "file:/sp/1", true, true, flinkv1beta1.ReasonDeploying, "JobManager Deployment was missing: redeployed"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := NewWithT(t)
			reason, message := Deployed(tc.restore, tc.rollingBack, tc.recovery)
			g.Expect(reason).To(Equal(tc.reason))
			g.Expect(message).To(Equal(tc.message))
		})
	}
}

func TestWithTaskManagers(t *testing.T) {
	g := NewWithT(t)
	since := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	g.Expect(Observation{}.WithTaskManagers(nil).TaskManagerFailure).To(BeEmpty())
	observed := Observation{}.WithTaskManagers(&metav1.Condition{Status: metav1.ConditionFalse, Message: "TaskManager pod x: ErrImagePull",
		LastTransitionTime: metav1.NewTime(since)})
	g.Expect(observed.TaskManagerFailure).To(Equal("TaskManager pod x: ErrImagePull"))
	g.Expect(observed.TaskManagerFailingSince).To(Equal(since))
	g.Expect(Observation{}.WithTaskManagers(&metav1.Condition{Status: metav1.ConditionTrue, Message: "fine"}).TaskManagerFailure).To(BeEmpty())

	deployment := &flinkv1beta1.FlinkDeployment{}
	g.Expect(TaskManagerFailure(deployment)).To(BeEmpty())
	conditions.MarkFalse(deployment, flinkv1beta1.ConditionTaskManagers, flinkv1beta1.ReasonTaskManagerFailed, "TaskManager pod x: ErrImagePull")
	g.Expect(TaskManagerFailure(deployment)).To(Equal("TaskManager pod x: ErrImagePull"))
}
