package flinkdeployment_test

import (
	"strings"
	"testing"

	. "github.com/onsi/gomega"
	"sigs.k8s.io/cli-utils/pkg/kstatus/status"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
	"github.com/teal-flink/teal/internal/operatorconfig"
	"github.com/teal-flink/teal/test/builders"
	"github.com/teal-flink/teal/test/sim/localruntime"
)

// A job restarting more often than the health check's threshold within its window is restarted by the
// operator from its latest checkpoint, on a fresh cluster, without a new generation.
func TestUnhealthyJobIsRestartedFromItsLastState(t *testing.T) {
	g := NewWithT(t)
	deployment := newDeployment(g, "unhealthy", builders.WithUpgradeMode(flinkv1beta1.UpgradeModeLastState),
		builders.WithConfig(operatorconfig.KeyHealthCheckEnabled, "true",
			operatorconfig.KeyHealthCheckRestartsThreshold, "2",
			operatorconfig.KeyHealthCheckRestartsWindow, "1 min",
			operatorconfig.KeyHealthCheckCheckpointProgress, "false",
			"restart-strategy.fixed-delay.attempts", "100"))
	oldJob := deployment.Status.JobStatus.JobID
	checkpoint := triggerCheckpoint(g, deployment)
	server := localruntime.Server(runtime.Cluster(deployment.Namespace, deployment.Name))
	g.Expect(server).NotTo(BeNil())

	// Two restarts are tolerated: nothing happens — once the health check has sampled them (evidence that the
	// controller looked after the failures).
	for range 2 {
		g.Expect(server.FailJob(oldJob, "flaky")).To(Succeed())
	}
	g.Eventually(func(g Gomega) {
		g.Expect(get(g, deployment).Status.ClusterHealth.Samples).To(ContainSubstring(`"restarts":2`))
	}, timeout, interval).Should(Succeed())
	g.Consistently(func(g Gomega) {
		current := get(g, deployment)
		g.Expect(current.Status.ClusterHealth.Restarts).To(BeZero())
		g.Expect(current.Status.ClusterHealth.Samples).To(ContainSubstring(oldJob), "the health check samples the job")
	}, "1s", interval).Should(Succeed())

	// The third within the window breaks the threshold.
	g.Expect(server.FailJob(oldJob, "flaky")).To(Succeed())
	var restarted *flinkv1beta1.FlinkDeployment
	g.Eventually(func(g Gomega) {
		current := get(g, deployment)
		g.Expect(current.Status.ClusterHealth.Restarts).To(BeEquivalentTo(1))
		g.Expect(current.Status.JobStatus.JobID).NotTo(Equal(oldJob))
		restarted = eventuallyReady(g, deployment)
	}, timeout, interval).Should(Succeed())
	g.Expect(restarted.Generation).To(BeEquivalentTo(1), "a restart is not a new commit")
	g.Expect(kstatus(g, restarted)).To(Equal(status.CurrentStatus))
	g.Expect(restarted.Status.ClusterHealth.LastRestartReason).To(ContainSubstring("restarted 3 times"))
	g.Expect(runtime.Starts(deployment.Namespace, deployment.Name)).To(Equal(2))
	restored, restoredID, _ := restoredFrom(g, restarted)
	g.Expect(restoredID).To(Equal(checkpoint), "the job resumed from its latest checkpoint")
	g.Expect(restored).To(Equal(restarted.Status.JobStatus.UpgradeSavepointPath))
	g.Expect(warningEvents(g, restarted, flinkv1beta1.ReasonRestarting)).To(HaveLen(1))
}

// With kubernetes.operator.job.restart.failed a FAILED job is restarted rather than reported stalled.
func TestFailedJobIsRestartedWhenConfigured(t *testing.T) {
	g := NewWithT(t)
	deployment := newDeployment(g, "restart-failed", builders.WithUpgradeMode(flinkv1beta1.UpgradeModeSavepoint),
		builders.WithConfig(operatorconfig.KeyJobRestartFailed, "true"))
	oldJob := deployment.Status.JobStatus.JobID
	server := localruntime.Server(runtime.Cluster(deployment.Namespace, deployment.Name))
	g.Expect(server.FailJob(oldJob, "fatal")).To(Succeed())

	var restarted *flinkv1beta1.FlinkDeployment
	g.Eventually(func(g Gomega) {
		current := get(g, deployment)
		g.Expect(current.Status.ClusterHealth).NotTo(BeNil())
		g.Expect(current.Status.ClusterHealth.Restarts).To(BeEquivalentTo(1))
		restarted = eventuallyReady(g, deployment)
		g.Expect(restarted.Status.JobStatus.JobID).NotTo(Equal(oldJob))
	}, timeout, interval).Should(Succeed())
	g.Expect(strings.Contains(restarted.Status.ClusterHealth.LastRestartReason, "failed")).To(BeTrue())
	g.Expect(runtime.Starts(deployment.Namespace, deployment.Name)).To(Equal(2))
	g.Expect(restarted.Status.LifecycleState).To(Equal(flinkv1beta1.LifecycleStateStable))
}
