package flinkdeployment_test

import (
	"context"
	"testing"

	"github.com/fluxcd/pkg/runtime/conditions"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/cli-utils/pkg/kstatus/status"
	"sigs.k8s.io/controller-runtime/pkg/client"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
	"github.com/teal-flink/teal/internal/resources"
)

// A JobManager pod that cannot start (the image cannot be pulled, the container crash-loops) needs a person:
// Stalled with the kubelet's reason, kstatus Failed, and the generation observed.
func TestJobManagerPodFailuresStall(t *testing.T) {
	for _, reason := range []string{"ImagePullBackOff", "CrashLoopBackOff"} {
		t.Run(reason, func(t *testing.T) {
			g := NewWithT(t)
			ctx := context.Background()
			deployment := newDeployment(g, "podfail")
			// What a kubelet would report for the JobManager's pod.
			pod := &corev1.Pod{
				ObjectMeta: metav1.ObjectMeta{Namespace: deployment.Namespace, Name: "podfail-jm-0",
					Labels: resources.Selector(deployment.Name, resources.ComponentJobManager, resources.TypeNative)},
				Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: resources.MainContainerName, Image: "flink:1.20"}}},
			}
			g.Expect(env.Client.Create(ctx, pod)).To(Succeed())
			pod.Status.ContainerStatuses = []corev1.ContainerStatus{{
				Name: resources.MainContainerName, Image: "flink:1.20",
				State: corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: reason, Message: "back-off"}},
			}}
			g.Expect(env.Client.Status().Update(ctx, pod)).To(Succeed())
			// A restart nonce makes the controller look again at once (it also would on its next periodic pass).
			nonce := int64(7)
			update(g, deployment, func(d *flinkv1beta1.FlinkDeployment) { d.Spec.RestartNonce = &nonce })

			g.Eventually(func(g Gomega) {
				current := get(g, deployment)
				g.Expect(current.Status.ObservedGeneration).To(Equal(current.Generation))
				g.Expect(kstatus(g, current)).To(Equal(status.FailedStatus))
				g.Expect(conditions.GetReason(current, flinkv1beta1.ConditionStalled)).To(Equal(flinkv1beta1.ReasonDeploymentFailed))
				g.Expect(conditions.GetMessage(current, flinkv1beta1.ConditionStalled)).To(ContainSubstring(reason))
				g.Expect(current.Status.JobManagerDeploymentStatus).To(Equal(flinkv1beta1.JobManagerDeploymentError))
			}, timeout, interval).Should(Succeed())

			// The pod recovers (image pushed, bug fixed): the deployment becomes Ready again without a new commit.
			g.Expect(env.Client.Delete(ctx, pod)).To(Succeed())
			eventuallyReady(g, deployment)
		})
	}
}

func TestIngressFollowsTheSpec(t *testing.T) {
	g := NewWithT(t)
	ctx := context.Background()
	deployment := newDeployment(g, "ingress", func(d *flinkv1beta1.FlinkDeployment) {
		d.Spec.Ingress = &flinkv1beta1.IngressSpec{Template: "{{name}}.{{namespace}}.flink.example.com", ClassName: "nginx"}
	})
	ingress := &networkingv1.Ingress{}
	g.Expect(env.Client.Get(ctx, client.ObjectKey{Namespace: deployment.Namespace, Name: "ingress"}, ingress)).To(Succeed())
	g.Expect(ingress.Spec.Rules[0].Host).To(Equal("ingress." + deployment.Namespace + ".flink.example.com"))
	g.Expect(ingress.Spec.Rules[0].HTTP.Paths[0].Backend.Service.Name).To(Equal("ingress-rest"))
	g.Expect(*ingress.Spec.IngressClassName).To(Equal("nginx"))
	g.Expect(ingress.OwnerReferences).To(ContainElement(HaveField("UID", deployment.UID)))
}
