package flinkstatesnapshot_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	. "github.com/onsi/gomega"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
	"github.com/teal-flink/teal/internal/manager"
	"github.com/teal-flink/teal/test/builders"
	"github.com/teal-flink/teal/test/crash"
	"github.com/teal-flink/teal/test/testenv"
)

// startWithHook starts an operator whose FlinkStateSnapshot steps run through hook (none when nil).
func startWithHook(hook crash.Hook[*flinkv1beta1.FlinkStateSnapshot]) (*testenv.Manager, error) {
	return stk.StartOperator(func(o *manager.Options) {
		if hook != nil {
			o.OnSnapshotStep = hook
		}
	})
}

// TestOperatorKilledMidSnapshotTrigger kills the operator between recording a savepoint's trigger id and asking
// Flink ("Trigger/intent"), and between Flink accepting the trigger and the status that records it ("Trigger").
// Every run must end with the snapshot COMPLETED at the one savepoint Flink took, and the job still running,
// never restarted.
func TestOperatorKilledMidSnapshotTrigger(t *testing.T) {
	NewWithT(t).Expect(stk.Operator.Stop()).To(Succeed())
	defer func() {
		var err error
		stk.Operator, err = startWithHook(nil)
		NewWithT(t).Expect(err).NotTo(HaveOccurred())
	}()
	for _, step := range []string{"Trigger/intent", "Trigger"} {
		t.Run(step, func(t *testing.T) {
			g := NewWithT(t)
			var deployment *flinkv1beta1.FlinkDeployment
			crash.Alone(g, startWithHook, func() { deployment = newCluster(g, "crash") })
			jobs := standin(g, deployment).JobIDs()
			g.Expect(jobs).To(HaveLen(1))

			snapshot := builders.NewSavepoint("sp", deployment.Namespace, deployment.Name)
			fresh := crash.During(g, timeout, startWithHook, snapshot, crash.StepIs[*flinkv1beta1.FlinkStateSnapshot](step), func() {
				g.Expect(env.Client.Create(context.Background(), snapshot)).To(Succeed())
			})
			defer func() { g.Expect(fresh.Stop()).To(Succeed()) }()

			expectOneSavepointOfTheSameJob(g, snapshot, deployment, jobs)
		})
	}
}

// expectOneSavepointOfTheSameJob checks how a snapshot trigger ends, however often the operator died: COMPLETED
// at the one savepoint taken, and the same job still running, never restarted.
func expectOneSavepointOfTheSameJob(g Gomega, snapshot *flinkv1beta1.FlinkStateSnapshot, deployment *flinkv1beta1.FlinkDeployment, jobs []string) {
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
