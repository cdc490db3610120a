package e2ecluster

import (
	"context"
	"testing"

	. "github.com/onsi/gomega"
	appsv1 "k8s.io/api/apps/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
	"github.com/teal-flink/teal/internal/resources"
)

// TestStandaloneApplication runs the shipped standalone application sample on each Flink line: the JobManager
// starts the job from the image's jar (standalone-job with the job class name and arguments), two TaskManager pods
// of Teal's Deployment register, the job RUNNING with every task; deleting it leaves nothing behind.
func TestStandaloneApplication(t *testing.T) {
	t.Parallel()
	for _, flinkVersion := range flinkVersions {
		t.Run(flinkVersion.name, func(t *testing.T) {
			t.Parallel()
			keepOnFailure(t)
			g := NewWithT(t)
			ctx := context.Background()
			deployment := loadSample(g, "flinkdeployment-standalone.yaml")
			deployment.Name, deployment.Namespace = "standalone-"+versionSuffix(flinkVersion.name), namespace
			onVersion(g, deployment, flinkVersion.image, flinkVersion.version)
			smallResources(deployment)
			withStateVolume(deployment, stateDir(g, deployment.Name))
			t.Cleanup(func() { _ = client.IgnoreNotFound(k8s.Delete(ctx, deployment)) })
			g.Expect(k8s.Create(ctx, deployment)).To(Succeed())

			ready := eventuallyReady(g, deployment)
			jobID, statistics := runningJob(g, deployment.Name)
			g.Expect(ready.Status.JobStatus.JobID).To(Equal(jobID))
			g.Expect(statistics.Latest.Restored).To(BeNil())
			expectTaskManagers(g, deployment.Name, 2)
			deleteAndExpectGone(g, deployment)
		})
	}
}

// TestStandaloneSessionScaling runs a standalone session cluster (the standalone sample without its job) on each
// Flink line and scales its TaskManagers from one to two through spec.taskManager.replicas: Teal's TaskManager
// Deployment and the TaskManagers registered with Flink follow.
func TestStandaloneSessionScaling(t *testing.T) {
	t.Parallel()
	for _, flinkVersion := range flinkVersions {
		t.Run(flinkVersion.name, func(t *testing.T) {
			t.Parallel()
			keepOnFailure(t)
			g := NewWithT(t)
			ctx := context.Background()
			deployment := loadSample(g, "flinkdeployment-standalone.yaml")
			deployment.Name, deployment.Namespace = "standalone-session-"+versionSuffix(flinkVersion.name), namespace
			onVersion(g, deployment, flinkVersion.image, flinkVersion.version)
			deployment.Spec.Job = nil
			one := int32(1)
			deployment.Spec.TaskManager.Replicas = &one
			smallResources(deployment)
			withStateVolume(deployment, stateDir(g, deployment.Name))
			t.Cleanup(func() { _ = client.IgnoreNotFound(k8s.Delete(ctx, deployment)) })
			g.Expect(k8s.Create(ctx, deployment)).To(Succeed())

			ready := eventuallyReady(g, deployment)
			g.Expect(meta(ready.Status.Conditions, flinkv1beta1.ConditionReady).Message).To(Equal("session cluster running"))
			expectTaskManagers(g, deployment.Name, 1)

			update(g, deployment, func(d *flinkv1beta1.FlinkDeployment) {
				two := int32(2)
				d.Spec.TaskManager.Replicas = &two
			})
			eventuallyReady(g, deployment)
			expectTaskManagers(g, deployment.Name, 2)
			deleteAndExpectGone(g, deployment)
		})
	}
}

// expectTaskManagers waits until the standalone TaskManager Deployment has replicas ready pods and Flink counts
// as many registered TaskManagers.
func expectTaskManagers(g Gomega, name string, replicas int) {
	ctx := context.Background()
	g.Eventually(func(g Gomega) {
		taskManagers := &appsv1.Deployment{}
		g.Expect(k8s.Get(ctx, client.ObjectKey{Namespace: namespace, Name: resources.TaskManagerName(name)}, taskManagers)).To(Succeed())
		g.Expect(taskManagers.Spec.Replicas).To(HaveValue(BeEquivalentTo(replicas)))
		g.Expect(taskManagers.Status.ReadyReplicas).To(BeEquivalentTo(replicas))
		overview, err := restClient(g, name).Overview(ctx)
		g.Expect(err).NotTo(HaveOccurred())
		g.Expect(overview.TaskManagers).To(Equal(replicas))
	}, timeout, interval).Should(Succeed())
}
