package flinkdeployment_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/fluxcd/pkg/runtime/conditions"
	. "github.com/onsi/gomega"
	"sigs.k8s.io/cli-utils/pkg/kstatus/status"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
	"github.com/teal-flink/teal/test/builders"
	"github.com/teal-flink/teal/test/sim/localruntime"
)

// Defect 1: a last-state upgrade without HA records the old job's latest checkpoint, then cancels the job.
// Under Flink's default retention the cancel deletes that checkpoint (the strict stand-in does, as Flink); the
// operator's default RETAIN_ON_CANCELLATION keeps it, so the new job restores from exactly that checkpoint.
func TestCheckpointRetentionKeepsTheLastStateRestorePoint(t *testing.T) {
	g := NewWithT(t)
	deployment := newDeployment(g, "retention", builders.WithUpgradeMode(flinkv1beta1.UpgradeModeLastState))
	checkpoint := triggerCheckpoint(g, deployment)

	update(g, deployment, func(d *flinkv1beta1.FlinkDeployment) { d.Spec.Image = "flink:1.20.1" })
	current := eventuallyReady(g, deployment)
	g.Expect(current.Generation).To(BeEquivalentTo(2))
	restored, restoredID, _ := restoredFrom(g, current)
	g.Expect(restoredID).To(Equal(checkpoint), "the new job restored from the old job's checkpoint")
	g.Expect(restored).To(Equal(current.Status.JobStatus.UpgradeSavepointPath))
	g.Expect(filepath.Join(localPath(restored), "_metadata")).To(BeARegularFile())
	g.Expect(current.Status.JobStatus.SavepointInfo).To(Or(BeNil(), HaveField("SavepointHistory", BeEmpty())),
		"no savepoint was needed")
}

// Defect 1: a user who sets Flink's own retention back (checkpoints deleted on cancel) must not get a restore
// from a deleted checkpoint: the last-state upgrade hands the state over through a savepoint instead.
func TestCheckpointRetentionOverriddenHandsStateOverBySavepoint(t *testing.T) {
	g := NewWithT(t)
	deployment := newDeployment(g, "retention-none", builders.WithUpgradeMode(flinkv1beta1.UpgradeModeLastState),
		builders.WithConfig("execution.checkpointing.externalized-checkpoint-retention", "NO_EXTERNALIZED_CHECKPOINTS"))
	checkpoint := triggerCheckpoint(g, deployment)

	update(g, deployment, func(d *flinkv1beta1.FlinkDeployment) { d.Spec.Image = "flink:1.20.1" })
	current := eventuallyReady(g, deployment)
	restored, restoredID, _ := restoredFrom(g, current)
	savepoint := current.Status.JobStatus.SavepointInfo.LastSavepoint
	g.Expect(savepoint).NotTo(BeNil())
	g.Expect(restored).To(Equal(savepoint.Location), "restored from the upgrade savepoint, not the deleted checkpoint")
	g.Expect(restoredID).To(BeNumerically(">", checkpoint))
}

// Defect 2: upgrading a job that is not running (it FAILED after checkpointing) must not rewind it to the
// previous upgrade's savepoint: the new job restores from the failed job's newest retained checkpoint.
func TestUpgradeOfAFailedJobTakesItsNewestState(t *testing.T) {
	g := NewWithT(t)
	deployment := newDeployment(g, "upgrade-failed", builders.WithUpgradeMode(flinkv1beta1.UpgradeModeSavepoint))
	// A first upgrade hands the state over through a savepoint: the path a careless second upgrade rewinds to.
	update(g, deployment, func(d *flinkv1beta1.FlinkDeployment) { d.Spec.Image = "flink:1.20.1" })
	upgraded := eventuallyReady(g, deployment)
	g.Expect(upgraded.Generation).To(BeEquivalentTo(2))
	firstSavepoint := upgraded.Status.JobStatus.UpgradeSavepointPath
	g.Expect(firstSavepoint).NotTo(BeEmpty())
	checkpoint := triggerCheckpoint(g, upgraded)

	server := localruntime.Server(runtime.Cluster(upgraded.Namespace, upgraded.Name))
	g.Expect(server.FailJob(upgraded.Status.JobStatus.JobID, "fatal")).To(Succeed())
	g.Eventually(func(g Gomega) {
		g.Expect(get(g, deployment).Status.JobStatus.State).To(Equal(flinkv1beta1.JobStatusFailed))
	}, timeout, interval).Should(Succeed())

	update(g, deployment, func(d *flinkv1beta1.FlinkDeployment) { d.Spec.Image = "flink:1.20.2" })
	current := eventuallyReady(g, deployment)
	g.Expect(current.Generation).To(BeEquivalentTo(3))
	restored, restoredID, _ := restoredFrom(g, current)
	g.Expect(restored).NotTo(Equal(firstSavepoint), "the job was rewound to the previous upgrade's savepoint")
	g.Expect(restoredID).To(Equal(checkpoint), "restored from the failed job's newest checkpoint")
}

// Defect 3: a bounded job that runs to its end is a terminal Ready outcome (observedGeneration advances),
// not a deployment polled forever.
func TestBoundedJobFinishedIsReady(t *testing.T) {
	g := NewWithT(t)
	namespace := newNamespace(g)
	deployment := builders.NewFlinkDeployment("bounded", builders.InNamespace(namespace),
		builders.WithConfig(stateConfig(namespace)...),
		func(d *flinkv1beta1.FlinkDeployment) { d.Spec.Job.Args = []string{"--input", "/tmp/cars.txt"} })
	g.Expect(env.Client.Create(context.Background(), deployment)).To(Succeed())
	current := eventuallyReady(g, deployment)
	g.Expect(current.Status.JobStatus.State).To(Equal(flinkv1beta1.JobStatusFinished))
	g.Expect(conditions.GetReason(current, flinkv1beta1.ConditionReady)).To(Equal(flinkv1beta1.ReasonFinished))
	g.Expect(kstatus(g, current)).To(Equal(status.CurrentStatus))
}

// Defect 3: a job cancelled from the Flink UI or CLI is Stalled with a reason a person understands, and a
// Warning event says so.
func TestJobCancelledOutsideTheOperatorIsStalled(t *testing.T) {
	g := NewWithT(t)
	deployment := newDeployment(g, "cancelled", builders.WithUpgradeMode(flinkv1beta1.UpgradeModeSavepoint))
	g.Expect(jobClient(g, deployment).CancelJob(context.Background(), deployment.Status.JobStatus.JobID)).To(Succeed())
	g.Eventually(func(g Gomega) {
		current := get(g, deployment)
		g.Expect(conditions.IsStalled(current)).To(BeTrue())
		g.Expect(conditions.GetReason(current, flinkv1beta1.ConditionStalled)).To(Equal(flinkv1beta1.ReasonJobCancelled))
		g.Expect(kstatus(g, current)).To(Equal(status.FailedStatus))
		g.Expect(warningEvents(g, current, flinkv1beta1.ReasonJobCancelled)).NotTo(BeEmpty())
	}, timeout, interval).Should(Succeed())
}

// Defect 8: a deployment whose job keeps running gets no status write per reconcile. The stand-in's request
// count proves the controller observed the job several times meanwhile.
func TestStatusChurnNoWriteWhenNothingChanged(t *testing.T) {
	g := NewWithT(t)
	deployment := newDeployment(g, "churn")
	server := localruntime.Server(runtime.Cluster(deployment.Namespace, deployment.Name))
	g.Expect(server).NotTo(BeNil())
	// Settle: the first observations after Ready may still record what they found.
	var before *flinkv1beta1.FlinkDeployment
	var requests int64
	g.Eventually(func(g Gomega) {
		first := get(g, deployment)
		seen := server.Requests()
		g.Eventually(server.Requests, timeout, interval).Should(BeNumerically(">=", seen+4))
		second := get(g, deployment)
		g.Expect(second.ResourceVersion).To(Equal(first.ResourceVersion))
		before, requests = second, server.Requests()
	}, timeout, interval).Should(Succeed())

	g.Eventually(server.Requests, timeout, interval).Should(BeNumerically(">=", requests+6),
		"the controller keeps observing the job")
	after := get(g, deployment)
	g.Expect(after.ResourceVersion).To(Equal(before.ResourceVersion), "nothing changed, nothing written: %+v -> %+v",
		before.Status.JobStatus, after.Status.JobStatus)
}

// Defect 9: a savepoint upgrade of a job that is RESTARTING cannot succeed however often it is retried: it is
// reported Stalled (SavepointFailed) with a Warning event, instead of retrying forever as Reconciling.
func TestSavepointUpgradeOfARestartingJobStalls(t *testing.T) {
	g := NewWithT(t)
	deployment := newDeployment(g, "restarting", builders.WithImage(restartingImage),
		builders.WithUpgradeMode(flinkv1beta1.UpgradeModeSavepoint))
	server := localruntime.Server(runtime.Cluster(deployment.Namespace, deployment.Name))
	g.Expect(server.FailJob(deployment.Status.JobStatus.JobID, "flaky")).To(Succeed())
	g.Eventually(func(g Gomega) {
		g.Expect(get(g, deployment).Status.JobStatus.State).To(Equal(flinkv1beta1.JobStatusRestarting))
	}, timeout, interval).Should(Succeed())

	update(g, deployment, func(d *flinkv1beta1.FlinkDeployment) { d.Spec.Job.Args = []string{"--version", "2"} })
	g.Eventually(func(g Gomega) {
		current := get(g, deployment)
		g.Expect(current.Status.ObservedGeneration).To(Equal(current.Generation))
		g.Expect(conditions.GetReason(current, flinkv1beta1.ConditionStalled)).To(Equal(flinkv1beta1.ReasonSavepointFailed))
		g.Expect(kstatus(g, current)).To(Equal(status.FailedStatus))
		g.Expect(warningEvents(g, current, flinkv1beta1.ReasonSavepointFailed)).NotTo(BeEmpty())
	}, timeout, interval).Should(Succeed())
}
