package e2e

import (
	"context"
	"testing"
	"time"

	. "github.com/onsi/gomega"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
	"github.com/teal-flink/teal/internal/flink"
	"github.com/teal-flink/teal/internal/operatorconfig"
	"github.com/teal-flink/teal/test/builders"
	"github.com/teal-flink/teal/test/sim/flinkdist"
)

// jobClient reaches a deployment's running JobManager and returns its one job's id.
func jobClient(g Gomega, deployment *flinkv1beta1.FlinkDeployment) (*flink.Client, string) {
	cluster := runtime.Cluster(deployment.Namespace, deployment.Name)
	g.Expect(cluster).NotTo(BeNil())
	c, err := flink.New(cluster.URL(), flink.Options{})
	g.Expect(err).NotTo(HaveOccurred())
	jobs, err := c.ListJobs(context.Background())
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(jobs).To(HaveLen(1))
	return c, jobs[0].ID
}

// checkpointNow takes a checkpoint of the deployment's running job (retrying while its tasks start) and returns
// its id.
func checkpointNow(g Gomega, deployment *flinkv1beta1.FlinkDeployment) int64 {
	return takeCheckpoint(g, deployment, timeout, func(g Gomega) (*flink.Client, string) { return jobClient(g, deployment) })
}

// takeCheckpoint takes a full checkpoint of the job locate finds (its JobManager's client and the job id) through
// Flink's REST API, retrying within the given time (while its tasks start), and returns the checkpoint's id.
func takeCheckpoint(g Gomega, deployment *flinkv1beta1.FlinkDeployment, within time.Duration, locate func(g Gomega) (*flink.Client, string)) int64 {
	ctx := context.Background()
	var id int64
	g.Eventually(func(g Gomega) {
		c, jobID := locate(g)
		trigger, err := c.TriggerCheckpoint(ctx, jobID, flink.CheckpointRequest{Type: flink.CheckpointFull,
			TriggerID: flink.TriggerID(string(deployment.UID), jobID, time.Now().String())})
		g.Expect(err).NotTo(HaveOccurred())
		var result flink.CheckpointResult
		g.Eventually(func(g Gomega) {
			result, err = c.CheckpointStatus(ctx, jobID, trigger)
			g.Expect(err).NotTo(HaveOccurred())
			g.Expect(result.Done()).To(BeTrue())
		}, time.Minute, interval).Should(Succeed())
		g.Expect(result.Err()).NotTo(HaveOccurred())
		id = result.CheckpointID
	}, within, interval).Should(Succeed())
	return id
}

// restoredCheckpoint is the id of the checkpoint the running job restored from, 0 when none.
func restoredCheckpoint(g Gomega, deployment *flinkv1beta1.FlinkDeployment) int64 {
	c, jobID := jobClient(g, deployment)
	statistics, err := c.CheckpointStatistics(context.Background(), jobID)
	g.Expect(err).NotTo(HaveOccurred())
	if statistics.Latest.Restored == nil {
		return 0
	}
	return statistics.Latest.Restored.ID
}

// TestLastStateOnRealFlink: a last-state upgrade without HA and a health-check restart on real Flink. Each time
// the old job is cancelled, and its checkpoint must survive the cancel (Teal's default
// RETAIN_ON_CANCELLATION): the new job restores exactly the checkpoint taken before, by id.
func TestLastStateOnRealFlink(t *testing.T) {
	for _, flinkVersion := range flinkVersions {
		t.Run(flinkVersion.name, func(t *testing.T) {
			t.Parallel()
			g := NewWithT(t)
			ctx := context.Background()
			namespace := newNamespace(g)
			// Only the checkpoints the test takes exist: Flink fires the first periodic checkpoint after a random
			// delay between min-pause and the interval, so both are an hour (an interval alone could checkpoint
			// between checkpointNow and the upgrade, and the new job would restore that one).
			config := append(stateDirs(namespace, flinkVersion.version), "execution.checkpointing.interval", "1 h",
				"execution.checkpointing.min-pause", "1 h")
			deployment := builders.NewFlinkDeployment("laststate", builders.InNamespace(namespace),
				builders.WithImage(flinkVersion.image), builders.WithFlinkVersion(flinkVersion.version),
				builders.WithUpgradeMode(flinkv1beta1.UpgradeModeLastState), builders.WithParallelism(1),
				builders.WithEntryClass(flinkdist.TopSpeedWindowingClass), builders.WithConfig(config...))
			g.Expect(env.Client.Create(ctx, deployment)).To(Succeed())
			running := eventuallyReady(g, deployment)
			upgradeCheckpoint := checkpointNow(g, running)

			// Last-state upgrade: the new job restores the checkpoint by id.
			update(g, deployment, func(d *flinkv1beta1.FlinkDeployment) {
				builders.WithConfig("pipeline.name", "topspeed-v2")(d)
			})
			var upgraded *flinkv1beta1.FlinkDeployment
			g.Eventually(func(g Gomega) {
				upgraded = eventuallyReady(g, deployment)
				g.Expect(upgraded.Generation).To(BeEquivalentTo(2))
				g.Expect(restoredCheckpoint(g, upgraded)).To(Equal(upgradeCheckpoint))
			}, timeout, interval).Should(Succeed())
			g.Expect(samePath(restoredFrom(g, upgraded), upgraded.Status.JobStatus.UpgradeSavepointPath)).To(BeTrue())

			// Health-check restart: with no checkpoint progress within the window the job is unhealthy and is
			// restarted from its latest checkpoint, the one taken now.
			restartCheckpoint := checkpointNow(g, upgraded)
			g.Expect(restartCheckpoint).To(BeNumerically(">", upgradeCheckpoint))
			update(g, deployment, func(d *flinkv1beta1.FlinkDeployment) {
				builders.WithConfig(operatorconfig.KeyHealthCheckEnabled, "true",
					operatorconfig.KeyHealthCheckCheckpointProgress, "true",
					operatorconfig.KeyHealthCheckCheckpointWindow, "30 s")(d)
			})
			g.Eventually(func(g Gomega) {
				current := get(g, deployment)
				g.Expect(current.Status.ClusterHealth).NotTo(BeNil())
				g.Expect(current.Status.ClusterHealth.Restarts).To(BeNumerically(">=", 1))
				restarted := eventuallyReady(g, deployment)
				g.Expect(restarted.Status.JobStatus.State).To(Equal(flinkv1beta1.JobStatusRunning))
				g.Expect(restoredCheckpoint(g, restarted)).To(Equal(restartCheckpoint))
			}, 2*timeout, interval).Should(Succeed())
		})
	}
}
