package gitops

import (
	"context"
	"testing"

	. "github.com/onsi/gomega"
	"sigs.k8s.io/cli-utils/pkg/kstatus/status"
	"sigs.k8s.io/controller-runtime/pkg/client"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
	"github.com/teal-flink/teal/internal/gitops"
	"github.com/teal-flink/teal/test/builders"
)

// unreconciled creates a FlinkDeployment with an invalid spec: the stack's operator only ever writes its
// ValidationError verdict, so the writes a test makes itself are told apart by their messages.
func unreconciled(g Gomega, namespace, name string) *flinkv1beta1.FlinkDeployment {
	deployment := builders.NewFlinkDeployment(name, builders.InNamespace(namespace), builders.WithImage("flink:1.20"))
	deployment.Spec.Job.Parallelism = -1
	g.Expect(env.Client.Create(context.Background(), deployment)).To(Succeed())
	return deployment
}

// TestStatusWriteBoundToUID is defect 1 at the write itself: a status computed for a deleted object is refused
// when an object of the same name exists again, instead of landing on it.
func TestStatusWriteBoundToUID(t *testing.T) {
	g := NewWithT(t)
	ctx := context.Background()
	namespace := stk.NewNamespace(g, "patcher-uid")
	old := builders.NewFlinkDeployment("same-name", builders.InNamespace(namespace), builders.WithImage("flink:1.20"))
	old.Spec.Job.Parallelism = -1
	g.Expect(env.Client.Create(ctx, old)).To(Succeed())
	patcher := gitops.NewPatcher(old, env.Client, "teal-test")

	g.Eventually(func(g Gomega) {
		current := &flinkv1beta1.FlinkDeployment{}
		g.Expect(env.Client.Get(ctx, client.ObjectKeyFromObject(old), current)).To(Succeed())
		current.Finalizers = nil
		g.Expect(env.Client.Update(ctx, current)).To(Succeed())
		g.Expect(env.Client.Delete(ctx, current)).To(Succeed())
	}, timeout, interval).Should(Succeed())
	recreated := builders.NewFlinkDeployment("same-name", builders.InNamespace(namespace), builders.WithImage("flink:1.20"))
	recreated.Spec.Job.Parallelism = -1
	g.Eventually(func() error { return env.Client.Create(ctx, recreated.DeepCopy()) }, timeout, interval).Should(Succeed())

	old.Status.LifecycleState = flinkv1beta1.LifecycleStateDeleting
	old.Status.ObservedGeneration = 7
	gitops.MarkReady(old, flinkv1beta1.ReasonSucceeded, "written for the deleted object")
	err := patcher.Patch(ctx, old)
	g.Expect(err).To(MatchError(gitops.ErrChanged))

	current := &flinkv1beta1.FlinkDeployment{}
	g.Expect(env.Client.Get(ctx, client.ObjectKeyFromObject(old), current)).To(Succeed())
	g.Expect(current.UID).NotTo(Equal(old.UID))
	g.Expect(current.Status.LifecycleState).NotTo(Equal(flinkv1beta1.LifecycleStateDeleting))
	g.Expect(current.Status.ObservedGeneration).NotTo(BeEquivalentTo(7))
}

// TestStatusIsOneWrite is defect 3 at the write itself: the final write of a reconcile stores conditions and
// observedGeneration in one version; no stored version has Ready=True without the generation it speaks for.
func TestStatusIsOneWrite(t *testing.T) {
	g := NewWithT(t)
	ctx := context.Background()
	namespace := stk.NewNamespace(g, "patcher-once")
	recorder := record(t, g, namespace)
	deployment := unreconciled(g, namespace, "once")
	// Wait for the operator's verdict on the invalid spec, so that it has nothing left to write.
	eventuallyObserved(g, deployment, status.FailedStatus)

	patcher := gitops.NewPatcher(deployment, env.Client, "teal-test")
	gitops.MarkReady(deployment, flinkv1beta1.ReasonSucceeded, "one write")
	deployment.Status.LifecycleState = flinkv1beta1.LifecycleStateStable
	err := patcher.Patch(ctx, deployment)
	g.Expect(err).NotTo(HaveOccurred())

	caughtUp(g, recorder)
	recorder.Stop()
	versions, errs := recorder.Versions()
	g.Expect(errs).To(BeEmpty())
	written := 0
	for _, v := range versions {
		if c := conditionOf(v.Object, flinkv1beta1.ConditionReady); c != nil && c["message"] == "one write" {
			written++
			lifecycle := describeVersion(v.Object)
			g.Expect(lifecycle).To(ContainSubstring("STABLE"), "conditions stored without the state fields")
		}
	}
	g.Expect(written).To(Equal(1), "the status was stored in %d versions", written)
}

// TestStatusWriteFromStaleReadRefused: a status computed from a version that is no longer the stored one (a
// read from a lagging cache) is refused instead of overwriting the newer status, so observedGeneration never
// moves backward.
func TestStatusWriteFromStaleReadRefused(t *testing.T) {
	g := NewWithT(t)
	ctx := context.Background()
	namespace := stk.NewNamespace(g, "patcher-stale")
	deployment := unreconciled(g, namespace, "stale")
	eventuallyObserved(g, deployment, status.FailedStatus)
	stale := deployment.DeepCopy()
	stalePatcher := gitops.NewPatcher(stale, env.Client, "teal-test")

	newer := deployment.DeepCopy()
	newerPatcher := gitops.NewPatcher(newer, env.Client, "teal-test")
	gitops.MarkStalled(newer, flinkv1beta1.ReasonValidationError, "the newer verdict")
	g.Expect(newerPatcher.Patch(ctx, newer)).To(Succeed())

	stale.Status.ObservedGeneration = 0
	gitops.MarkReconciling(stale, flinkv1beta1.ReasonRetrying, "computed from a stale read")
	g.Expect(stalePatcher.Patch(ctx, stale)).To(MatchError(gitops.ErrChanged))

	current := &flinkv1beta1.FlinkDeployment{}
	g.Expect(env.Client.Get(ctx, client.ObjectKeyFromObject(deployment), current)).To(Succeed())
	g.Expect(current.Status.ObservedGeneration).To(Equal(deployment.Status.ObservedGeneration))
	g.Expect(current.Status.Conditions).NotTo(ContainElement(HaveField("Message", "computed from a stale read")))
}
