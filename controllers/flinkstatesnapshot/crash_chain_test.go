package flinkstatesnapshot_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	. "github.com/onsi/gomega"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
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

	completed := eventuallyState(g, snapshot, flinkv1beta1.SnapshotStateCompleted)
	directory := localPath(stk.StateConfig(deployment.Namespace)[1])
	savepoints, err := os.ReadDir(directory)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(savepoints).To(HaveLen(1), "exactly one savepoint was taken")
	g.Expect(localPath(completed.Status.Path)).To(Equal(filepath.Join(directory, savepoints[0].Name())))
	server := standin(g, deployment)
	g.Expect(server.JobIDs()).To(Equal(jobs), "the same job, never restarted")
	state, _ := server.JobState(jobs[0])
	g.Expect(state).To(Equal(string(flinkv1beta1.JobStatusRunning)))
}
