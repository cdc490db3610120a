package bluegreen_test

import (
	"testing"

	"github.com/fluxcd/pkg/runtime/conditions"
	. "github.com/onsi/gomega"
	"sigs.k8s.io/cli-utils/pkg/kstatus/status"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
	"github.com/teal-flink/teal/test/builders"
)

// The active job fails, then a commit asks for a transition: there is nothing to hand over, so no green is
// created and the deployment reports the failed job (upstream's "failure before transition").
func TestFailureBeforeTransition(t *testing.T) {
	g := NewWithT(t)
	bg := newBlueGreen(g, "failbefore", []builders.DeploymentOption{builders.WithUpgradeMode(flinkv1beta1.UpgradeModeSavepoint)})
	eventuallyIn(g, bg, flinkv1beta1.BlueGreenActiveBlue, status.CurrentStatus)
	server, jobID := job(g, bg.Namespace, "failbefore-blue")
	g.Expect(server.FailJob(jobID, "injected failure")).To(Succeed())
	g.Eventually(func(g Gomega) {
		g.Expect(kstatus(g, child(g, bg, "blue"))).To(Equal(status.FailedStatus), "blue reports its failed job")
	}, timeout, interval).Should(Succeed())

	update(g, bg, func(b *flinkv1beta1.FlinkBlueGreenDeployment) { b.Spec.Template.Spec.Image = "flink:1.20.1" })
	current := eventuallyIn(g, bg, flinkv1beta1.BlueGreenActiveBlue, status.FailedStatus)
	g.Expect(conditions.GetReason(current, flinkv1beta1.ConditionStalled)).To(Equal(flinkv1beta1.ReasonJobFailed))
	g.Expect(children(g, bg)).To(HaveLen(1), "no green without a savepoint to hand over")
	g.Expect(current.Status.ActiveDeployment).To(Equal("failbefore-blue"))
}

// After blue is deleted, green is all there is: a blip in its job (a restart) is reported as progress, never
// aborted, however long the grace period is exceeded.
func TestGreenNotAbortedWhenItBlipsAfterBlueIsDeleted(t *testing.T) {
	g := NewWithT(t)
	bg := newBlueGreen(g, "blip", []builders.DeploymentOption{builders.WithUpgradeMode(flinkv1beta1.UpgradeModeSavepoint)})
	eventuallyIn(g, bg, flinkv1beta1.BlueGreenActiveBlue, status.CurrentStatus)
	update(g, bg, func(b *flinkv1beta1.FlinkBlueGreenDeployment) { b.Spec.Template.Spec.Image = restartingImage })
	eventuallyIn(g, bg, flinkv1beta1.BlueGreenActiveGreen, status.CurrentStatus)
	g.Eventually(func(g Gomega) { g.Expect(children(g, bg)).To(HaveLen(1)) }, timeout, interval).Should(Succeed())
	// Now a grace period far shorter than the blip: a configuration-only change, applied without a transition.
	update(g, bg, func(b *flinkv1beta1.FlinkBlueGreenDeployment) {
		b.Spec.Configuration["kubernetes.operator.bluegreen.abort.grace-period"] = "1 s"
	})
	eventuallyIn(g, bg, flinkv1beta1.BlueGreenActiveGreen, status.CurrentStatus)

	server, jobID := job(g, bg.Namespace, "blip-green")
	g.Expect(server.FailJob(jobID, "injected blip")).To(Succeed())
	g.Consistently(func(g Gomega) {
		current := get(g, bg)
		g.Expect(current.Status.BlueGreenState).To(Equal(flinkv1beta1.BlueGreenActiveGreen))
		g.Expect(current.Status.ActiveDeployment).To(Equal("blip-green"))
		g.Expect(conditions.GetReason(current, flinkv1beta1.ConditionStalled)).NotTo(Equal(flinkv1beta1.ReasonTransitionAborted))
		green := children(g, bg)["blip-green"]
		g.Expect(green).NotTo(BeNil())
		g.Expect(green.Spec.Job.State).NotTo(Equal(flinkv1beta1.JobStateSuspended))
	}, "3s", interval).Should(Succeed())
	eventuallyIn(g, bg, flinkv1beta1.BlueGreenActiveGreen, status.CurrentStatus)
}

// A commit that lands while green is still starting goes to green: one transition, one savepoint, the latest
// spec running.
func TestSpecChangeDuringTransitionGoesToTheIncomingChild(t *testing.T) {
	g := NewWithT(t)
	bg := newBlueGreen(g, "during", []builders.DeploymentOption{builders.WithUpgradeMode(flinkv1beta1.UpgradeModeSavepoint)})
	eventuallyIn(g, bg, flinkv1beta1.BlueGreenActiveBlue, status.CurrentStatus)
	update(g, bg, func(b *flinkv1beta1.FlinkBlueGreenDeployment) { b.Spec.Template.Spec.Image = slowImage })
	g.Eventually(func(g Gomega) {
		g.Expect(get(g, bg).Status.BlueGreenState).To(Equal(flinkv1beta1.BlueGreenTransitioningToGreen))
		g.Expect(children(g, bg)).To(HaveKey("during-green"))
	}, timeout, interval).Should(Succeed())
	savepoint := get(g, bg).Status.JobStatus.UpgradeSavepointPath
	g.Expect(savepoint).NotTo(BeEmpty())

	update(g, bg, func(b *flinkv1beta1.FlinkBlueGreenDeployment) { b.Spec.Template.Spec.Job.Parallelism = 1 })
	current := eventuallyIn(g, bg, flinkv1beta1.BlueGreenActiveGreen, status.CurrentStatus)
	green := child(g, bg, "green")
	g.Expect(green.Spec.Image).To(Equal(slowImage))
	g.Expect(green.Spec.Job.Parallelism).To(BeEquivalentTo(1), "the later commit reached green")
	g.Expect(green.Spec.Job.InitialSavepointPath).To(Equal(savepoint), "green keeps blue's savepoint")
	g.Expect(current.Status.JobStatus.UpgradeSavepointPath).To(Equal(savepoint), "one savepoint for the whole transition")
}
