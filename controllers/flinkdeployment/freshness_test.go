package flinkdeployment_test

import (
	"context"
	"os"
	"testing"

	. "github.com/onsi/gomega"
	"sigs.k8s.io/controller-runtime/pkg/client"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
	"github.com/teal-flink/teal/test/builders"
	"github.com/teal-flink/teal/test/sim/localruntime"
	"github.com/teal-flink/teal/test/stack"
)

// Defect 6: the reconcile after the one that recorded an upgrade savepoint's trigger id reads a cached copy
// without it while the job still runs. Deciding on that copy would stop the job with a second savepoint; the
// controller confirms the recorded status through the API reader first and waits for the cache instead.
func TestReadYourOwnWritesNoSecondSavepoint(t *testing.T) {
	g := NewWithT(t)
	namespace := newNamespace(g)
	deployment := builders.NewFlinkDeployment("lagging", builders.InNamespace(namespace),
		builders.WithConfig(stateConfig(namespace)...), builders.WithImage(slowImage),
		builders.WithUpgradeMode(flinkv1beta1.UpgradeModeSavepoint))
	lagging := stack.NewLaggingCache(func(d *flinkv1beta1.FlinkDeployment) *flinkv1beta1.JobStatus { return &d.Status.JobStatus })
	lagging.Watch(client.ObjectKeyFromObject(deployment))
	stack.RunLagging(t, stk, lagging)
	g.Expect(env.Client.Create(context.Background(), deployment)).To(Succeed())
	eventuallyReady(g, deployment)
	oldCluster := localruntime.Server(runtime.Cluster(namespace, deployment.Name))
	g.Expect(oldCluster).NotTo(BeNil())

	update(g, deployment, func(d *flinkv1beta1.FlinkDeployment) { d.Spec.Job.Args = []string{"--version", "2"} })
	current := eventuallyReady(g, deployment)
	g.Expect(current.Generation).To(BeEquivalentTo(2))
	g.Expect(lagging.ServedStale()).To(BeNumerically(">=", 1), "the cache lagged behind the recorded trigger id")
	g.Expect(oldCluster.SavepointTriggers()).To(BeEquivalentTo(1), "exactly one savepoint was started")
	savepoints, err := os.ReadDir(localPath(stateConfig(namespace)[1]))
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(savepoints).To(HaveLen(1))
	restored, _, _ := restoredFrom(g, current)
	g.Expect(restored).To(Equal(current.Status.JobStatus.SavepointInfo.LastSavepoint.Location))
}
