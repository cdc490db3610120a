package flinkdeployment_test

import (
	"os"
	"testing"

	. "github.com/onsi/gomega"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
	"github.com/teal-flink/teal/internal/operatorconfig"
	"github.com/teal-flink/teal/test/builders"
	"github.com/teal-flink/teal/test/sim/localruntime"
)

// TestHealthRestartAfterAnIgnorableChangeTakesNoSavepoint: the health check is switched on by a spec change that
// needs no new cluster (kubernetes.operator.* keys only), then the job restarts too often. The restart must cancel
// the job and restore the checkpoint it recorded, with no savepoint. Before the fix the running JobManager still
// carried the previous spec's hash, so the restart was not recognised as one and was carried out as an upgrade by
// the upgrade mode: a stop-with-savepoint of the unhealthy job (found by the crash chain on real Flink, where the
// health check is switched on this way).
func TestHealthRestartAfterAnIgnorableChangeTakesNoSavepoint(t *testing.T) {
	g := NewWithT(t)
	deployment := newDeployment(g, "health-ignorable", builders.WithUpgradeMode(flinkv1beta1.UpgradeModeSavepoint),
		builders.WithConfig("restart-strategy.fixed-delay.attempts", "100"))
	checkpoint := triggerCheckpoint(g, deployment)

	update(g, deployment, func(d *flinkv1beta1.FlinkDeployment) {
		builders.WithConfig(operatorconfig.KeyHealthCheckEnabled, "true",
			operatorconfig.KeyHealthCheckRestartsThreshold, "2", operatorconfig.KeyHealthCheckRestartsWindow, "1 min",
			operatorconfig.KeyHealthCheckCheckpointProgress, "false")(d)
	})
	recorded := eventuallyReady(g, deployment)
	g.Expect(recorded.Generation).To(BeEquivalentTo(2))
	g.Expect(recorded.Status.JobStatus.JobID).To(Equal(deployment.Status.JobStatus.JobID), "an ignorable change keeps the job")

	server := localruntime.Server(runtime.Cluster(deployment.Namespace, deployment.Name))
	for range 3 {
		g.Expect(server.FailJob(deployment.Status.JobStatus.JobID, "flaky")).To(Succeed())
	}
	var current *flinkv1beta1.FlinkDeployment
	g.Eventually(func(g Gomega) {
		current = eventuallyReady(g, deployment)
		g.Expect(current.Status.ClusterHealth).NotTo(BeNil())
		g.Expect(current.Status.ClusterHealth.Restarts).To(BeNumerically(">=", 1))
		g.Expect(current.Status.JobStatus.State).To(Equal(flinkv1beta1.JobStatusRunning))
		g.Expect(current.Status.JobStatus.JobID).NotTo(Equal(deployment.Status.JobStatus.JobID))
	}, timeout, interval).Should(Succeed())
	savepoints, _ := os.ReadDir(localPath(stateConfig(deployment.Namespace)[1]))
	g.Expect(savepoints).To(BeEmpty(), "a restart takes no savepoint")
	_, restoredID, _ := restoredFrom(g, current)
	g.Expect(restoredID).To(Equal(checkpoint), "restored from the checkpoint the restart recorded")
}
