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
