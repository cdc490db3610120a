package flinkdeployment_test

import (
	"context"
	"testing"

	"github.com/fluxcd/pkg/runtime/conditions"
	. "github.com/onsi/gomega"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
	"github.com/teal-flink/teal/controllers/flinkdeployment"
	"github.com/teal-flink/teal/internal/resources"
	"github.com/teal-flink/teal/test/builders"
)

func TestFirstDeploymentOfAnApplication(t *testing.T) {
	g := NewWithT(t)
	ctx := context.Background()
	namespace := newNamespace(g)
	deployment := builders.NewFlinkDeployment("topspeed", builders.InNamespace(namespace),
		builders.WithConfig(stateConfig(namespace)...), builders.WithEntryClass("org.apache.flink.streaming.examples.windowing.TopSpeedWindowing"))
	g.Expect(env.Client.Create(ctx, deployment)).To(Succeed())

	current := eventuallyReady(g, deployment)
	g.Expect(current.Status.LifecycleState).To(Equal(flinkv1beta1.LifecycleStateStable))
	g.Expect(current.Status.JobStatus.State).To(Equal(flinkv1beta1.JobStatusRunning))
	g.Expect(current.Status.JobManagerDeploymentStatus).To(Equal(flinkv1beta1.JobManagerDeploymentReady))
	g.Expect(current.Status.ReconciliationStatus.State).To(Equal(flinkv1beta1.ReconciliationStateDeployed))
	g.Expect(current.Status.ReconciliationStatus.LastReconciledSpec).To(ContainSubstring(`"resource_metadata":{"apiVersion":"flink.apache.org/v1beta1","firstDeployment":true}`))
	g.Expect(current.Status.ReconciliationStatus.LastStableSpec).To(Equal(current.Status.ReconciliationStatus.LastReconciledSpec))
	g.Expect(conditions.IsTrue(current, flinkv1beta1.ConditionRunning)).To(BeTrue())
	g.Expect(conditions.Has(current, flinkv1beta1.ConditionReconciling)).To(BeFalse())
	g.Expect(current.Finalizers).To(ContainElement(flinkdeployment.Finalizer))

	// The generated objects, field by field.
	configMap := &corev1.ConfigMap{}
	g.Expect(env.Client.Get(ctx, client.ObjectKey{Namespace: namespace, Name: "flink-config-topspeed"}, configMap)).To(Succeed())
	config, err := resources.ParseConfig(configMap.Data["config.yaml"], "config.yaml")
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(config).To(HaveKeyWithValue("kubernetes.cluster-id", "topspeed"))
	g.Expect(config).To(HaveKeyWithValue("kubernetes.namespace", namespace))
	g.Expect(config).To(HaveKeyWithValue("execution.target", "kubernetes-application"))
	g.Expect(config).To(HaveKeyWithValue("pipeline.jars", "local:///opt/flink/examples/streaming/TopSpeedWindowing.jar"))
	g.Expect(config).To(HaveKeyWithValue("parallelism.default", "2"))
	g.Expect(config).To(HaveKeyWithValue("taskmanager.numberOfTaskSlots", "2"))
	g.Expect(config).To(HaveKeyWithValue("jobmanager.memory.process.size", "1073741824b"))
	g.Expect(config).NotTo(HaveKey("execution.savepoint.path"))
	g.Expect(configMap.OwnerReferences).To(ContainElement(HaveField("UID", current.UID)))

	jobManager := &appsv1.Deployment{}
	g.Expect(env.Client.Get(ctx, client.ObjectKey{Namespace: namespace, Name: "topspeed"}, jobManager)).To(Succeed())
	g.Expect(jobManager.OwnerReferences).To(ContainElement(HaveField("Controller", HaveValue(BeTrue()))))
	g.Expect(jobManager.Annotations).To(HaveKeyWithValue(resources.AnnotationGeneration, "1"))
	container := jobManager.Spec.Template.Spec.Containers[0]
	g.Expect(container.Name).To(Equal("flink-main-container"))
	g.Expect(container.Image).To(Equal("flink:1.20"))
	g.Expect(container.Args).To(Equal([]string{"kubernetes-jobmanager.sh", "kubernetes-application"}))
	g.Expect(jobManager.Spec.Template.Spec.ServiceAccountName).To(Equal("flink"))
	for _, name := range []string{"topspeed", "topspeed-rest"} {
		service := &corev1.Service{}
		g.Expect(env.Client.Get(ctx, client.ObjectKey{Namespace: namespace, Name: name}, service)).To(Succeed())
		g.Expect(service.Spec.Selector).To(Equal(jobManager.Spec.Selector.MatchLabels))
	}
	g.Expect(runtime.Starts(namespace, "topspeed")).To(Equal(1), "exactly one JobManager started")
}

func TestClusterShapes(t *testing.T) {
	cases := []struct {
		name         string
		options      []builders.DeploymentOption
		jmArgs       []string
		taskManagers int32
	}{
		{"native session", []builders.DeploymentOption{builders.WithSessionCluster()}, []string{"kubernetes-jobmanager.sh", "kubernetes-session"}, 0},
		{"standalone application", []builders.DeploymentOption{builders.WithStandalone(), builders.WithParallelism(3)}, []string{"standalone-job"}, 2},
		{"standalone session", []builders.DeploymentOption{builders.WithStandalone(), builders.WithSessionCluster(), builders.WithTaskManagerReplicas(3)}, []string{"jobmanager"}, 3},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			g := NewWithT(t)
			ctx := context.Background()
			namespace := newNamespace(g)
			options := append([]builders.DeploymentOption{builders.InNamespace(namespace), builders.WithConfig(stateConfig(namespace)...)}, tc.options...)
			deployment := builders.NewFlinkDeployment("shape", options...)
			g.Expect(env.Client.Create(ctx, deployment)).To(Succeed())
			eventuallyReady(g, deployment)

			jobManager := &appsv1.Deployment{}
			g.Expect(env.Client.Get(ctx, client.ObjectKey{Namespace: namespace, Name: "shape"}, jobManager)).To(Succeed())
			g.Expect(jobManager.Spec.Template.Spec.Containers[0].Args).To(Equal(tc.jmArgs))
			taskManager := &appsv1.Deployment{}
			err := env.Client.Get(ctx, client.ObjectKey{Namespace: namespace, Name: "shape-taskmanager"}, taskManager)
			if tc.taskManagers == 0 {
				g.Expect(client.IgnoreNotFound(err)).To(Succeed())
				g.Expect(err).To(HaveOccurred(), "native clusters have no TaskManager Deployment")
				return
			}
			g.Expect(err).NotTo(HaveOccurred())
			g.Expect(*taskManager.Spec.Replicas).To(Equal(tc.taskManagers))
			g.Expect(taskManager.Spec.Template.Spec.Containers[0].Args).To(Equal([]string{"taskmanager"}))
		})
	}
}
