package flinkdeployment_test

import (
	"context"
	"testing"

	. "github.com/onsi/gomega"
	appsv1 "k8s.io/api/apps/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
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

func ptr[T any](value T) *T { return &value }
