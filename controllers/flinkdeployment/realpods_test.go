package flinkdeployment_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/fluxcd/pkg/runtime/conditions"
	. "github.com/onsi/gomega"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/cli-utils/pkg/kstatus/status"
	"sigs.k8s.io/controller-runtime/pkg/client"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
	"github.com/teal-flink/teal/internal/manager"
	"github.com/teal-flink/teal/internal/operatorconfig"
	"github.com/teal-flink/teal/internal/resources"
	"github.com/teal-flink/teal/test/builders"
)

// startOperatorWithProgressCheck stands the suite's operator aside for one whose operator configuration sets
// the progress-check interval (an operator-wide key: a resource may not set it); the returned function restores
// the suite's operator.
func startOperatorWithProgressCheck(g Gomega, interval string) func() {
	g.Expect(stk.Operator.Stop()).To(Succeed())
	config := stk.OperatorConfig().Values()
	config[operatorconfig.KeyProgressCheckInterval] = interval
	operator, err := stk.StartOperator(func(o *manager.Options) {
		o.OperatorConfig = func() *operatorconfig.Config { return operatorconfig.New(config) }
	})
	g.Expect(err).NotTo(HaveOccurred())
	return func() {
		g.Expect(operator.Stop()).To(Succeed())
		stk.Operator, err = startOperator()
		g.Expect(err).NotTo(HaveOccurred())
	}
}

// Issue 13: the first deployment used to wait one progress-check interval (10 s by default) between recording
// its target and creating the cluster, because that status patch wakes nothing. With the interval at an hour,
// the objects appear only if the controller takes the next step at once.
func TestFirstDeploymentDoesNotWaitForTheProgressCheck(t *testing.T) {
	g := NewWithT(t)
	defer startOperatorWithProgressCheck(g, "1 h")()
	namespace := newNamespace(g)
	deployment := builders.NewFlinkDeployment("prompt", builders.InNamespace(namespace),
		builders.WithConfig(stateConfig(namespace)...))
	g.Expect(env.Client.Create(context.Background(), deployment)).To(Succeed())
	g.Eventually(func(g Gomega) {
		g.Expect(env.Client.Get(context.Background(), client.ObjectKey{Namespace: namespace, Name: resources.ConfigMapName("prompt")}, &corev1.ConfigMap{})).To(Succeed())
		g.Expect(env.Client.Get(context.Background(), client.ObjectKey{Namespace: namespace, Name: resources.JobManagerName("prompt")}, &appsv1.Deployment{})).To(Succeed())
	}, timeout, interval).Should(Succeed())
}

// BenchmarkCreateToObjects measures how long a new FlinkDeployment takes to get its ConfigMap and JobManager
// Deployment (create → objects), at upstream's default progress-check interval of 10 s.
func BenchmarkCreateToObjects(b *testing.B) {
	g := NewWithT(b)
	defer startOperatorWithProgressCheck(g, "10 s")()
	namespace := newNamespace(g)
	ctx := context.Background()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		name := fmt.Sprintf("bench-%d", i)
		deployment := builders.NewFlinkDeployment(name, builders.InNamespace(namespace),
			builders.WithConfig(stateConfig(namespace)...))
		g.Expect(env.Client.Create(ctx, deployment)).To(Succeed())
		g.Eventually(func(g Gomega) {
			g.Expect(env.Client.Get(ctx, client.ObjectKey{Namespace: namespace, Name: resources.ConfigMapName(name)}, &corev1.ConfigMap{})).To(Succeed())
			g.Expect(env.Client.Get(ctx, client.ObjectKey{Namespace: namespace, Name: resources.JobManagerName(name)}, &appsv1.Deployment{})).To(Succeed())
		}, timeout, 2*time.Millisecond).Should(Succeed())
	}
	b.StopTimer()
	for i := 0; i < b.N; i++ {
		deployment := &flinkv1beta1.FlinkDeployment{ObjectMeta: metav1.ObjectMeta{Namespace: namespace, Name: fmt.Sprintf("bench-%d", i)}}
		g.Expect(client.IgnoreNotFound(env.Client.Delete(ctx, deployment))).To(Succeed())
	}
}

// Issue 13: a crash-looping JobManager runs again for a moment between back-offs; seen then, it used to look
// healthy and the deployment stayed "waiting for the job". It must stall with the container's last
// termination message.
func TestJobManagerCrashLoopStallsWithTheTerminationMessage(t *testing.T) {
	g := NewWithT(t)
	ctx := context.Background()
	deployment := newDeployment(g, "crashloop")
	pod := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Namespace: deployment.Namespace, Name: "crashloop-jm-0",
			Labels: resources.Selector(deployment.Name, resources.ComponentJobManager, resources.TypeNative)},
		Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: resources.MainContainerName, Image: "flink:1.20"}}},
	}
	g.Expect(env.Client.Create(ctx, pod)).To(Succeed())
	// What a kubelet reports right after restarting a container that keeps failing.
	pod.Status.ContainerStatuses = []corev1.ContainerStatus{{
		Name: resources.MainContainerName, Image: "flink:1.20", RestartCount: 2,
		State: corev1.ContainerState{Running: &corev1.ContainerStateRunning{StartedAt: metav1.Now()}},
		LastTerminationState: corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{ExitCode: 1, Reason: "Error",
			Message: "Submission of failed job in case of an application error is not supported in non-HA setups."}},
	}}
	g.Expect(env.Client.Status().Update(ctx, pod)).To(Succeed())

	g.Eventually(func(g Gomega) {
		current := get(g, deployment)
		g.Expect(kstatus(g, current)).To(Equal(status.FailedStatus))
		g.Expect(conditions.GetReason(current, flinkv1beta1.ConditionStalled)).To(Equal(flinkv1beta1.ReasonDeploymentFailed))
		g.Expect(conditions.GetMessage(current, flinkv1beta1.ConditionStalled)).To(And(
			ContainSubstring("CrashLoopBackOff"), ContainSubstring("not supported in non-HA setups")))
		g.Expect(current.Status.Error).To(ContainSubstring("not supported in non-HA setups"))
	}, timeout, interval).Should(Succeed())
	g.Expect(env.Client.Delete(ctx, pod)).To(Succeed())
	eventuallyReady(g, deployment)
}

// Issue 13: a pod the API server refuses for a missing service account left the deployment DEPLOYING with no
// error. The refusal (ReplicaFailure on the JobManager Deployment) must show in the status, and the deployment
// recover once the account exists.
func TestMissingServiceAccountShowsInStatus(t *testing.T) {
	g := NewWithT(t)
	ctx := context.Background()
	namespace := newNamespace(g)
	runtime.RequireServiceAccounts(namespace)
	deployment := builders.NewFlinkDeployment("no-account", builders.InNamespace(namespace), builders.WithConfig(stateConfig(namespace)...))
	g.Expect(env.Client.Create(ctx, deployment)).To(Succeed())
	g.Eventually(func(g Gomega) {
		current := get(g, deployment)
		g.Expect(kstatus(g, current)).To(Equal(status.FailedStatus))
		g.Expect(conditions.GetMessage(current, flinkv1beta1.ConditionStalled)).To(ContainSubstring(`serviceaccount "flink" not found`))
		g.Expect(current.Status.Error).To(ContainSubstring(`error looking up service account ` + namespace + `/flink`))
		g.Expect(current.Status.JobManagerDeploymentStatus).To(Equal(flinkv1beta1.JobManagerDeploymentError))
	}, timeout, interval).Should(Succeed())

	g.Expect(env.Client.Create(ctx, &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Namespace: namespace, Name: "flink"}})).To(Succeed())
	eventuallyReady(g, deployment)
}
