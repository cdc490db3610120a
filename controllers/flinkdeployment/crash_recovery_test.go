package flinkdeployment_test

import (
	"testing"

	. "github.com/onsi/gomega"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
	"github.com/teal-flink/teal/internal/operatorconfig"
	"github.com/teal-flink/teal/test/builders"
	"github.com/teal-flink/teal/test/sim/localruntime"
)

// stepIs matches a step of the reconciliation state given ("" for any).
func stepIs(name string, state flinkv1beta1.ReconciliationState) func(*flinkv1beta1.FlinkDeployment, string) bool {
	return func(d *flinkv1beta1.FlinkDeployment, step string) bool {
		return step == name && (state == "" || d.Status.ReconciliationStatus.State == state)
	}
}

// TestOperatorKilledMidRollback kills the operator after each step of a rollback: every run ends ROLLED_BACK with
// the stable spec's job running, restored from the one savepoint the failed upgrade took.
func TestOperatorKilledMidRollback(t *testing.T) {
	crashPoints := []struct {
		name string
		at   func(*flinkv1beta1.FlinkDeployment, string) bool
	}{
		{"rollback recorded", stepIs("BeginRollback", "")},
		{"failed cluster deleted", stepIs("DeleteCluster", flinkv1beta1.ReconciliationStateRollingBack)},
		{"stable cluster created", stepIs("Deploy", "")},
	}
	defer stepAside(t)()
	for _, crash := range crashPoints {
		t.Run(crash.name, func(t *testing.T) {
			g := NewWithT(t)
			deployment := deployAlone(g, "crash-rollback", builders.WithUpgradeMode(flinkv1beta1.UpgradeModeSavepoint),
				builders.WithConfig(operatorconfig.KeyRollbackEnabled, "true", operatorconfig.KeyReadinessTimeout, "2 s",
					"high-availability.type", "kubernetes", "high-availability.storageDir", "file:///tmp/teal-ha"))

			upgraded := false
			fresh := killDuring(g, deployment, func(d *flinkv1beta1.FlinkDeployment, step string) bool {
				// Only the rollback's steps count, not the failed upgrade's own Deploy.
				upgraded = upgraded || step == "BeginRollback"
				return upgraded && crash.at(d, step)
			}, func() {
				update(g, deployment, func(d *flinkv1beta1.FlinkDeployment) { d.Spec.Image = brokenImage })
			})
			defer func() { g.Expect(fresh.Stop()).To(Succeed()) }()

			var current *flinkv1beta1.FlinkDeployment
			g.Eventually(func(g Gomega) {
				current = get(g, deployment)
				g.Expect(current.Status.ReconciliationStatus.State).To(Equal(flinkv1beta1.ReconciliationStateRolledBack))
				g.Expect(current.Status.JobStatus.State).To(Equal(flinkv1beta1.JobStatusRunning))
				g.Expect(current.Status.ObservedGeneration).To(Equal(current.Generation))
			}, timeout, interval).Should(Succeed())
			restored, _, _ := restoredFrom(g, current)
			g.Expect(restored).To(Equal(current.Status.JobStatus.SavepointInfo.LastSavepoint.Location))
			g.Expect(current.Status.JobStatus.SavepointInfo.SavepointHistory).To(HaveLen(1), "one savepoint, the upgrade's")
			g.Expect(runtime.Starts(deployment.Namespace, deployment.Name)).To(Equal(3), "stable, failed upgrade, stable again")
		})
	}
}

// TestOperatorKilledMidRestart kills the operator after each step of a restart of a failed job: every run ends
// with one restart recorded and one new cluster running the job.
func TestOperatorKilledMidRestart(t *testing.T) {
	crashPoints := []struct {
		name string
		at   func(*flinkv1beta1.FlinkDeployment, string) bool
	}{
		{"restart recorded", stepIs("BeginRestart", "")},
		{"failed cluster deleted", stepIs("DeleteCluster", "")},
		{"new cluster created", stepIs("Deploy", "")},
	}
	defer stepAside(t)()
	for _, crash := range crashPoints {
		t.Run(crash.name, func(t *testing.T) {
			g := NewWithT(t)
			deployment := deployAlone(g, "crash-restart", builders.WithUpgradeMode(flinkv1beta1.UpgradeModeSavepoint),
				builders.WithConfig(operatorconfig.KeyJobRestartFailed, "true"))

			fresh := killDuring(g, deployment, crash.at, func() {
				server := localruntime.Server(runtime.Cluster(deployment.Namespace, deployment.Name))
				g.Expect(server.FailJob(deployment.Status.JobStatus.JobID, "fatal")).To(Succeed())
			})
			defer func() { g.Expect(fresh.Stop()).To(Succeed()) }()

			var current *flinkv1beta1.FlinkDeployment
			g.Eventually(func(g Gomega) {
				current = eventuallyReady(g, deployment)
				g.Expect(current.Status.JobStatus.State).To(Equal(flinkv1beta1.JobStatusRunning))
				g.Expect(current.Status.JobStatus.JobID).NotTo(Equal(deployment.Status.JobStatus.JobID))
			}, timeout, interval).Should(Succeed())
			g.Expect(current.Status.ClusterHealth.Restarts).To(BeEquivalentTo(1), "one restart, however often the operator died")
			g.Expect(runtime.Starts(deployment.Namespace, deployment.Name)).To(Equal(2))
		})
	}
}
