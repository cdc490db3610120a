package flinkstatesnapshot_test

import (
	"context"
	"testing"

	. "github.com/onsi/gomega"
	"sigs.k8s.io/controller-runtime/pkg/client"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
	"github.com/teal-flink/teal/test/builders"
	"github.com/teal-flink/teal/test/stack"
)

// Defect 6 for snapshots: the reconcile after the one that recorded the savepoint's trigger id reads a cached
// copy without it; the intent write that copy leads to tests the resourceVersion it was read at, so it is
// refused and no second savepoint is started in Flink.
func TestSnapshotReadYourOwnWritesNoSecondSavepoint(t *testing.T) {
	g := NewWithT(t)
	ctx := context.Background()
	lagging := stack.NewLaggingTriggerCache(
		func(s *flinkv1beta1.FlinkStateSnapshot) string { return s.Status.TriggerID },
		func(s *flinkv1beta1.FlinkStateSnapshot) { s.Status.TriggerID, s.Status.TriggerTimestamp = "", "" })
	stack.RunLagging(t, stk, lagging)

	deployment := newCluster(g, "lagging")
	flink := standin(g, deployment)
	before := flink.SavepointTriggers()
	snapshot := builders.NewSavepoint("sp-lagging", deployment.Namespace, deployment.Name)
	lagging.Watch(client.ObjectKeyFromObject(snapshot))
	g.Expect(env.Client.Create(ctx, snapshot)).To(Succeed())
	completed := eventuallyState(g, snapshot, flinkv1beta1.SnapshotStateCompleted)
	g.Expect(lagging.ServedStale()).To(BeNumerically(">=", 1), "the cache lagged behind the recorded trigger id")
	g.Expect(flink.SavepointTriggers()-before).To(BeEquivalentTo(1), "exactly one savepoint was started")
	g.Expect(completed.Status.Path).NotTo(BeEmpty())
}
