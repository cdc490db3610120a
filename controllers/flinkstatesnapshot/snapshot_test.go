package flinkstatesnapshot_test

import (
	"context"
	"testing"

	"github.com/fluxcd/pkg/runtime/conditions"
	. "github.com/onsi/gomega"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"sigs.k8s.io/cli-utils/pkg/kstatus/status"
	"sigs.k8s.io/controller-runtime/pkg/client"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
	"github.com/teal-flink/teal/internal/snapshots"
	"github.com/teal-flink/teal/test/builders"
	"github.com/teal-flink/teal/test/sim/flinkstandin"
)

// eventuallyState waits until the snapshot reaches state and returns it.
func eventuallyState(g Gomega, snapshot *flinkv1beta1.FlinkStateSnapshot, state flinkv1beta1.SnapshotState) *flinkv1beta1.FlinkStateSnapshot {
	var current *flinkv1beta1.FlinkStateSnapshot
	g.Eventually(func(g Gomega) {
		current = fetch(g, snapshot)
		g.Expect(current.Status.State).To(Equal(state), "status: %+v", current.Status)
		g.Expect(current.Status.ObservedGeneration).To(Equal(current.Generation))
	}, timeout, interval).Should(Succeed())
	return current
}

func TestSavepointCompletesAndIsDisposedOnDelete(t *testing.T) {
	g := NewWithT(t)
	ctx := context.Background()
	deployment := newCluster(g, "app")
	snapshot := builders.NewSavepoint("sp", deployment.Namespace, deployment.Name)
	g.Expect(env.Client.Create(ctx, snapshot)).To(Succeed())
	g.Eventually(func(g Gomega) {
		// While it is taken, or once done: never Failed.
		g.Expect(kstatus(g, fetch(g, snapshot))).To(Or(Equal(status.InProgressStatus), Equal(status.CurrentStatus)))
	}, timeout, interval).Should(Succeed())
	completed := eventuallyState(g, snapshot, flinkv1beta1.SnapshotStateCompleted)
	g.Expect(kstatus(g, completed)).To(Equal(status.CurrentStatus))
	g.Expect(localPath(completed.Status.Path)).To(BeADirectory())
	g.Expect(completed.Status.TriggerID).NotTo(BeEmpty())
	g.Expect(completed.Labels).To(HaveKeyWithValue(snapshots.LabelSnapshotState, "COMPLETED"))
	g.Expect(completed.Labels).To(HaveKeyWithValue(snapshots.LabelSnapshotTriggerType, "UNKNOWN"))

	g.Expect(env.Client.Delete(ctx, completed)).To(Succeed())
	g.Eventually(func() bool {
		return apierrors.IsNotFound(env.Client.Get(ctx, client.ObjectKeyFromObject(snapshot), &flinkv1beta1.FlinkStateSnapshot{}))
	}, timeout, interval).Should(BeTrue())
	g.Expect(localPath(completed.Status.Path)).NotTo(BeADirectory(), "disposeOnDelete disposed the savepoint")
}

// A savepoint deleted while it is still being taken is followed to its end, then disposed of.
func TestSavepointDeletedInFlightIsDisposedOnceComplete(t *testing.T) {
	g := NewWithT(t)
	ctx := context.Background()
	deployment := newCluster(g, "inflight")
	server := standin(g, deployment)
	server.SetFaults(flinkstandin.Faults{SavepointNeverCompletes: true})
	snapshot := builders.NewSavepoint("sp", deployment.Namespace, deployment.Name)
	g.Expect(env.Client.Create(ctx, snapshot)).To(Succeed())
	var inFlight *flinkv1beta1.FlinkStateSnapshot
	g.Eventually(func(g Gomega) {
		inFlight = fetch(g, snapshot)
		g.Expect(inFlight.Status.State).To(Equal(flinkv1beta1.SnapshotStateInProgress))
	}, timeout, interval).Should(Succeed())
	g.Expect(kstatus(g, inFlight)).To(Equal(status.InProgressStatus))

	g.Expect(env.Client.Delete(ctx, inFlight)).To(Succeed())
	// Held while taken: checked once the controller has polled the savepoint again after the deletion (the
	// stand-in's request count), so the assertion cannot pass merely because nothing reconciled yet.
	seen := server.Requests()
	g.Eventually(server.Requests, timeout, interval).Should(BeNumerically(">=", seen+2), "the controller keeps polling the savepoint")
	g.Consistently(func(g Gomega) {
		g.Expect(fetch(g, snapshot).Status.State).To(Equal(flinkv1beta1.SnapshotStateInProgress), "held by its finalizer while taken")
	}, "500ms", interval).Should(Succeed())

	server.SetFaults(flinkstandin.Faults{})
	var path string
	g.Eventually(func(g Gomega) {
		current := &flinkv1beta1.FlinkStateSnapshot{}
		err := env.Client.Get(ctx, client.ObjectKeyFromObject(snapshot), current)
		if err == nil {
			path = current.Status.Path
		}
		g.Expect(apierrors.IsNotFound(err)).To(BeTrue(), "the snapshot is released once its savepoint is disposed")
	}, timeout, interval).Should(Succeed())
	g.Expect(path).NotTo(BeEmpty(), "the savepoint completed before it was disposed")
	g.Expect(localPath(path)).NotTo(BeADirectory(), "disposeOnDelete disposed the savepoint")
}

func TestSnapshotFailureRetriesUpToBackoffLimit(t *testing.T) {
	g := NewWithT(t)
	ctx := context.Background()
	deployment := newCluster(g, "failing")
	standin(g, deployment).SetFaults(flinkstandin.Faults{SavepointFailure: "Injected fault: checkpoint coordinator is shut down"})
	snapshot := builders.NewSavepoint("sp", deployment.Namespace, deployment.Name, builders.WithBackoffLimit(2))
	g.Expect(env.Client.Create(ctx, snapshot)).To(Succeed())
	failed := eventuallyState(g, snapshot, flinkv1beta1.SnapshotStateFailed)
	g.Expect(failed.Status.Failures).To(BeEquivalentTo(3), "the first attempt and backoffLimit retries")
	g.Expect(failed.Status.Error).To(ContainSubstring("checkpoint coordinator is shut down"))
	g.Expect(kstatus(g, failed)).To(Equal(status.FailedStatus))
	g.Expect(conditions.GetReason(failed, flinkv1beta1.ConditionStalled)).To(Equal(flinkv1beta1.ReasonSnapshotFailed))
}

func TestCheckpointAlreadyExistsAndAbandoned(t *testing.T) {
	g := NewWithT(t)
	ctx := context.Background()
	deployment := newCluster(g, "app")

	checkpoint := builders.NewSavepoint("cp", deployment.Namespace, deployment.Name, builders.AsCheckpoint())
	g.Expect(env.Client.Create(ctx, checkpoint)).To(Succeed())
	completed := eventuallyState(g, checkpoint, flinkv1beta1.SnapshotStateCompleted)
	g.Expect(completed.Labels).To(HaveKeyWithValue(snapshots.LabelSnapshotType, "CHECKPOINT"))

	existing := builders.NewSavepoint("existing", deployment.Namespace, deployment.Name, builders.AlreadyExistsAt("file:///savepoints/sp-1"))
	g.Expect(env.Client.Create(ctx, existing)).To(Succeed())
	recorded := eventuallyState(g, existing, flinkv1beta1.SnapshotStateCompleted)
	g.Expect(recorded.Status.Path).To(Equal("file:///savepoints/sp-1"))

	suspended := newCluster(g, "suspended", builders.WithUpgradeMode(flinkv1beta1.UpgradeModeStateless), builders.WithJobState(flinkv1beta1.JobStateSuspended))
	abandoned := builders.NewSavepoint("sp", suspended.Namespace, suspended.Name)
	g.Expect(env.Client.Create(ctx, abandoned)).To(Succeed())
	result := eventuallyState(g, abandoned, flinkv1beta1.SnapshotStateAbandoned)
	g.Expect(kstatus(g, result)).To(Equal(status.FailedStatus))
	g.Expect(conditions.GetReason(result, flinkv1beta1.ConditionStalled)).To(Equal(flinkv1beta1.ReasonSnapshotAbandoned))
}

// TestSavepointUsesTheFlink2SavepointDirKey: a cluster whose savepoint directory is set under Flink 1.20/2.x's
// key execution.checkpointing.savepoint-dir (the only one 2.x documents) got a snapshot stuck in TRIGGER_PENDING
// ("either spec.savepoint.path or state.savepoints.dir … has to be set"), seen on real 2.3.0 pods: the snapshot
// controller read only the old key. Flink reads the new key first, and so does Teal.
func TestSavepointUsesTheFlink2SavepointDirKey(t *testing.T) {
	g := NewWithT(t)
	ctx := context.Background()
	deployment := newCluster(g, "app-2x", func(d *flinkv1beta1.FlinkDeployment) {
		flat, _ := d.Spec.FlinkConfiguration.Flatten()
		flat["execution.checkpointing.savepoint-dir"] = flat["state.savepoints.dir"]
		delete(flat, "state.savepoints.dir")
		d.Spec.FlinkConfiguration = flinkv1beta1.NewConfigObject(flat)
	})
	snapshot := builders.NewSavepoint("sp-2x", deployment.Namespace, deployment.Name)
	g.Expect(env.Client.Create(ctx, snapshot)).To(Succeed())
	completed := eventuallyState(g, snapshot, flinkv1beta1.SnapshotStateCompleted)
	g.Expect(localPath(completed.Status.Path)).To(BeADirectory())
}
