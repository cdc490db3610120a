package e2ecluster

import (
	"context"
	"strings"
	"testing"

	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/cli-utils/pkg/kstatus/status"
	"sigs.k8s.io/controller-runtime/pkg/client"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
	"github.com/teal-flink/teal/internal/operatorconfig"
	"github.com/teal-flink/teal/test/testenv"
)

// TestTaskManagersThatCannotStartAreNotReady runs the native application sample with TaskManagers that ask for
// more CPU than the node has (Flink sets the TaskManager container's image and resources from its configuration,
// so a pod template cannot break only the TaskManagers' image; resources can): the JobManager runs and Flink keeps
// requesting TaskManager pods the scheduler cannot place. Before the fix the deployment waited for its job (job
// CREATED: not every task runs) without saying why and never stalled; now the TaskManagers condition names the
// scheduler's reason, Ready is False with reason TaskManagerFailed, and the deployment is Stalled (kstatus
// Failed) once the readiness timeout passed.
func TestTaskManagersThatCannotStartAreNotReady(t *testing.T) {
	keepOnFailure(t)
	g := NewWithT(t)
	ctx := context.Background()
	flinkVersion := flinkVersions[0]
	name := "tm-image-missing"
	deployment := loadSample(g, "flinkdeployment-application.yaml")
	deployment.Name, deployment.Namespace = name, namespace
	deployment.Spec.Image, deployment.Spec.FlinkVersion = flinkVersion.image, flinkVersion.version
	smallResources(deployment)
	withStateVolume(deployment, stateDir(g, name))
	setConfig(g, deployment, map[string]string{operatorconfig.KeyReadinessTimeout: "1 min"})
	tooMuch := resource.MustParse("64")
	deployment.Spec.TaskManager.Resources.Requests[corev1.ResourceCPU] = tooMuch
	deployment.Spec.TaskManager.Resources.Limits[corev1.ResourceCPU] = tooMuch
	t.Cleanup(func() { _ = client.IgnoreNotFound(k8s.Delete(ctx, deployment)) })
	g.Expect(k8s.Create(ctx, deployment)).To(Succeed())

	g.Eventually(func(g Gomega) {
		current := get(g, deployment)
		taskManagers := meta(current.Status.Conditions, flinkv1beta1.ConditionTaskManagers)
		g.Expect(taskManagers).NotTo(BeNil(), "conditions: %+v", current.Status.Conditions)
		g.Expect(taskManagers.Status).To(Equal(metav1.ConditionFalse))
		g.Expect(taskManagers.Message).To(And(ContainSubstring("Unschedulable"), ContainSubstring("Insufficient cpu")))
		ready := meta(current.Status.Conditions, flinkv1beta1.ConditionReady)
		g.Expect(ready.Status).To(Equal(metav1.ConditionFalse))
		g.Expect(ready.Reason).To(Equal(flinkv1beta1.ReasonTaskManagerFailed))
		g.Expect(strings.Contains(ready.Message, "TaskManager pod "+name+"-taskmanager-")).To(BeTrue(), "Ready: %s", ready.Message)
	}, timeout, interval).Should(Succeed())

	g.Eventually(func(g Gomega) {
		current := get(g, deployment)
		stalled := meta(current.Status.Conditions, flinkv1beta1.ConditionStalled)
		g.Expect(stalled).NotTo(BeNil(), "conditions: %+v", current.Status.Conditions)
		g.Expect(stalled.Reason).To(Equal(flinkv1beta1.ReasonTaskManagerFailed))
		kstatus, err := testenv.KStatus(current)
		g.Expect(err).NotTo(HaveOccurred())
		g.Expect(kstatus).To(Equal(status.FailedStatus))
	}, timeout, interval).Should(Succeed())
	deleteAndExpectGone(g, deployment)
}
