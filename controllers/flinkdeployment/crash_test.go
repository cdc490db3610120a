package flinkdeployment_test

import (
	"context"
	"os"
	"testing"

	. "github.com/onsi/gomega"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
	"github.com/teal-flink/teal/test/builders"
	"github.com/teal-flink/teal/test/crash"
	"github.com/teal-flink/teal/test/testenv"
)

// TestOperatorKilledMidUpgrade stops the operator right after each step of a savepoint upgrade, before the
// reconcile's final status patch (the process is gone: its context is cancelled and the patch fails), then starts
// a fresh operator. Every run must converge to one running job restored from exactly one savepoint.
func TestOperatorKilledMidUpgrade(t *testing.T) {
	crashPoints := []struct {
		name string
		// at reports whether the operator dies after this step.
		at func(deployment *flinkv1beta1.FlinkDeployment, step string) bool
	}{
		{"savepoint triggered", func(_ *flinkv1beta1.FlinkDeployment, step string) bool { return step == "StopWithSavepoint" }},
		{"savepoint done", func(d *flinkv1beta1.FlinkDeployment, step string) bool {
			return step == "AwaitSavepoint" && d.Status.JobStatus.UpgradeSavepointPath != "" && d.Status.JobStatus.SavepointInfo.TriggerID == ""
		}},
		{"old cluster deleted", func(_ *flinkv1beta1.FlinkDeployment, step string) bool { return step == "DeleteCluster" }},
		{"new cluster created", func(_ *flinkv1beta1.FlinkDeployment, step string) bool { return step == "Deploy" }},
	}
	defer stepAside(t)()

	for _, crash := range crashPoints {
		t.Run(crash.name, func(t *testing.T) {
			g := NewWithT(t)
			ctx := context.Background()
			deployment := deployAlone(g, "crash", builders.WithUpgradeMode(flinkv1beta1.UpgradeModeSavepoint))

			fresh := killDuring(g, deployment, crash.at, func() {
				update(g, deployment, func(d *flinkv1beta1.FlinkDeployment) { d.Spec.Image = "flink:1.20.1" })
			})
			defer func() { g.Expect(fresh.Stop()).To(Succeed()) }()
			current := eventuallyReady(g, deployment)
			g.Expect(current.Generation).To(BeEquivalentTo(2))
			g.Expect(current.Status.JobStatus.State).To(Equal(flinkv1beta1.JobStatusRunning))

			savepoints, err := os.ReadDir(localPath(stateConfig(deployment.Namespace)[1]))
			g.Expect(err).NotTo(HaveOccurred())
			g.Expect(savepoints).To(HaveLen(1), "exactly one savepoint was taken")
			restored, _, _ := restoredFrom(g, current)
			g.Expect(restored).To(Equal(current.Status.JobStatus.SavepointInfo.LastSavepoint.Location))
			g.Expect(localPath(restored)).To(ContainSubstring(savepoints[0].Name()))
			g.Expect(runtime.Starts(deployment.Namespace, deployment.Name)).To(Equal(2),
				"the old JobManager and one new one: no job started twice")
			jobs, err := jobClient(g, current).ListJobs(ctx)
			g.Expect(err).NotTo(HaveOccurred())
			g.Expect(jobs).To(HaveLen(1))
		})
	}
}

// stepAside stops the suite's operator for a test that runs its own (stack.StepAside).
func stepAside(t *testing.T) func() { return stk.StepAside(t) }

// killDuring starts an operator that dies right after the first step of deployment matching at (it hangs, then
// is stopped before the reconcile's final status patch), runs act to set things going, and returns a fresh
// operator started after the death (test/crash). The caller stops it.
func killDuring(g Gomega, deployment *flinkv1beta1.FlinkDeployment, at func(*flinkv1beta1.FlinkDeployment, string) bool, act func()) *testenv.Manager {
	return crash.During(g, timeout, startWithHook, deployment, at, act)
}

// startWithHook starts an operator whose FlinkDeployment steps run through hook (none when nil).
func startWithHook(hook crash.Hook[*flinkv1beta1.FlinkDeployment]) (*testenv.Manager, error) {
	if hook == nil {
		return startOperator()
	}
	return startOperator(hook)
}

// deployAlone creates a deployment, Ready, with an operator of its own that is stopped afterwards (the test then
// runs the operators it means to kill).
func deployAlone(g Gomega, name string, options ...builders.DeploymentOption) *flinkv1beta1.FlinkDeployment {
	var deployment *flinkv1beta1.FlinkDeployment
	crash.Alone(g, startWithHook, func() { deployment = newDeployment(g, name, options...) })
	return deployment
}
