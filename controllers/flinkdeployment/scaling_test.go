package flinkdeployment_test

import (
	"context"
	"testing"

	. "github.com/onsi/gomega"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
	"github.com/teal-flink/teal/controllers/flinkdeployment"
	"github.com/teal-flink/teal/test/builders"
)

func TestStandaloneTaskManagerScalingKeepsTheJob(t *testing.T) {
	g := NewWithT(t)
	ctx := context.Background()
	deployment := newDeployment(g, "scale", builders.WithStandalone(), builders.WithTaskManagerReplicas(2),
		builders.WithUpgradeMode(flinkv1beta1.UpgradeModeSavepoint))
	jobID := deployment.Status.JobStatus.JobID

	update(g, deployment, func(d *flinkv1beta1.FlinkDeployment) { d.Spec.TaskManager.Replicas = ptr(int32(4)) })
	expectInProgressUntilDone(g, deployment)
	scaled := eventuallyReady(g, deployment)
	g.Expect(scaled.Generation).To(BeEquivalentTo(2))
	taskManager := &appsv1.Deployment{}
	g.Expect(env.Client.Get(ctx, client.ObjectKey{Namespace: deployment.Namespace, Name: "scale-taskmanager"}, taskManager)).To(Succeed())
	g.Expect(*taskManager.Spec.Replicas).To(BeEquivalentTo(4))
	g.Expect(runtime.Starts(deployment.Namespace, deployment.Name)).To(Equal(1), "the JobManager was not restarted")
	g.Expect(scaled.Status.JobStatus.JobID).To(Equal(jobID), "the job kept running")
	g.Expect(scaled.Status.JobStatus.SavepointInfo).To(BeNil(), "no upgrade savepoint was taken")
}

// Parallelism overrides reach a running job through the adaptive scheduler of Flink 1.18+; anything else is
// applied by an upgrade.
func TestParallelismOverridesRescaleInPlaceWhereFlinkCan(t *testing.T) {
	cases := []struct {
		name      string
		options   []builders.DeploymentOption
		inPlace   bool
		wantStart int
	}{
		{"adaptive scheduler on 1.20", []builders.DeploymentOption{builders.WithConfig("jobmanager.scheduler", "adaptive")}, true, 1},
		{"default scheduler", nil, false, 2},
		{"adaptive scheduler on 1.17", []builders.DeploymentOption{builders.WithConfig("jobmanager.scheduler", "adaptive"),
			builders.WithFlinkVersion(flinkv1beta1.FlinkVersionV1_17)}, false, 2},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			g := NewWithT(t)
			ctx := context.Background()
			options := append([]builders.DeploymentOption{builders.WithUpgradeMode(flinkv1beta1.UpgradeModeSavepoint)}, tc.options...)
			deployment := newDeployment(g, "rescale", options...)
			jobID := deployment.Status.JobStatus.JobID
			details, err := jobClient(g, deployment).JobDetails(ctx, jobID)
			g.Expect(err).NotTo(HaveOccurred())
			vertex := details.Vertices[0].ID

			update(g, deployment, func(d *flinkv1beta1.FlinkDeployment) {
				config, err := d.Spec.FlinkConfiguration.Flatten()
				g.Expect(err).NotTo(HaveOccurred())
				config[flinkdeployment.KeyParallelismOverrides] = vertex + ":3"
				d.Spec.FlinkConfiguration = flinkv1beta1.NewConfigObject(config)
			})
			expectInProgressUntilDone(g, deployment)
			scaled := eventuallyReady(g, deployment)
			g.Expect(scaled.Generation).To(BeEquivalentTo(2))
			g.Expect(scaled.Status.ReconciliationStatus.LastReconciledSpec).To(ContainSubstring(vertex + ":3"))
			g.Expect(runtime.Starts(deployment.Namespace, deployment.Name)).To(Equal(tc.wantStart))
			if !tc.inPlace {
				g.Expect(scaled.Status.JobStatus.JobID).NotTo(Equal(jobID), "an upgrade runs a new job")
				return
			}
			g.Expect(scaled.Status.JobStatus.JobID).To(Equal(jobID), "the job kept running")
			requirements, err := jobClient(g, scaled).ResourceRequirements(ctx, jobID)
			g.Expect(err).NotTo(HaveOccurred())
			g.Expect(requirements[vertex].Parallelism.UpperBound).To(Equal(3))
			configMap := &corev1.ConfigMap{}
			g.Expect(env.Client.Get(ctx, client.ObjectKey{Namespace: deployment.Namespace, Name: "flink-config-rescale"}, configMap)).To(Succeed())
			g.Expect(configMap.Data["config.yaml"]).To(ContainSubstring(vertex+":3"), "a recreated JobManager starts with the new parallelism")
		})
	}
}

func ptr[T any](value T) *T { return &value }
