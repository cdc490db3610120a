package flinkdeployment_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/fluxcd/pkg/runtime/conditions"
	. "github.com/onsi/gomega"
	"sigs.k8s.io/cli-utils/pkg/kstatus/status"
	"sigs.k8s.io/controller-runtime/pkg/client"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
	"github.com/teal-flink/teal/internal/snapshots"
	"github.com/teal-flink/teal/test/builders"
	"github.com/teal-flink/teal/test/stack"
)

// snapshotsOf lists the snapshot resources that reference a deployment.
func snapshotsOf(g Gomega, deployment *flinkv1beta1.FlinkDeployment, trigger flinkv1beta1.SnapshotTriggerType) []flinkv1beta1.FlinkStateSnapshot {
	list := &flinkv1beta1.FlinkStateSnapshotList{}
	g.Expect(env.Client.List(context.Background(), list, client.InNamespace(deployment.Namespace), client.MatchingLabels{
		snapshots.LabelJobReferenceName: deployment.Name, snapshots.LabelSnapshotTriggerType: string(trigger),
	})).To(Succeed())
	return list.Items
}

// expectInProgressUntilDone checks what GitOps tools conclude right after a commit: until the controller has
// reached an outcome for the new generation, kstatus says InProgress.
func expectInProgressUntilDone(g Gomega, deployment *flinkv1beta1.FlinkDeployment) {
	current := get(g, deployment)
	if current.Status.ObservedGeneration < current.Generation {
		g.Expect(kstatus(g, current)).To(Equal(status.InProgressStatus))
	}
}

func TestManualSavepointByNonce(t *testing.T) {
	g := NewWithT(t)
	deployment := newDeployment(g, "manual-sp", builders.WithUpgradeMode(flinkv1beta1.UpgradeModeSavepoint))
	nonce := int64(7)
	update(g, deployment, func(d *flinkv1beta1.FlinkDeployment) { d.Spec.Job.SavepointTriggerNonce = &nonce })
	expectInProgressUntilDone(g, deployment)

	var snapshot flinkv1beta1.FlinkStateSnapshot
	g.Eventually(func(g Gomega) {
		manual := snapshotsOf(g, deployment, flinkv1beta1.SnapshotTriggerManual)
		g.Expect(manual).To(HaveLen(1), "one savepoint per nonce")
		snapshot = manual[0]
		g.Expect(snapshot.Status.State).To(Equal(flinkv1beta1.SnapshotStateCompleted))
		g.Expect(kstatus(g, &snapshot)).To(Equal(status.CurrentStatus))
	}, timeout, interval).Should(Succeed())
	g.Expect(snapshot.Name).To(HavePrefix("manual-sp-savepoint-manual-"))
	g.Expect(snapshot.Labels).To(HaveKeyWithValue(snapshots.LabelSnapshotType, "SAVEPOINT"))
	g.Expect(snapshot.Labels).To(HaveKeyWithValue(snapshots.LabelSnapshotState, "COMPLETED"))
	g.Expect(snapshot.Labels).To(HaveKeyWithValue(snapshots.LabelJobReferenceKind, "FlinkDeployment"))
	g.Expect(localPath(snapshot.Status.Path)).To(BeADirectory(), "the savepoint exists")
	current := eventuallyReady(g, deployment)
	g.Expect(current.Status.ReconciliationStatus.LastReconciledSpec).To(ContainSubstring(`"savepointTriggerNonce":7`))
	g.Expect(runtime.Starts(current.Namespace, current.Name)).To(Equal(1), "a manual savepoint does not restart the job")

	// An upgrade savepoint is recorded as a snapshot resource as well.
	update(g, deployment, func(d *flinkv1beta1.FlinkDeployment) { d.Spec.Image = "flink:1.20.1" })
	upgraded := eventuallyReady(g, deployment)
	upgrades := snapshotsOf(g, deployment, flinkv1beta1.SnapshotTriggerUpgrade)
	g.Expect(upgrades).To(HaveLen(1))
	g.Eventually(func(g Gomega) {
		recorded := &flinkv1beta1.FlinkStateSnapshot{}
		g.Expect(env.Client.Get(context.Background(), client.ObjectKeyFromObject(&upgrades[0]), recorded)).To(Succeed())
		g.Expect(recorded.Status.State).To(Equal(flinkv1beta1.SnapshotStateCompleted))
		g.Expect(recorded.Status.Path).To(Equal(upgraded.Status.JobStatus.UpgradeSavepointPath))
	}, timeout, interval).Should(Succeed())
	g.Expect(snapshotsOf(g, deployment, flinkv1beta1.SnapshotTriggerManual)).To(HaveLen(1), "the nonce is not acted on twice")
}

func TestPeriodicSavepointsAndHistoryCleanup(t *testing.T) {
	g := NewWithT(t)
	ctx := context.Background()
	deployment := newDeployment(g, "periodic", builders.WithConfig(
		"kubernetes.operator.periodic.savepoint.interval", "200 ms",
		"kubernetes.operator.savepoint.history.max.count", "2",
		"kubernetes.operator.savepoint.dispose-on-delete", "true"))

	// Every snapshot ever seen, by name, with its path once completed.
	seen := map[string]string{}
	var first string
	g.Eventually(func(g Gomega) {
		for _, snapshot := range snapshotsOf(g, deployment, flinkv1beta1.SnapshotTriggerPeriodic) {
			if snapshot.Status.Path == "" {
				continue
			}
			// The first completed one seen: under load an earlier one may come and go between two polls.
			if first == "" {
				first = snapshot.Name
			}
			seen[snapshot.Name] = snapshot.Status.Path
		}
		g.Expect(len(seen)).To(BeNumerically(">=", 4))
		g.Expect(seen).To(HaveKey(first))
	}, timeout, interval).Should(Succeed())

	// Periodic savepoints stop; the history settles at max.count, the older ones deleted and disposed.
	update(g, deployment, func(d *flinkv1beta1.FlinkDeployment) {
		builders.WithConfig("kubernetes.operator.periodic.savepoint.interval", "0")(d)
	})
	eventuallyReady(g, deployment)
	var kept []flinkv1beta1.FlinkStateSnapshot
	g.Eventually(func(g Gomega) {
		kept = snapshotsOf(g, deployment, flinkv1beta1.SnapshotTriggerPeriodic)
		g.Expect(kept).To(HaveLen(2), describeSnapshots(kept))
		for _, snapshot := range kept {
			g.Expect(snapshot.Status.State).To(Equal(flinkv1beta1.SnapshotStateCompleted), describeSnapshots(kept))
			g.Expect(snapshot.DeletionTimestamp).To(BeNil(), describeSnapshots(kept))
		}
	}, timeout, interval).Should(Succeed())
	g.Expect(seen).To(HaveKey(first))
	g.Expect(localPath(seen[first])).NotTo(BeADirectory(), "the oldest savepoint was disposed")
	for _, snapshot := range kept {
		g.Expect(localPath(snapshot.Status.Path)).To(BeADirectory())
		g.Expect(snapshot.Name).NotTo(Equal(first))
	}
	g.Expect(env.Client.Get(ctx, client.ObjectKeyFromObject(deployment), &flinkv1beta1.FlinkDeployment{})).To(Succeed())
}

func TestManualSavepointWithoutSnapshotResources(t *testing.T) {
	g := NewWithT(t)
	deployment := newDeployment(g, "legacy", builders.WithConfig("kubernetes.operator.snapshot.resource.enabled", "false"))
	nonce := int64(1)
	update(g, deployment, func(d *flinkv1beta1.FlinkDeployment) { d.Spec.Job.SavepointTriggerNonce = &nonce })
	g.Eventually(func(g Gomega) {
		current := get(g, deployment)
		stack.ExpectLegacyManualSavepoint(g, current.Status.JobStatus, nonce)
		g.Expect(kstatus(g, current)).To(Equal(status.CurrentStatus))
		g.Expect(conditions.IsTrue(current, flinkv1beta1.ConditionReady)).To(BeTrue())
	}, timeout, interval).Should(Succeed())
	g.Expect(snapshotsOf(g, deployment, flinkv1beta1.SnapshotTriggerManual)).To(BeEmpty())
	g.Expect(strings.Count(get(g, deployment).Status.ReconciliationStatus.LastReconciledSpec, `"savepointTriggerNonce":1`)).To(Equal(1))
}

// describeSnapshots summarises snapshots for a failure message.
func describeSnapshots(snapshots []flinkv1beta1.FlinkStateSnapshot) string {
	var lines []string
	for _, snapshot := range snapshots {
		lines = append(lines, fmt.Sprintf("%s state=%s deleting=%t path=%q failures=%d error=%q annotations=%v",
			snapshot.Name, snapshot.Status.State, !snapshot.DeletionTimestamp.IsZero(), snapshot.Status.Path,
			snapshot.Status.Failures, snapshot.Status.Error, snapshot.Annotations))
	}
	return strings.Join(lines, "\n")
}
