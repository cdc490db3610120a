package flinkdeployment_test

import (
	"context"
	"testing"

	. "github.com/onsi/gomega"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	eventsv1 "k8s.io/api/events/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/cli-utils/pkg/kstatus/status"
	"sigs.k8s.io/controller-runtime/pkg/client"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
	"github.com/teal-flink/teal/internal/conditions"
	"github.com/teal-flink/teal/test/builders"
)

// Defect 2: the JobManager Deployment of a stateful job without HA goes missing, and an upgrade is committed.
// The job checkpointed after the previous upgrade's savepoint, so deploying the new spec from that savepoint
// would rewind it: the upgrade stops with Stalled ManualRestoreRequired and a Warning event, starts no
// JobManager, and a person's chosen restore point (savepointRedeployNonce) then rolls it out.
func TestDefect2LostClusterMidUpgradeNeedsAPerson(t *testing.T) {
	g := NewWithT(t)
	ctx := context.Background()
	deployment := newDeployment(g, "lost-upgrade", builders.WithUpgradeMode(flinkv1beta1.UpgradeModeSavepoint))
	update(g, deployment, func(d *flinkv1beta1.FlinkDeployment) { d.Spec.Image = "flink:1.20.1" })
	upgraded := eventuallyReady(g, deployment)
	firstSavepoint := upgraded.Status.JobStatus.UpgradeSavepointPath
	g.Expect(firstSavepoint).NotTo(BeEmpty())
	checkpoint := triggerCheckpoint(g, upgraded)
	checkpointPath := latestCheckpointPath(g, upgraded)
	starts := runtime.Starts(deployment.Namespace, deployment.Name)

	g.Expect(env.Client.Delete(ctx, &appsv1.Deployment{ObjectMeta: objectMeta(deployment)})).To(Succeed())
	update(g, deployment, func(d *flinkv1beta1.FlinkDeployment) { d.Spec.Image = "flink:1.20.2" })
	var stalled *flinkv1beta1.FlinkDeployment
	g.Eventually(func(g Gomega) {
		stalled = get(g, deployment)
		g.Expect(stalled.Status.ObservedGeneration).To(Equal(stalled.Generation))
		g.Expect(conditions.GetReason(stalled, flinkv1beta1.ConditionStalled)).To(Equal(flinkv1beta1.ReasonManualRestore))
		g.Expect(kstatus(g, stalled)).To(Equal(status.FailedStatus))
		g.Expect(warningEvents(g, stalled, flinkv1beta1.ReasonManualRestore)).To(ContainElement(
			HaveField("Note", ContainSubstring("during the upgrade"))))
	}, timeout, interval).Should(Succeed())
	g.Expect(stalled.Status.Error).To(ContainSubstring(firstSavepoint), "the message names the savepoint that would rewind the job")
	// The Stalled outcome for this generation is the evidence the controller decided; it started nothing.
	g.Expect(runtime.Starts(deployment.Namespace, deployment.Name)).To(Equal(starts), "no JobManager restored from the old savepoint")
	err := env.Client.Get(ctx, client.ObjectKeyFromObject(deployment), &appsv1.Deployment{})
	g.Expect(apierrors.IsNotFound(err)).To(BeTrue(), "no JobManager Deployment was created: %v", err)

	// The person restores the newest retained checkpoint.
	update(g, deployment, func(d *flinkv1beta1.FlinkDeployment) {
		nonce := int64(1)
		d.Spec.Job.InitialSavepointPath, d.Spec.Job.SavepointRedeployNonce = checkpointPath, &nonce
	})
	restoredDeployment := eventuallyReady(g, deployment)
	restored, restoredID, _ := restoredFrom(g, restoredDeployment)
	g.Expect(restoredID).To(Equal(checkpoint))
	g.Expect(localPath(restored)).To(Equal(localPath(checkpointPath)))
}

// Defect 2 with HA: a cluster lost mid-upgrade resumes from Flink's HA metadata when its ConfigMaps prove it
// exists (upstream's isHaMetadataAvailable), and stops with ManualRestoreRequired while they do not. JobManager
// recovery is off here, so the lost cluster is not redeployed before the upgrade is committed.
func TestDefect2LostClusterResumesFromHAMetadata(t *testing.T) {
	g := NewWithT(t)
	ctx := context.Background()
	deployment := newDeployment(g, "lost-ha", builders.WithUpgradeMode(flinkv1beta1.UpgradeModeLastState),
		builders.WithConfig("kubernetes.operator.jm-deployment-recovery.enabled", "false",
			"high-availability.type", "kubernetes", "high-availability.storageDir", "file:///tmp/teal-ha"))
	g.Expect(env.Client.Delete(ctx, &appsv1.Deployment{ObjectMeta: objectMeta(deployment)})).To(Succeed())
	update(g, deployment, func(d *flinkv1beta1.FlinkDeployment) { d.Spec.Image = "flink:1.20.1" })
	g.Eventually(func(g Gomega) {
		current := get(g, deployment)
		g.Expect(current.Status.ObservedGeneration).To(Equal(current.Generation))
		g.Expect(conditions.GetReason(current, flinkv1beta1.ConditionStalled)).To(Equal(flinkv1beta1.ReasonManualRestore))
		g.Expect(current.Status.Error).To(ContainSubstring("HA metadata"))
	}, timeout, interval).Should(Succeed())
	g.Expect(runtime.Starts(deployment.Namespace, deployment.Name)).To(Equal(1), "nothing deployed without HA metadata")

	// Flink's HA services keep the job's checkpoints in these ConfigMaps (the stand-in does not model them).
	haConfigMap := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Namespace: deployment.Namespace, Name: deployment.Name + "-cluster-config-map",
		Labels: map[string]string{"app": deployment.Name, "configmap-type": "high-availability"}}}
	g.Expect(env.Client.Create(ctx, haConfigMap)).To(Succeed())
	upgraded := eventuallyReady(g, deployment)
	g.Expect(upgraded.Spec.Image).To(Equal("flink:1.20.1"))
	g.Expect(runtime.Starts(deployment.Namespace, deployment.Name)).To(Equal(2))
}

// Defect 2 for a running deployment: a lost JobManager under HA is redeployed only when Flink's HA ConfigMaps
// prove the job's state survives; without them the new JobManager would start from the last recorded savepoint,
// so the deployment stops with ManualRestoreRequired instead (upstream: "HA metadata not available").
func TestDefect2LostJobManagerWithoutHAMetadataNeedsAPerson(t *testing.T) {
	g := NewWithT(t)
	ctx := context.Background()
	deployment := newDeployment(g, "lost-ha-data", builders.WithUpgradeMode(flinkv1beta1.UpgradeModeLastState),
		builders.WithConfig("high-availability.type", "kubernetes", "high-availability.storageDir", "file:///tmp/teal-ha"))
	g.Expect(env.Client.Delete(ctx, &appsv1.Deployment{ObjectMeta: objectMeta(deployment)})).To(Succeed())
	g.Eventually(func(g Gomega) {
		current := get(g, deployment)
		g.Expect(conditions.GetReason(current, flinkv1beta1.ConditionStalled)).To(Equal(flinkv1beta1.ReasonManualRestore))
		g.Expect(current.Status.Error).To(ContainSubstring("HA metadata"))
		g.Expect(current.Status.LifecycleState).To(Equal(flinkv1beta1.LifecycleStateFailed))
		g.Expect(warningEvents(g, current, flinkv1beta1.ReasonManualRestore)).NotTo(BeEmpty())
	}, timeout, interval).Should(Succeed())
	g.Expect(runtime.Starts(deployment.Namespace, deployment.Name)).To(Equal(1), "not redeployed without HA metadata")

	haConfigMap := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Namespace: deployment.Namespace, Name: deployment.Name + "-cluster-config-map",
		Labels: map[string]string{"app": deployment.Name, "configmap-type": "high-availability"}}}
	g.Expect(env.Client.Create(ctx, haConfigMap)).To(Succeed())
	g.Eventually(func() int { return runtime.Starts(deployment.Namespace, deployment.Name) }, timeout, interval).Should(Equal(2))
	g.Eventually(func(g Gomega) {
		recovered := get(g, deployment)
		g.Expect(recovered.Status.JobStatus.State).To(Equal(flinkv1beta1.JobStatusRunning))
		g.Expect(kstatus(g, recovered)).To(Equal(status.CurrentStatus))
	}, timeout, interval).Should(Succeed())
}

// TestLostJobManagerResumesFromFlink2HAConfigMaps: Flink 2.x labels its HA ConfigMaps only app and type (seen
// on real 2.3.0 pods), and the HA-data check that looked for configmap-type=high-availability took a 2.x cluster's
// surviving HA data for gone: the lost JobManager was never redeployed (ManualRestoreRequired). Recognised by
// Flink's names, as on deletion, it resumes the job.
func TestLostJobManagerResumesFromFlink2HAConfigMaps(t *testing.T) {
	g := NewWithT(t)
	ctx := context.Background()
	deployment := newDeployment(g, "lost-ha-2x", builders.WithUpgradeMode(flinkv1beta1.UpgradeModeLastState),
		builders.WithConfig("high-availability.type", "kubernetes", "high-availability.storageDir", "file:///tmp/teal-ha"))
	haConfigMap := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Namespace: deployment.Namespace, Name: deployment.Name + "-cluster-config-map",
		Labels: map[string]string{"app": deployment.Name, "type": "flink-native-kubernetes"}}}
	g.Expect(env.Client.Create(ctx, haConfigMap)).To(Succeed())
	g.Expect(env.Client.Delete(ctx, &appsv1.Deployment{ObjectMeta: objectMeta(deployment)})).To(Succeed())
	g.Eventually(func() int { return runtime.Starts(deployment.Namespace, deployment.Name) }, timeout, interval).Should(Equal(2))
	g.Eventually(func(g Gomega) {
		recovered := get(g, deployment)
		g.Expect(recovered.Status.JobStatus.State).To(Equal(flinkv1beta1.JobStatusRunning))
		g.Expect(conditions.GetReason(recovered, flinkv1beta1.ConditionStalled)).NotTo(Equal(flinkv1beta1.ReasonManualRestore))
		g.Expect(kstatus(g, recovered)).To(Equal(status.CurrentStatus))
	}, timeout, interval).Should(Succeed())
}

// Defect 2 (upstream's last-state.max.allowed.checkpoint.age): a last-state upgrade whose latest checkpoint is
// older than the maximum age hands the state over through a savepoint instead of the old checkpoint.
func TestMaxCheckpointAgeHandsStateOverBySavepoint(t *testing.T) {
	g := NewWithT(t)
	deployment := newDeployment(g, "max-age", builders.WithUpgradeMode(flinkv1beta1.UpgradeModeLastState))
	checkpoint := triggerCheckpoint(g, deployment)

	update(g, deployment, func(d *flinkv1beta1.FlinkDeployment) {
		d.Spec.Image = "flink:1.20.1"
		builders.WithConfig("kubernetes.operator.job.upgrade.last-state.max.allowed.checkpoint.age", "1 ms")(d)
	})
	current := eventuallyReady(g, deployment)
	savepoint := current.Status.JobStatus.SavepointInfo.LastSavepoint
	g.Expect(savepoint).NotTo(BeNil(), "a savepoint replaced the too old checkpoint")
	restored, restoredID, _ := restoredFrom(g, current)
	g.Expect(restored).To(Equal(savepoint.Location))
	g.Expect(restoredID).To(BeNumerically(">", checkpoint))
}

// Defect 3: kubernetes.operator.jm-deployment.shutdown-ttl removes the JobManager of a bounded job that
// finished; the resource stays Ready (Finished) with jobStatus FINISHED, is not recovered, and an event says why.
func TestDefect3FinishedJobManagerShutDownAfterTTL(t *testing.T) {
	g := NewWithT(t)
	ctx := context.Background()
	namespace := newNamespace(g)
	deployment := builders.NewFlinkDeployment("bounded-ttl", builders.InNamespace(namespace),
		builders.WithConfig(stateConfig(namespace)...),
		builders.WithConfig("kubernetes.operator.jm-deployment.shutdown-ttl", "1 s"),
		func(d *flinkv1beta1.FlinkDeployment) { d.Spec.Job.Args = []string{"--input", "/tmp/cars.txt"} })
	g.Expect(env.Client.Create(ctx, deployment)).To(Succeed())
	g.Eventually(func(g Gomega) {
		current := get(g, deployment)
		err := env.Client.Get(ctx, client.ObjectKeyFromObject(deployment), &appsv1.Deployment{})
		g.Expect(apierrors.IsNotFound(err)).To(BeTrue(), "JobManager Deployment still there: %v", err)
		g.Expect(current.Status.JobManagerDeploymentStatus).To(Equal(flinkv1beta1.JobManagerDeploymentMissing))
		g.Expect(current.Status.JobStatus.State).To(Equal(flinkv1beta1.JobStatusFinished))
		g.Expect(current.Status.ObservedGeneration).To(Equal(current.Generation))
		g.Expect(conditions.GetReason(current, flinkv1beta1.ConditionReady)).To(Equal(flinkv1beta1.ReasonFinished))
		g.Expect(kstatus(g, current)).To(Equal(status.CurrentStatus))
		g.Expect(normalEvents(g, current, flinkv1beta1.ReasonFinished)).To(ContainElement(
			HaveField("Note", ContainSubstring("shutdown-ttl"))))
	}, timeout, interval).Should(Succeed())

	// The recovery would be decided by a reconcile after the deletion: prove one ran before asserting none
	// happened. An operator-only setting changes nothing in the cluster, so the generation it bumps reaches its
	// outcome (observedGeneration) in a reconcile that saw the JobManager Deployment gone.
	update(g, deployment, func(d *flinkv1beta1.FlinkDeployment) {
		builders.WithConfig("kubernetes.operator.jm-deployment.shutdown-ttl", "2 s")(d)
	})
	looked := eventuallyReady(g, deployment)
	g.Expect(conditions.GetReason(looked, flinkv1beta1.ConditionReady)).To(Equal(flinkv1beta1.ReasonFinished))
	err := env.Client.Get(ctx, client.ObjectKeyFromObject(deployment), &appsv1.Deployment{})
	g.Expect(apierrors.IsNotFound(err)).To(BeTrue(), "a finished job's JobManager is not redeployed: %v", err)
	g.Expect(runtime.Starts(namespace, deployment.Name)).To(Equal(1), "a finished job's cluster is not recovered")
}

// The finished-job TTL cleanup keeps status.jobStatus.jobId, as upstream does: the job's retained checkpoints
// are under <checkpoints dir>/<jobId>. The removal is recorded in status.clusterRemovedJobId.
func TestShutdownTTLKeepsJobID(t *testing.T) {
	g := NewWithT(t)
	ctx := context.Background()
	namespace := newNamespace(g)
	deployment := builders.NewFlinkDeployment("bounded-job-id", builders.InNamespace(namespace),
		builders.WithConfig(stateConfig(namespace)...),
		builders.WithConfig("kubernetes.operator.jm-deployment.shutdown-ttl", "1 s"),
		func(d *flinkv1beta1.FlinkDeployment) { d.Spec.Job.Args = []string{"--input", "/tmp/cars.txt"} })
	g.Expect(env.Client.Create(ctx, deployment)).To(Succeed())
	var jobID string
	g.Eventually(func(g Gomega) {
		current := get(g, deployment)
		g.Expect(current.Status.JobStatus.State).To(Equal(flinkv1beta1.JobStatusFinished))
		jobID = current.Status.JobStatus.JobID
	}, timeout, interval).Should(Succeed())
	g.Expect(jobID).NotTo(BeEmpty())
	g.Eventually(func(g Gomega) {
		current := get(g, deployment)
		g.Expect(current.Status.JobManagerDeploymentStatus).To(Equal(flinkv1beta1.JobManagerDeploymentMissing))
		g.Expect(current.Status.JobStatus.JobID).To(Equal(jobID), "the finished job's id stays on record")
		g.Expect(current.Status.ClusterRemovedJobID).To(Equal(jobID))
	}, timeout, interval).Should(Succeed())
}

func normalEvents(g Gomega, deployment *flinkv1beta1.FlinkDeployment, reason string) []eventsv1.Event {
	events := &eventsv1.EventList{}
	g.Expect(env.Client.List(context.Background(), events, client.InNamespace(deployment.Namespace))).To(Succeed())
	var found []eventsv1.Event
	for _, event := range events.Items {
		if event.Type == "Normal" && event.Reason == reason && event.Regarding.Name == deployment.Name {
			found = append(found, event)
		}
	}
	return found
}

// latestCheckpointPath is where the running job's latest completed checkpoint lives.
func latestCheckpointPath(g Gomega, deployment *flinkv1beta1.FlinkDeployment) string {
	c := jobClient(g, deployment)
	statistics, err := c.CheckpointStatistics(context.Background(), deployment.Status.JobStatus.JobID)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(statistics.Latest.Completed).NotTo(BeNil())
	return statistics.Latest.Completed.ExternalPath
}
