package e2ecluster

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
	"github.com/teal-flink/teal/internal/flink"
	"github.com/teal-flink/teal/internal/operatorconfig"
	"github.com/teal-flink/teal/internal/resources"
)

// TestNativeApplicationLifecycle runs the shipped native application sample on real pods, on each Flink line, through
// its life: Ready with the job RUNNING; a savepoint upgrade (the new job restores the savepoint Teal took);
// suspend (a savepoint, no pod left) and resume from it; deletion with a savepoint on deletion and nothing left.
// The sample is adjusted only where this node needs it: the image tag, half a CPU per pod (two cores), a host
// directory for its state (the sample's file:///flink-data must be shared by JobManager and TaskManagers to
// restore), and on Flink 2.x the renamed checkpoint and savepoint keys.
func TestNativeApplicationLifecycle(t *testing.T) {
	t.Parallel()
	for _, flinkVersion := range flinkVersions {
		t.Run(flinkVersion.name, func(t *testing.T) {
			t.Parallel()
			keepOnFailure(t)
			g := NewWithT(t)
			ctx := context.Background()
			name := "topspeed-" + versionSuffix(flinkVersion.name)
			dir := stateDir(g, name)
			deployment := loadSample(g, "flinkdeployment-application.yaml")
			deployment.Name, deployment.Namespace = name, namespace
			onVersion(g, deployment, flinkVersion.image, flinkVersion.version)
			smallResources(deployment)
			withStateVolume(deployment, dir)
			t.Cleanup(func() { _ = client.IgnoreNotFound(k8s.Delete(ctx, deployment)) })
			g.Expect(k8s.Create(ctx, deployment)).To(Succeed())

			running := eventuallyReady(g, deployment)
			g.Expect(running.Status.LifecycleState).To(Equal(flinkv1beta1.LifecycleStateStable))
			g.Expect(running.Status.JobStatus.State).To(Equal(flinkv1beta1.JobStatusRunning))
			firstJob, statistics := runningJob(g, name)
			g.Expect(running.Status.JobStatus.JobID).To(Equal(firstJob))
			g.Expect(statistics.Latest.Restored).To(BeNil(), "a first deployment starts empty")
			expectTaskManagerPodsRunning(g, name)

			// A savepoint upgrade: the running job stops with a savepoint, the new one restores it. The upgrade
			// also asks for a savepoint when the resource is deleted, checked at the end.
			update(g, deployment, func(d *flinkv1beta1.FlinkDeployment) {
				setConfig(g, d, map[string]string{"execution.checkpointing.interval": "5s", operatorconfig.KeySavepointOnDeletion: "true"})
			})
			upgraded := eventuallyReady(g, deployment)
			g.Expect(upgraded.Status.JobStatus.SavepointInfo).NotTo(BeNil())
			g.Expect(upgraded.Status.JobStatus.SavepointInfo.LastSavepoint).NotTo(BeNil())
			savepoint := upgraded.Status.JobStatus.SavepointInfo.LastSavepoint.Location
			g.Expect(savepoint).To(HavePrefix("file:"))
			g.Expect(filepath.Join(hostPath(dir, savepoint), "_metadata")).To(BeAnExistingFile())
			upgradedJob, _ := eventuallyRunning(g, name, func(g Gomega, statistics flink.CheckpointStatistics) {
				g.Expect(statistics.Latest.Restored).NotTo(BeNil())
				g.Expect(statistics.Latest.Restored.IsSavepoint).To(BeTrue())
				g.Expect(samePath(statistics.Latest.Restored.ExternalPath, savepoint)).To(BeTrue(),
					"the new job restores the savepoint Teal took (%s), not %s", savepoint, statistics.Latest.Restored.ExternalPath)
			})
			g.Expect(get(g, deployment).Status.JobStatus.JobID).To(Equal(upgradedJob))

			// Suspend: a savepoint, and no Flink pod left.
			update(g, deployment, func(d *flinkv1beta1.FlinkDeployment) { d.Spec.Job.State = flinkv1beta1.JobStateSuspended })
			suspended := eventuallyReady(g, deployment)
			g.Expect(meta(suspended.Status.Conditions, flinkv1beta1.ConditionReady).Reason).To(Equal(flinkv1beta1.ReasonSuspended))
			g.Expect(suspended.Status.LifecycleState).To(Equal(flinkv1beta1.LifecycleStateSuspended))
			suspendSavepoint := suspended.Status.JobStatus.UpgradeSavepointPath
			g.Expect(suspendSavepoint).NotTo(BeEmpty())
			g.Expect(samePath(suspendSavepoint, savepoint)).To(BeFalse())
			g.Expect(filepath.Join(hostPath(dir, suspendSavepoint), "_metadata")).To(BeAnExistingFile())
			g.Eventually(func(g Gomega) {
				pods := &corev1.PodList{}
				g.Expect(k8s.List(ctx, pods, client.InNamespace(namespace), client.MatchingLabels{resources.LabelApp: name})).To(Succeed())
				g.Expect(pods.Items).To(BeEmpty())
			}, timeout, interval).Should(Succeed())

			// Resume from the suspend savepoint.
			update(g, deployment, func(d *flinkv1beta1.FlinkDeployment) { d.Spec.Job.State = flinkv1beta1.JobStateRunning })
			eventuallyReady(g, deployment)
			eventuallyRunning(g, name, func(g Gomega, statistics flink.CheckpointStatistics) {
				g.Expect(statistics.Latest.Restored).NotTo(BeNil())
				g.Expect(samePath(statistics.Latest.Restored.ExternalPath, suspendSavepoint)).To(BeTrue(),
					"the resumed job restores the suspend savepoint (%s), not %s", suspendSavepoint, statistics.Latest.Restored.ExternalPath)
			})

			// Deletion: savepoint-on-deletion takes one more savepoint; nothing of the cluster is left.
			before := savepointDirs(g, dir)
			deleteAndExpectGone(g, deployment)
			g.Expect(len(savepointDirs(g, dir))).To(Equal(len(before)+1), "a savepoint on deletion (had %v)", before)
		})
	}
}

// savepointDirs lists the completed savepoints (directories with a _metadata file) under dir/savepoints.
func savepointDirs(g Gomega, dir string) []string {
	entries, err := os.ReadDir(filepath.Join(dir, "savepoints"))
	if os.IsNotExist(err) {
		return nil
	}
	g.Expect(err).NotTo(HaveOccurred())
	var names []string
	for _, entry := range entries {
		if _, err := os.Stat(filepath.Join(dir, "savepoints", entry.Name(), "_metadata")); err == nil {
			names = append(names, entry.Name())
		}
	}
	return names
}

// expectTaskManagerPodsRunning: Ready means the job runs, so its TaskManager pods are Running and ready.
func expectTaskManagerPodsRunning(g Gomega, name string) {
	pods := &corev1.PodList{}
	g.Expect(k8s.List(context.Background(), pods, client.InNamespace(namespace),
		client.MatchingLabels{resources.LabelApp: name, resources.LabelComponent: resources.ComponentTaskManager})).To(Succeed())
	g.Expect(pods.Items).NotTo(BeEmpty())
	for _, pod := range pods.Items {
		g.Expect(pod.Status.Phase).To(Equal(corev1.PodRunning), "TaskManager pod %s", pod.Name)
	}
}
