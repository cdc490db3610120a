package flinkdeployment_test

import (
	"context"
	"os"
	"sync"
	"testing"

	. "github.com/onsi/gomega"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
	"github.com/teal-flink/teal/test/builders"
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
	// The suite's operator steps aside: one operator at a time, as with leader election.
	NewWithT(t).Expect(stk.Operator.Stop()).To(Succeed())
	defer func() {
		var err error
		stk.Operator, err = startOperator()
		NewWithT(t).Expect(err).NotTo(HaveOccurred())
	}()

	for _, crash := range crashPoints {
		t.Run(crash.name, func(t *testing.T) {
			g := NewWithT(t)
			ctx := context.Background()
			first, err := startOperator()
			g.Expect(err).NotTo(HaveOccurred())
			deployment := newDeployment(g, "crash", builders.WithUpgradeMode(flinkv1beta1.UpgradeModeSavepoint))
			g.Expect(first.Stop()).To(Succeed())

			killed := make(chan struct{})
			var once sync.Once
			dying, err := startOperator(func(ctx context.Context, d *flinkv1beta1.FlinkDeployment, step string) {
				if d.Name == deployment.Name && d.Namespace == deployment.Namespace && crash.at(d, step) {
					once.Do(func() { close(killed) })
					<-ctx.Done() // the process hangs here until it is killed
				}
			})
			g.Expect(err).NotTo(HaveOccurred())
			update(g, deployment, func(d *flinkv1beta1.FlinkDeployment) { d.Spec.Image = "flink:1.20.1" })
			g.Eventually(killed, timeout).Should(BeClosed())
			g.Expect(dying.Stop()).To(Succeed())

			fresh, err := startOperator()
			g.Expect(err).NotTo(HaveOccurred())
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
			_ = testenv.Context
		})
	}
}
