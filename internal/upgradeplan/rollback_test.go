package upgradeplan

import (
	"testing"

	. "github.com/onsi/gomega"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
)

func TestRunsAsAsked(t *testing.T) {
	application := spec(flinkv1beta1.UpgradeModeSavepoint, flinkv1beta1.JobStateRunning)
	session := &flinkv1beta1.FlinkDeploymentSpec{}
	ready, deploying := flinkv1beta1.JobManagerDeploymentReady, flinkv1beta1.JobManagerDeploymentDeployedNotReady
	for _, tc := range []struct {
		name       string
		deployed   *flinkv1beta1.FlinkDeploymentSpec
		jobManager flinkv1beta1.JobManagerDeploymentStatus
		job        flinkv1beta1.JobStatusState
		expect     bool
	}{
		{"job running", application, ready, flinkv1beta1.JobStatusRunning, true},
		{"job still starting", application, ready, flinkv1beta1.JobStatusCreated, false},
		{"JobManager not ready", application, deploying, flinkv1beta1.JobStatusRunning, false},
		{"session cluster ready", session, ready, "", true},
		{"session cluster not ready", session, deploying, "", false},
		{"nothing deployed yet", nil, ready, "", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := NewWithT(t)
			g.Expect(RunsAsAsked(tc.deployed, tc.jobManager, tc.job)).To(Equal(tc.expect))
		})
	}
}

func TestStableSpecStates(t *testing.T) {
	g := NewWithT(t)
	for state, expect := range map[flinkv1beta1.ReconciliationState]bool{
		flinkv1beta1.ReconciliationStateRollingBack: true, flinkv1beta1.ReconciliationStateRolledBack: true,
		flinkv1beta1.ReconciliationStateDeployed: false, flinkv1beta1.ReconciliationStateUpgrading: false,
	} {
		g.Expect(RunsStableSpec(state)).To(Equal(expect), string(state))
	}
	g.Expect(DeployedState(true)).To(Equal(flinkv1beta1.ReconciliationStateRolledBack))
	g.Expect(DeployedState(false)).To(Equal(flinkv1beta1.ReconciliationStateDeployed))
}

func TestRecordDeployed(t *testing.T) {
	nonce := int64(3)
	target := spec(flinkv1beta1.UpgradeModeSavepoint, flinkv1beta1.JobStateRunning)
	target.Job.SavepointRedeployNonce = &nonce
	for _, tc := range []struct {
		name        string
		rollingBack bool
		expectState flinkv1beta1.ReconciliationState
		expectNonce *int64
	}{
		{name: "target deployed: its savepoint redeploy is carried out", expectState: flinkv1beta1.ReconciliationStateDeployed, expectNonce: &nonce},
		{name: "stable spec redeployed: target's redeploy is not", rollingBack: true, expectState: flinkv1beta1.ReconciliationStateRolledBack},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := NewWithT(t)
			status := &flinkv1beta1.FlinkDeploymentStatus{ClusterRemovedJobID: "j"}
			status.Error = "old"
			status.JobStatus.JobID, status.JobStatus.State = "j", flinkv1beta1.JobStatusFailed
			RecordDeployed(status, target, tc.rollingBack)
			g.Expect(status.ReconciliationStatus.State).To(Equal(tc.expectState))
			g.Expect(status.LastSavepointRedeployNonce).To(Equal(tc.expectNonce))
			g.Expect(status.JobManagerDeploymentStatus).To(Equal(flinkv1beta1.JobManagerDeploymentDeploying))
			g.Expect(status.JobStatus.State).To(Equal(flinkv1beta1.JobStatusReconciling))
			g.Expect(status.JobStatus.JobID).To(BeEmpty())
			g.Expect(status.ClusterRemovedJobID).To(BeEmpty())
			g.Expect(status.Error).To(BeEmpty())
		})
	}
}
