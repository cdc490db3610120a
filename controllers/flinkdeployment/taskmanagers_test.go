package flinkdeployment_test

import (
	"context"
	"testing"

	"github.com/fluxcd/pkg/runtime/conditions"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/cli-utils/pkg/kstatus/status"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
	"github.com/teal-flink/teal/internal/operatorconfig"
	"github.com/teal-flink/teal/internal/resources"
	"github.com/teal-flink/teal/test/builders"
)

// Defect: a cluster stayed Ready=True while every TaskManager pod Flink tried to create failed (an image that
// cannot be pulled, a pod the scheduler cannot place, a crashing TaskManager). Now the TaskManager pods' failure
// turns Ready False at once with reason TaskManagerFailed and the pod's reason in the message, a TaskManagers
// condition and a Warning event say so, and it becomes Stalled (kstatus Failed) once it has lasted the readiness
// timeout; the cluster is Ready again without a commit once the pods recover. Session clusters and application
// clusters alike; the pods are plain objects here, labelled as Flink labels the TaskManagers it creates.
func TestClusterWithFailingTaskManagersIsNotReady(t *testing.T) {
	cases := []struct {
		name    string
		options []builders.DeploymentOption
		status  corev1.PodStatus
		expect  string
	}{
		{name: "session cluster, image cannot be pulled", options: []builders.DeploymentOption{builders.WithSessionCluster()},
			status: corev1.PodStatus{Phase: corev1.PodPending, ContainerStatuses: []corev1.ContainerStatus{{
				Name: resources.MainContainerName, Image: "flink:nope",
				State: corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: "ImagePullBackOff", Message: `Back-off pulling image "flink:nope"`}},
			}}},
			expect: `ImagePullBackOff: Back-off pulling image "flink:nope"`},
		{name: "application cluster, TaskManager cannot be scheduled",
			status: corev1.PodStatus{Phase: corev1.PodPending, Conditions: []corev1.PodCondition{{
				Type: corev1.PodScheduled, Status: corev1.ConditionFalse, Reason: corev1.PodReasonUnschedulable,
				Message: "0/1 nodes are available: 1 Insufficient memory.",
			}}},
			expect: "Unschedulable: 0/1 nodes are available: 1 Insufficient memory."},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			g := NewWithT(t)
			ctx := context.Background()
			options := append(tc.options, builders.WithConfig(operatorconfig.KeyReadinessTimeout, "3 s"))
			deployment := newDeployment(g, "tmfail", options...)
			g.Expect(conditions.IsTrue(deployment, flinkv1beta1.ConditionReady)).To(BeTrue())

			pod := &corev1.Pod{
				ObjectMeta: metav1.ObjectMeta{Namespace: deployment.Namespace, Name: "tmfail-taskmanager-1-1",
					Labels: resources.Selector(deployment.Name, resources.ComponentTaskManager, resources.TypeNative)},
				Spec: corev1.PodSpec{RestartPolicy: corev1.RestartPolicyNever,
					Containers: []corev1.Container{{Name: resources.MainContainerName, Image: "flink:nope"}}},
			}
			g.Expect(env.Client.Create(ctx, pod)).To(Succeed())
			pod.Status = tc.status
			g.Expect(env.Client.Status().Update(ctx, pod)).To(Succeed())

			// Not Ready at once, with the cause; the pod watch brings the controller, no commit needed.
			g.Eventually(func(g Gomega) {
				current := get(g, deployment)
				g.Expect(conditions.IsFalse(current, flinkv1beta1.ConditionReady)).To(BeTrue())
				g.Expect(conditions.GetReason(current, flinkv1beta1.ConditionReady)).To(Equal(flinkv1beta1.ReasonTaskManagerFailed))
				g.Expect(conditions.GetMessage(current, flinkv1beta1.ConditionReady)).To(ContainSubstring(tc.expect))
				g.Expect(conditions.IsFalse(current, flinkv1beta1.ConditionTaskManagers)).To(BeTrue())
				g.Expect(conditions.GetMessage(current, flinkv1beta1.ConditionTaskManagers)).To(ContainSubstring("TaskManager pod tmfail-taskmanager-1-1: " + tc.expect))
			}, timeout, interval).Should(Succeed())
			g.Eventually(func(g Gomega) {
				g.Expect(warningEvents(g, deployment, flinkv1beta1.ReasonTaskManagerFailed)).To(HaveLen(1))
			}, timeout, interval).Should(Succeed())

			// Past the readiness timeout it needs a person: Stalled, kstatus Failed, the generation observed.
			g.Eventually(func(g Gomega) {
				current := get(g, deployment)
				g.Expect(conditions.IsTrue(current, flinkv1beta1.ConditionStalled)).To(BeTrue())
				g.Expect(conditions.GetReason(current, flinkv1beta1.ConditionStalled)).To(Equal(flinkv1beta1.ReasonTaskManagerFailed))
				g.Expect(conditions.GetMessage(current, flinkv1beta1.ConditionStalled)).To(ContainSubstring(tc.expect))
				g.Expect(kstatus(g, current)).To(Equal(status.FailedStatus))
				g.Expect(current.Status.ObservedGeneration).To(Equal(current.Generation))
			}, timeout, interval).Should(Succeed())
			g.Expect(warningEvents(g, deployment, flinkv1beta1.ReasonTaskManagerFailed)).To(HaveLen(1), "one Warning event per run of failures")

			// The TaskManagers recover (Flink replaced the pod, the image was pushed): Ready again.
			g.Expect(env.Client.Delete(ctx, pod)).To(Succeed())
			recovered := eventuallyReady(g, deployment)
			g.Expect(conditions.Has(recovered, flinkv1beta1.ConditionTaskManagers)).To(BeFalse())
		})
	}
}
