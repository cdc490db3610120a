package flinkdeployment_test

import (
	"context"
	"testing"

	"github.com/fluxcd/pkg/runtime/conditions"
	. "github.com/onsi/gomega"
	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	eventsv1 "k8s.io/api/events/v1"
	"sigs.k8s.io/cli-utils/pkg/kstatus/status"
	"sigs.k8s.io/controller-runtime/pkg/client"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
)

// With the validating webhook disabled (or bypassed), the controller re-runs the admission rules, reports an
// invalid spec and keeps the cluster on its last valid spec.
func TestInvalidSpecStallsAndKeepsTheLastValidSpecRunning(t *testing.T) {
	g := NewWithT(t)
	ctx := context.Background()
	deployment := newDeployment(g, "invalid")
	disableValidatingWebhooks(t, g)
	jobID := deployment.Status.JobStatus.JobID
	lastValid := deployment.Status.ReconciliationStatus.LastReconciledSpec

	update(g, deployment, func(d *flinkv1beta1.FlinkDeployment) {
		d.Spec.Image = "flink:1.20.1"
		d.Spec.Job.Parallelism = -3 // rejected: parallelism must be positive
	})
	g.Eventually(func(g Gomega) {
		current := get(g, deployment)
		g.Expect(current.Status.ObservedGeneration).To(Equal(current.Generation))
		g.Expect(kstatus(g, current)).To(Equal(status.FailedStatus))
		g.Expect(conditions.GetReason(current, flinkv1beta1.ConditionStalled)).To(Equal(flinkv1beta1.ReasonValidationError))
		g.Expect(conditions.GetMessage(current, flinkv1beta1.ConditionStalled)).To(ContainSubstring("spec.job.parallelism"))
	}, timeout, interval).Should(Succeed())

	current := get(g, deployment)
	g.Expect(current.Status.ReconciliationStatus.LastReconciledSpec).To(Equal(lastValid), "nothing of the invalid spec was applied")
	g.Expect(current.Status.JobStatus.JobID).To(Equal(jobID))
	g.Expect(current.Status.JobStatus.State).To(Equal(flinkv1beta1.JobStatusRunning), "the last valid spec keeps running")
	g.Expect(runtime.Starts(deployment.Namespace, deployment.Name)).To(Equal(1))

	g.Eventually(func(g Gomega) {
		events := &eventsv1.EventList{}
		g.Expect(env.Client.List(ctx, events, client.InNamespace(deployment.Namespace))).To(Succeed())
		g.Expect(events.Items).To(ContainElement(SatisfyAll(
			HaveField("Reason", flinkv1beta1.ReasonValidationError),
			HaveField("Type", "Warning"),
			HaveField("Regarding.Name", deployment.Name),
		)))
	}, timeout, interval).Should(Succeed())

	// The fix is a new commit: it is applied.
	update(g, deployment, func(d *flinkv1beta1.FlinkDeployment) { d.Spec.Job.Parallelism = 2 })
	fixed := eventuallyReady(g, deployment)
	g.Expect(fixed.Spec.Image).To(Equal("flink:1.20.1"))
	g.Expect(runtime.Starts(deployment.Namespace, deployment.Name)).To(Equal(2))
}

// disableValidatingWebhooks removes the validating webhook configuration for the rest of the test, as an
// administrator disabling it would, and restores it afterwards.
func disableValidatingWebhooks(t *testing.T, g *WithT) {
	ctx := context.Background()
	configurations := &admissionregistrationv1.ValidatingWebhookConfigurationList{}
	g.Expect(env.Client.List(ctx, configurations)).To(Succeed())
	g.Expect(configurations.Items).NotTo(BeEmpty())
	saved := configurations.Items
	for i := range saved {
		g.Expect(env.Client.Delete(ctx, &saved[i])).To(Succeed())
	}
	t.Cleanup(func() {
		for _, configuration := range saved {
			configuration.ResourceVersion, configuration.UID = "", ""
			_ = env.Client.Create(ctx, configuration.DeepCopy())
		}
	})
}
