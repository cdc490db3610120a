package flinksessionjob

import (
	"testing"

	. "github.com/onsi/gomega"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
	"github.com/teal-flink/teal/internal/conditions"
)

// TestSessionJobSaysWhyItsClusterHasNoSlots: a session job waiting for slots (CREATED: not every task runs) on a
// session cluster whose TaskManager pods cannot run said only "waiting for job … (CREATED)". It now names the
// cluster's TaskManager failure, with reason TaskManagerFailed, and says nothing extra when the cluster is fine.
func TestSessionJobSaysWhyItsClusterHasNoSlots(t *testing.T) {
	const failure = "TaskManager pod s-taskmanager-1-1: ImagePullBackOff: Back-off pulling image"
	for _, tc := range []struct {
		name          string
		failing       bool
		expectReason  string
		expectMessage string
	}{
		{name: "cluster's TaskManagers fail", failing: true, expectReason: flinkv1beta1.ReasonTaskManagerFailed,
			expectMessage: "waiting for job j (CREATED): session cluster s cannot run TaskManagers: " + failure},
		{name: "cluster fine, job still starting", expectReason: flinkv1beta1.ReasonDeploying, expectMessage: "waiting for job j (CREATED)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := NewWithT(t)
			session := &flinkv1beta1.FlinkDeployment{}
			session.Name = "s"
			if tc.failing {
				conditions.MarkFalse(session, flinkv1beta1.ConditionTaskManagers, flinkv1beta1.ReasonTaskManagerFailed, "%s", failure)
			}
			job := &flinkv1beta1.FlinkSessionJob{}
			job.Status.JobStatus.JobID, job.Status.JobStatus.State = "j", flinkv1beta1.JobStatusCreated
			s := &scope{job: job, session: session, target: &flinkv1beta1.FlinkSessionJobSpec{DeploymentName: "s",
				Job: &flinkv1beta1.JobSpec{State: flinkv1beta1.JobStateRunning}}}
			(&Reconciler{}).summarize(s, nil)
			g.Expect(conditions.IsTrue(job, flinkv1beta1.ConditionReconciling)).To(BeTrue())
			g.Expect(conditions.GetReason(job, flinkv1beta1.ConditionReady)).To(Equal(tc.expectReason))
			g.Expect(conditions.GetMessage(job, flinkv1beta1.ConditionReady)).To(Equal(tc.expectMessage))
		})
	}
}
