package e2e

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	. "github.com/onsi/gomega"
	"sigs.k8s.io/cli-utils/pkg/kstatus/status"
	"sigs.k8s.io/controller-runtime/pkg/client"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
	"github.com/teal-flink/teal/internal/flink"
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

func getBlueGreen(g Gomega, bg *flinkv1beta1.FlinkBlueGreenDeployment) *flinkv1beta1.FlinkBlueGreenDeployment {
	current := &flinkv1beta1.FlinkBlueGreenDeployment{}
	g.Expect(env.Client.Get(context.Background(), client.ObjectKeyFromObject(bg), current)).To(Succeed())
	return current
}

func updateBlueGreen(g Gomega, bg *flinkv1beta1.FlinkBlueGreenDeployment, change func(*flinkv1beta1.FlinkBlueGreenDeployment)) {
	g.Eventually(func() error {
		current := getBlueGreen(g, bg)
		change(current)
		return env.Client.Update(context.Background(), current)
	}, timeout, interval).Should(Succeed())
}

// eventuallyBlueGreen waits until the latest generation reached a terminal outcome with the given kstatus.
func eventuallyBlueGreen(g Gomega, bg *flinkv1beta1.FlinkBlueGreenDeployment, want status.Status) *flinkv1beta1.FlinkBlueGreenDeployment {
	var current *flinkv1beta1.FlinkBlueGreenDeployment
	g.Eventually(func(g Gomega) {
		current = getBlueGreen(g, bg)
		g.Expect(current.Status.ObservedGeneration).To(Equal(current.Generation))
		g.Expect(kstatus(g, current)).To(Equal(want), "status: %+v", current.Status)
	}, timeout, interval).Should(Succeed())
	return current
}

// writeReport keeps a scenario's figures next to the logs, for docs/performance.md.
func writeReport(t *testing.T, name, report string) {
	path := filepath.Join(filepath.Dir(outputDir), "bluegreen-"+name+".txt")
	if err := os.WriteFile(path, []byte(report+"\n"), 0o644); err != nil {
		t.Logf("writing %s: %v", path, err)
	}
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
