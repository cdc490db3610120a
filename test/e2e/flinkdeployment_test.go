package e2e

import (
	"context"
	"os"
	"strings"
	"testing"

	. "github.com/onsi/gomega"
	"sigs.k8s.io/cli-utils/pkg/kstatus/status"
	"sigs.k8s.io/controller-runtime/pkg/client"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
	"github.com/teal-flink/teal/internal/flink"
	"github.com/teal-flink/teal/test/builders"
	"github.com/teal-flink/teal/test/sim/flinkdist"
)

func get(g Gomega, deployment *flinkv1beta1.FlinkDeployment) *flinkv1beta1.FlinkDeployment {
	current := &flinkv1beta1.FlinkDeployment{}
	g.Expect(env.Client.Get(context.Background(), client.ObjectKeyFromObject(deployment), current)).To(Succeed())
	return current
}

func eventuallyReady(g Gomega, deployment *flinkv1beta1.FlinkDeployment) *flinkv1beta1.FlinkDeployment {
	var current *flinkv1beta1.FlinkDeployment
	g.Eventually(func(g Gomega) {
		current = get(g, deployment)
		g.Expect(current.Status.ObservedGeneration).To(Equal(current.Generation))
		g.Expect(kstatus(g, current)).To(Equal(status.CurrentStatus), "status: %+v", current.Status)
	}, timeout, interval).Should(Succeed())
	return current
}

func update(g Gomega, deployment *flinkv1beta1.FlinkDeployment, change func(*flinkv1beta1.FlinkDeployment)) {
	g.Eventually(func() error {
		current := get(g, deployment)
		change(current)
		return env.Client.Update(context.Background(), current)
	}, timeout, interval).Should(Succeed())
}

// restoredFrom asks the running JobManager, through Flink's REST API, where its job restored from.
func restoredFrom(g Gomega, deployment *flinkv1beta1.FlinkDeployment) string {
	ctx := context.Background()
	cluster := runtime.Cluster(deployment.Namespace, deployment.Name)
	g.Expect(cluster).NotTo(BeNil())
	c, err := flink.New(cluster.URL(), flink.Options{})
	g.Expect(err).NotTo(HaveOccurred())
	jobs, err := c.ListJobs(ctx)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(jobs).To(HaveLen(1))
	g.Expect(jobs[0].State).To(BeEquivalentTo("RUNNING"))
	statistics, err := c.CheckpointStatistics(ctx, jobs[0].ID)
	g.Expect(err).NotTo(HaveOccurred())
	if statistics.Latest.Restored == nil {
		return ""
	}
	return statistics.Latest.Restored.ExternalPath
}

// samePath compares Flink locations that may differ in the file: prefix form.
func samePath(a, b string) bool {
	trim := func(s string) string { return strings.TrimPrefix(strings.TrimPrefix(s, "file://"), "file:") }
	return trim(a) == trim(b)
}

// TestApplicationLifecycle: deploy TopSpeedWindowing, change a Flink option with upgradeMode savepoint (the new
// job restores the savepoint the operator took), suspend (the processes go, the savepoint is in status) and
// resume from it.
func TestApplicationLifecycle(t *testing.T) {
	for _, flinkVersion := range flinkVersions {
		t.Run(flinkVersion.name, func(t *testing.T) {
			t.Parallel()
			g := NewWithT(t)
			ctx := context.Background()
			namespace := newNamespace(g)
			deployment := builders.NewFlinkDeployment("topspeed", builders.InNamespace(namespace),
				builders.WithImage(flinkVersion.image), builders.WithFlinkVersion(flinkVersion.version),
				builders.WithUpgradeMode(flinkv1beta1.UpgradeModeSavepoint), builders.WithParallelism(1),
				builders.WithEntryClass(flinkdist.TopSpeedWindowingClass),
				builders.WithConfig(append(stateDirs(namespace, flinkVersion.version), "execution.checkpointing.interval", "2 s")...))
			g.Expect(env.Client.Create(ctx, deployment)).To(Succeed())
			running := eventuallyReady(g, deployment)
			g.Expect(running.Status.JobStatus.State).To(Equal(flinkv1beta1.JobStatusRunning))
			g.Expect(restoredFrom(g, running)).To(BeEmpty())

			update(g, deployment, func(d *flinkv1beta1.FlinkDeployment) {
				builders.WithConfig("execution.checkpointing.interval", "3 s")(d)
			})
			upgraded := eventuallyReady(g, deployment)
			savepoint := upgraded.Status.JobStatus.SavepointInfo.LastSavepoint.Location
			g.Expect(samePath(restoredFrom(g, upgraded), savepoint)).To(BeTrue(),
				"the new job restores the savepoint the operator took (%s)", savepoint)

			update(g, deployment, func(d *flinkv1beta1.FlinkDeployment) { d.Spec.Job.State = flinkv1beta1.JobStateSuspended })
			suspended := eventuallyReady(g, deployment)
			g.Expect(suspended.Status.LifecycleState).To(Equal(flinkv1beta1.LifecycleStateSuspended))
			g.Expect(runtime.Cluster(namespace, "topspeed")).To(BeNil(), "the Flink processes are gone")
			suspendSavepoint := suspended.Status.JobStatus.UpgradeSavepointPath
			g.Expect(suspendSavepoint).NotTo(Equal(savepoint))
			_, err := os.Stat(strings.TrimPrefix(strings.TrimPrefix(suspendSavepoint, "file://"), "file:"))
			g.Expect(err).NotTo(HaveOccurred(), "the suspend savepoint exists on disk")

			update(g, deployment, func(d *flinkv1beta1.FlinkDeployment) { d.Spec.Job.State = flinkv1beta1.JobStateRunning })
			resumed := eventuallyReady(g, deployment)
			g.Expect(samePath(restoredFrom(g, resumed), suspendSavepoint)).To(BeTrue())
		})
	}
}
