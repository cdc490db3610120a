package flinkstatesnapshot_test

import (
	"context"
	"testing"

	. "github.com/onsi/gomega"

	"github.com/teal-flink/teal/internal/failpoint"
	"github.com/teal-flink/teal/test/builders"
	"github.com/teal-flink/teal/test/crash"
)

// TestOperatorKilledAlongSnapshotCrashChain kills the operator at both points of the snapshot trigger chain
// (test/crash), one after the other within one snapshot — the chain test/e2e runs with the operator binary on
// real Flink: trigger id recorded, Flink not asked; then Flink asked (again, under the same id), its answer not
// recorded. The snapshot must end COMPLETED at the one savepoint Flink took, the job never restarted.
func TestOperatorKilledAlongSnapshotCrashChain(t *testing.T) {
	g := NewWithT(t)
	defer stk.StepAside(t)()
	first, err := stk.StartOperator()
	g.Expect(err).NotTo(HaveOccurred())
	deployment := newCluster(g, "chain")
	g.Expect(first.Stop()).To(Succeed())
	jobs := standin(g, deployment).JobIDs()
	g.Expect(jobs).To(HaveLen(1))

	snapshot := builders.NewSavepoint("sp", deployment.Namespace, deployment.Name)
	points := crash.Points(failpoint.KindFlinkStateSnapshot, snapshot.Namespace, snapshot.Name, crash.SnapshotTriggerChain)
	fresh := stk.KillChain(g, points, func() { g.Expect(env.Client.Create(context.Background(), snapshot)).To(Succeed()) })
	defer func() { g.Expect(fresh.Stop()).To(Succeed()) }()

	expectOneSavepointOfTheSameJob(g, snapshot, deployment, jobs)
}
