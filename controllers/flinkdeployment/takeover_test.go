package flinkdeployment_test

import (
	"context"
	"fmt"
	"testing"

	. "github.com/onsi/gomega"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
	"github.com/teal-flink/teal/internal/manager"
	"github.com/teal-flink/teal/internal/resources"
	"github.com/teal-flink/teal/test/builders"
	"github.com/teal-flink/teal/test/testenv"
)

// A FlinkDeployment the Apache operator deployed (its status in upstream's format, its cluster running) is taken
// over by Teal without restarting the job.
func TestTakeOverFromTheApacheOperator(t *testing.T) {
	g := NewWithT(t)
	ctx := context.Background()
	namespace := newNamespace(g)
	// The Apache operator is running the cluster; Teal's controllers are not running yet (its webhooks are).
	g.Expect(stk.Operator.Stop()).To(Succeed())
	defer func() {
		var err error
		stk.Operator, err = startOperator()
		g.Expect(err).NotTo(HaveOccurred())
	}()
	webhooksOnly, err := startWebhooksOnly()
	g.Expect(err).NotTo(HaveOccurred())

	deployment := builders.NewFlinkDeployment("legacy", builders.InNamespace(namespace),
		builders.WithConfig(stateConfig(namespace)...), builders.WithUpgradeMode(flinkv1beta1.UpgradeModeSavepoint))
	g.Expect(env.Client.Create(ctx, deployment)).To(Succeed())
	config, err := resources.EffectiveConfig(deployment, resources.ConfigOptions{})
	g.Expect(err).NotTo(HaveOccurred())
	rendered, err := resources.RenderConfig(config, "config.yaml")
	g.Expect(err).NotTo(HaveOccurred())
	labels := resources.Selector("legacy", resources.ComponentJobManager, resources.TypeNative)
	// The JobManager pod as the Apache operator's Flink client builds it: the same entrypoint, arguments,
	// environment and configuration files (the local runtime runs what the pod spec says).
	built, err := resources.Build(deployment, resources.ConfigOptions{})
	g.Expect(err).NotTo(HaveOccurred())
	built.ConfigMap.Data["config.yaml"] = rendered
	g.Expect(env.Client.Create(ctx, &corev1.ConfigMap{
		ObjectMeta: metav1.ObjectMeta{Namespace: namespace, Name: "flink-config-legacy", Labels: map[string]string{"app": "legacy", "type": resources.TypeNative}},
		Data:       built.ConfigMap.Data,
	})).To(Succeed())
	replicas := int32(1)
	jobManager := &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Namespace: namespace, Name: "legacy", Labels: labels},
		Spec: appsv1.DeploymentSpec{
			Replicas: &replicas, Selector: &metav1.LabelSelector{MatchLabels: labels},
			Template: built.JobManager.Spec.Template,
		},
	}
	g.Expect(env.Client.Create(ctx, jobManager)).To(Succeed())
	g.Eventually(func() int { return runtime.Starts(namespace, "legacy") }, timeout, interval).Should(Equal(1))

	// The status exactly as the Apache operator writes it, nulls and all.
	upstreamSpec := fmt.Sprintf(`{"spec":{"job":{"jarURI":"local:///opt/flink/examples/streaming/TopSpeedWindowing.jar","parallelism":2,"entryClass":null,"args":[],"state":"running","savepointTriggerNonce":null,"initialSavepointPath":null,"checkpointTriggerNonce":null,"upgradeMode":"savepoint","allowNonRestoredState":null,"savepointRedeployNonce":null,"autoscalerResetNonce":null},"restartNonce":null,"flinkConfiguration":{"state.checkpoints.dir":%q,"state.savepoints.dir":%q,"taskmanager.numberOfTaskSlots":"2"},"image":"flink:1.20","imagePullPolicy":null,"serviceAccount":"flink","flinkVersion":"v1_20","ingress":null,"podTemplate":null,"jobManager":{"resource":{"cpu":1.0,"memory":"1024m","ephemeralStorage":null},"replicas":1,"podTemplate":null},"taskManager":{"resource":{"cpu":1.0,"memory":"1024m","ephemeralStorage":null},"replicas":null,"podTemplate":null},"logConfiguration":null,"mode":null},"resource_metadata":{"apiVersion":"flink.apache.org/v1beta1","metadata":{"generation":1},"firstDeployment":true}}`,
		stateConfig(namespace)[3], stateConfig(namespace)[1])
	deployment.Status = flinkv1beta1.FlinkDeploymentStatus{
		CommonStatus: flinkv1beta1.CommonStatus{
			LifecycleState: flinkv1beta1.LifecycleStateStable,
			JobStatus:      flinkv1beta1.JobStatus{State: flinkv1beta1.JobStatusRunning, JobName: "TopSpeedWindowing"},
			ReconciliationStatus: flinkv1beta1.ReconciliationStatus{
				LastReconciledSpec: upstreamSpec, LastStableSpec: upstreamSpec, State: flinkv1beta1.ReconciliationStateDeployed,
				ReconciliationTimestamp: 1716300000000,
			},
		},
		JobManagerDeploymentStatus: flinkv1beta1.JobManagerDeploymentReady,
	}
	g.Expect(env.Client.Status().Update(ctx, deployment)).To(Succeed())

	g.Expect(webhooksOnly.Stop()).To(Succeed())
	stk.Operator, err = startOperator()
	g.Expect(err).NotTo(HaveOccurred())
	taken := eventuallyReady(g, deployment)
	g.Expect(taken.Status.LifecycleState).To(Equal(flinkv1beta1.LifecycleStateStable))
	g.Expect(taken.Status.ReconciliationStatus.LastReconciledSpec).To(Equal(upstreamSpec), "nothing to redeploy")
	g.Expect(runtime.Starts(namespace, "legacy")).To(Equal(1), "the job was not restarted")
	current := &appsv1.Deployment{}
	g.Expect(env.Client.Get(ctx, client.ObjectKeyFromObject(jobManager), current)).To(Succeed())
	g.Expect(current.Generation).To(Equal(jobManager.Generation), "the JobManager Deployment was left as it was")
	g.Expect(stk.Operator.Stop()).To(Succeed())
}

func TestSessionClusterUpgrade(t *testing.T) {
	g := NewWithT(t)
	session := newDeployment(g, "session-upgrade", builders.WithSessionCluster())
	update(g, session, func(d *flinkv1beta1.FlinkDeployment) { d.Spec.Image = "flink:1.20.1" })
	upgraded := eventuallyReady(g, session)
	g.Expect(upgraded.Status.LifecycleState).To(Equal(flinkv1beta1.LifecycleStateStable))
	g.Expect(runtime.Starts(session.Namespace, session.Name)).To(Equal(2), "a new session cluster")
	jobManager := &appsv1.Deployment{}
	g.Expect(env.Client.Get(context.Background(), client.ObjectKey{Namespace: session.Namespace, Name: session.Name}, jobManager)).To(Succeed())
	g.Expect(jobManager.Spec.Template.Spec.Containers[0].Image).To(Equal("flink:1.20.1"))
	g.Expect(jobManager.Spec.Template.Spec.Containers[0].Args).To(Equal([]string{"kubernetes-jobmanager.sh", "kubernetes-session"}))
}

// startWebhooksOnly runs Teal's admission webhooks without its controllers.
func startWebhooksOnly() (*testenv.Manager, error) {
	return stk.StartOperator(func(o *manager.Options) { o.Controllers = false })
}
