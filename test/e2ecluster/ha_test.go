package e2ecluster

import (
	"context"
	"strings"
	"testing"

	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
	"github.com/teal-flink/teal/internal/flink"
	"github.com/teal-flink/teal/internal/resources"
)

// TestKubernetesHALastState runs the native application with Flink's Kubernetes HA (its own HA
// ConfigMaps) and upgradeMode last-state: deleting the JobManager pod makes Flink recover the same job from its
// latest checkpoint (the checkpoint ids continue); a last-state upgrade restores the new job from the latest
// checkpoint without a savepoint; deleting the resource removes the HA ConfigMaps with everything else.
func TestKubernetesHALastState(t *testing.T) {
	t.Parallel()
	for _, flinkVersion := range flinkVersions {
		t.Run(flinkVersion.name, func(t *testing.T) {
			t.Parallel()
			keepOnFailure(t)
			g := NewWithT(t)
			ctx := context.Background()
			name := "ha-" + versionSuffix(flinkVersion.name)
			dir := stateDir(g, name)
			deployment := loadSample(g, "flinkdeployment-application.yaml")
			deployment.Name, deployment.Namespace = name, namespace
			deployment.Spec.Image, deployment.Spec.FlinkVersion = flinkVersion.image, flinkVersion.version
			deployment.Spec.Job.UpgradeMode = flinkv1beta1.UpgradeModeLastState
			smallResources(deployment)
			withStateVolume(deployment, dir)
			setConfig(g, deployment, map[string]string{"state.savepoints.dir": "", "state.checkpoints.dir": ""})
			setConfig(g, deployment, stateKeys(flinkVersion.version))
			setConfig(g, deployment, map[string]string{
				"high-availability.type":           "kubernetes",
				"high-availability.storageDir":     "file://" + flinkDataMount + "/ha",
				"execution.checkpointing.interval": "2s",
			})
			t.Cleanup(func() { _ = client.IgnoreNotFound(k8s.Delete(ctx, deployment)) })
			g.Expect(k8s.Create(ctx, deployment)).To(Succeed())

			eventuallyReady(g, deployment)
			jobID, statistics := eventuallyRunning(g, name, completedCheckpoint)
			g.Expect(statistics.Latest.Restored).To(BeNil())
			g.Expect(haConfigMaps(g, name)).NotTo(BeEmpty(), "Flink keeps its HA metadata in ConfigMaps")

			// The JobManager pod goes: Kubernetes starts another, and Flink's HA recovers the same job from its
			// latest checkpoint.
			before := runningCheckpoint(g, name)
			oldPod := jobManagerPod(g, name)
			g.Expect(k8s.Delete(ctx, &oldPod)).To(Succeed())
			recoveredJob, recovered := eventuallyRunning(g, name, func(g Gomega, statistics flink.CheckpointStatistics) {
				g.Expect(jobManagerPod(g, name).UID).NotTo(Equal(oldPod.UID))
				g.Expect(statistics.Latest.Restored).NotTo(BeNil(), "the recovered job restores a checkpoint")
			})
			g.Expect(recoveredJob).To(Equal(jobID), "HA recovers the same job")
			g.Expect(recovered.Latest.Restored.IsSavepoint).To(BeFalse())
			g.Expect(recovered.Latest.Restored.ID).To(BeNumerically(">=", before), "the checkpoint ids continue")
			ready := eventuallyReady(g, deployment)
			g.Expect(ready.Status.JobStatus.JobID).To(Equal(jobID))

			// A last-state upgrade: no savepoint, the new job starts from the latest checkpoint.
			eventuallyRunning(g, name, func(g Gomega, statistics flink.CheckpointStatistics) {
				g.Expect(statistics.Latest.Completed).NotTo(BeNil())
				g.Expect(statistics.Latest.Completed.ID).To(BeNumerically(">", recovered.Latest.Restored.ID))
			})
			beforeUpgrade := runningCheckpoint(g, name)
			update(g, deployment, func(d *flinkv1beta1.FlinkDeployment) {
				setConfig(g, d, map[string]string{"execution.checkpointing.interval": "3s"})
			})
			upgraded := eventuallyReady(g, deployment)
			g.Expect(upgraded.Status.JobStatus.SavepointInfo == nil || upgraded.Status.JobStatus.SavepointInfo.LastSavepoint == nil).
				To(BeTrue(), "last-state takes no savepoint")
			_, restored := eventuallyRunning(g, name, func(g Gomega, statistics flink.CheckpointStatistics) {
				g.Expect(statistics.Latest.Restored).NotTo(BeNil(), "the upgraded job restores the latest checkpoint")
			})
			g.Expect(restored.Latest.Restored.IsSavepoint).To(BeFalse())
			g.Expect(restored.Latest.Restored.ID).To(BeNumerically(">=", beforeUpgrade), "the checkpoint ids continue")

			deleteAndExpectGone(g, deployment)
			g.Expect(haConfigMaps(g, name)).To(BeEmpty(), "the HA ConfigMaps go with the resource")
		})
	}
}

// completedCheckpoint: the job has completed a checkpoint.
func completedCheckpoint(g Gomega, statistics flink.CheckpointStatistics) {
	g.Expect(statistics.Latest.Completed).NotTo(BeNil())
}

// runningCheckpoint is the id of the newest completed checkpoint of the running job.
func runningCheckpoint(g Gomega, name string) int64 {
	_, statistics := eventuallyRunning(g, name, completedCheckpoint)
	return statistics.Latest.Completed.ID
}

// haConfigMaps lists the ConfigMaps Flink's Kubernetes HA services keep for the cluster: labelled
// configmap-type=high-availability by Flink 1.x; Flink 2.x labels them only app and type, so they are found by
// Flink's names (<cluster id>-cluster-config-map, <cluster id>-<job id>-config-map).
func haConfigMaps(g Gomega, name string) []string {
	list := &corev1.ConfigMapList{}
	g.Expect(k8s.List(context.Background(), list, client.InNamespace(namespace), client.MatchingLabels{resources.LabelApp: name})).To(Succeed())
	var names []string
	for _, item := range list.Items {
		if item.Labels["configmap-type"] == "high-availability" || item.Name == name+"-cluster-config-map" ||
			(strings.HasPrefix(item.Name, name+"-") && strings.HasSuffix(item.Name, "-config-map") && len(item.Name) == len(name)+1+32+len("-config-map")) {
			names = append(names, item.Name)
		}
	}
	return names
}

// jobManagerPod is the cluster's one running JobManager pod.
func jobManagerPod(g Gomega, name string) corev1.Pod {
	pods := &corev1.PodList{}
	g.Expect(k8s.List(context.Background(), pods, client.InNamespace(namespace),
		client.MatchingLabels{resources.LabelApp: name, resources.LabelComponent: resources.ComponentJobManager})).To(Succeed())
	var running []corev1.Pod
	for _, pod := range pods.Items {
		if pod.DeletionTimestamp.IsZero() && pod.Status.Phase == corev1.PodRunning {
			running = append(running, pod)
		}
	}
	g.Expect(running).To(HaveLen(1))
	return running[0]
}
