package flinkdeployment_test

import (
	"context"
	"os"
	"testing"

	"github.com/fluxcd/pkg/runtime/conditions"
	. "github.com/onsi/gomega"
	appsv1 "k8s.io/api/apps/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"sigs.k8s.io/cli-utils/pkg/kstatus/status"
	"sigs.k8s.io/controller-runtime/pkg/client"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
	"github.com/teal-flink/teal/test/builders"
	"github.com/teal-flink/teal/test/sim/localruntime"
)

// update applies change to the latest version of deployment.
func update(g Gomega, deployment *flinkv1beta1.FlinkDeployment, change func(*flinkv1beta1.FlinkDeployment)) {
	g.Eventually(func() error {
		current := get(g, deployment)
		change(current)
		return env.Client.Update(context.Background(), current)
	}, timeout, interval).Should(Succeed())
}

func newDeployment(g Gomega, name string, options ...builders.DeploymentOption) *flinkv1beta1.FlinkDeployment {
	namespace := newNamespace(g)
	all := append([]builders.DeploymentOption{builders.InNamespace(namespace), builders.WithConfig(stateConfig(namespace)...)}, options...)
	deployment := builders.NewFlinkDeployment(name, all...)
	g.Expect(env.Client.Create(context.Background(), deployment)).To(Succeed())
	return eventuallyReady(g, deployment)
}

func TestUpgradeModes(t *testing.T) {
	cases := []struct {
		mode flinkv1beta1.UpgradeMode
		// restores says what the new job starts from: the upgrade savepoint, the last checkpoint or nothing.
		restores string
	}{
		{flinkv1beta1.UpgradeModeSavepoint, "savepoint"},
		// Without HA and before a first checkpoint, last-state falls back to a savepoint.
		{flinkv1beta1.UpgradeModeLastState, "savepoint"},
		{flinkv1beta1.UpgradeModeStateless, ""},
	}
	for _, tc := range cases {
		t.Run(string(tc.mode), func(t *testing.T) {
			g := NewWithT(t)
			deployment := newDeployment(g, "upgrade", builders.WithUpgradeMode(tc.mode))
			_, _, checkpointBefore := restoredFrom(g, deployment)

			update(g, deployment, func(d *flinkv1beta1.FlinkDeployment) { d.Spec.Image = "flink:1.20.1" })
			current := eventuallyReady(g, deployment)
			g.Expect(current.Generation).To(BeEquivalentTo(2))
			g.Expect(current.Status.LifecycleState).To(Equal(flinkv1beta1.LifecycleStateStable))
			g.Expect(runtime.Starts(current.Namespace, current.Name)).To(Equal(2))

			restored, restoredID, _ := restoredFrom(g, current)
			switch tc.restores {
			case "savepoint":
				savepoint := current.Status.JobStatus.SavepointInfo.LastSavepoint
				g.Expect(savepoint).NotTo(BeNil())
				g.Expect(savepoint.TriggerType).To(Equal(flinkv1beta1.SnapshotTriggerUpgrade))
				g.Expect(restored).To(Equal(savepoint.Location))
				g.Expect(current.Status.JobStatus.UpgradeSavepointPath).To(Equal(savepoint.Location))
				g.Expect(localPath(savepoint.Location)).To(BeADirectory())
				g.Expect(current.Status.JobStatus.SavepointInfo.SavepointHistory).To(HaveLen(1), "exactly one savepoint")
				g.Expect(restoredID).To(BeNumerically(">=", checkpointBefore), "the restored checkpoint is the old job's")
				g.Expect(triggerCheckpoint(g, current)).To(BeNumerically(">", restoredID), "the checkpoint counter continues from the old job")
			default:
				g.Expect(restored).To(BeEmpty(), "a stateless upgrade starts empty")
				g.Expect(current.Status.JobStatus.UpgradeSavepointPath).To(BeEmpty())
			}
		})
	}
}

func TestSuspendAndResume(t *testing.T) {
	g := NewWithT(t)
	ctx := context.Background()
	deployment := newDeployment(g, "suspend", builders.WithUpgradeMode(flinkv1beta1.UpgradeModeSavepoint))

	update(g, deployment, func(d *flinkv1beta1.FlinkDeployment) { d.Spec.Job.State = flinkv1beta1.JobStateSuspended })
	suspended := eventuallyReady(g, deployment)
	g.Expect(suspended.Status.LifecycleState).To(Equal(flinkv1beta1.LifecycleStateSuspended))
	g.Expect(suspended.Status.JobStatus.State).To(Equal(flinkv1beta1.JobStatusSuspended))
	g.Expect(conditions.GetReason(suspended, flinkv1beta1.ConditionReady)).To(Equal(flinkv1beta1.ReasonSuspended))
	savepoint := suspended.Status.JobStatus.SavepointInfo.LastSavepoint.Location
	g.Expect(suspended.Status.JobStatus.UpgradeSavepointPath).To(Equal(savepoint))
	err := env.Client.Get(ctx, client.ObjectKey{Namespace: deployment.Namespace, Name: deployment.Name}, &appsv1.Deployment{})
	g.Expect(apierrors.IsNotFound(err)).To(BeTrue(), "a suspended job releases its cluster")
	g.Expect(runtime.Cluster(deployment.Namespace, deployment.Name)).To(BeNil())

	update(g, deployment, func(d *flinkv1beta1.FlinkDeployment) { d.Spec.Job.State = flinkv1beta1.JobStateRunning })
	resumed := eventuallyReady(g, deployment)
	g.Expect(resumed.Status.LifecycleState).To(Equal(flinkv1beta1.LifecycleStateStable))
	restored, _, _ := restoredFrom(g, resumed)
	g.Expect(restored).To(Equal(savepoint))
}

// Suspending keeps status.jobStatus.jobId, as upstream does: the suspended job's retained checkpoints are under
// <checkpoints dir>/<jobId>. The removal is recorded in status.clusterRemovedJobId, which the resume clears.
func TestSuspendKeepsJobID(t *testing.T) {
	g := NewWithT(t)
	deployment := newDeployment(g, "suspend-job-id", builders.WithUpgradeMode(flinkv1beta1.UpgradeModeSavepoint))
	jobID := deployment.Status.JobStatus.JobID
	g.Expect(jobID).NotTo(BeEmpty())

	update(g, deployment, func(d *flinkv1beta1.FlinkDeployment) { d.Spec.Job.State = flinkv1beta1.JobStateSuspended })
	suspended := eventuallyReady(g, deployment)
	g.Expect(suspended.Status.JobStatus.State).To(Equal(flinkv1beta1.JobStatusSuspended))
	g.Expect(suspended.Status.JobStatus.JobID).To(Equal(jobID), "the suspended job's id stays on record")
	g.Expect(suspended.Status.ClusterRemovedJobID).To(Equal(jobID))

	update(g, deployment, func(d *flinkv1beta1.FlinkDeployment) { d.Spec.Job.State = flinkv1beta1.JobStateRunning })
	g.Eventually(func(g Gomega) {
		resumed := get(g, deployment)
		g.Expect(resumed.Status.ObservedGeneration).To(Equal(resumed.Generation))
		g.Expect(kstatus(g, resumed)).To(Equal(status.CurrentStatus))
		g.Expect(resumed.Status.JobStatus.JobID).NotTo(BeEmpty())
		g.Expect(resumed.Status.JobStatus.JobID).NotTo(Equal(jobID), "the resumed job is a new job")
		g.Expect(resumed.Status.ClusterRemovedJobID).To(BeEmpty(), "the new cluster's job is on record")
	}, timeout, interval).Should(Succeed())
}

// A job suspended by the Apache operator (jobStatus.jobId kept, state SUSPENDED, no clusterRemovedJobId, which
// upstream does not know) resumes from its savepoint under Teal: its missing cluster was removed, not lost.
func TestSuspendedByUpstreamResumesFromItsSavepoint(t *testing.T) {
	g := NewWithT(t)
	ctx := context.Background()
	deployment := newDeployment(g, "upstream-suspended", builders.WithUpgradeMode(flinkv1beta1.UpgradeModeSavepoint))
	update(g, deployment, func(d *flinkv1beta1.FlinkDeployment) { d.Spec.Job.State = flinkv1beta1.JobStateSuspended })
	suspended := eventuallyReady(g, deployment)
	g.Expect(suspended.Status.JobStatus.JobID).NotTo(BeEmpty())
	savepoint := suspended.Status.JobStatus.UpgradeSavepointPath
	g.Expect(savepoint).NotTo(BeEmpty())
	// The status as the Apache operator leaves it after a suspend.
	g.Eventually(func(g Gomega) {
		current := get(g, deployment)
		current.Status.ClusterRemovedJobID = ""
		g.Expect(env.Client.Status().Update(ctx, current)).To(Succeed())
	}, timeout, interval).Should(Succeed())

	update(g, deployment, func(d *flinkv1beta1.FlinkDeployment) { d.Spec.Job.State = flinkv1beta1.JobStateRunning })
	resumed := eventuallyReady(g, deployment)
	g.Expect(resumed.Status.LifecycleState).To(Equal(flinkv1beta1.LifecycleStateStable))
	restored, _, _ := restoredFrom(g, resumed)
	g.Expect(restored).To(Equal(savepoint))
}

func TestRestartNonceRestartsFromASavepoint(t *testing.T) {
	g := NewWithT(t)
	deployment := newDeployment(g, "restart", builders.WithUpgradeMode(flinkv1beta1.UpgradeModeSavepoint))
	nonce := int64(1)
	update(g, deployment, func(d *flinkv1beta1.FlinkDeployment) { d.Spec.RestartNonce = &nonce })
	restarted := eventuallyReady(g, deployment)
	g.Expect(runtime.Starts(deployment.Namespace, deployment.Name)).To(Equal(2))
	restored, _, _ := restoredFrom(g, restarted)
	g.Expect(restored).To(Equal(restarted.Status.JobStatus.SavepointInfo.LastSavepoint.Location))
}

func TestSavepointRedeployAndInitialSavepoint(t *testing.T) {
	g := NewWithT(t)
	// A savepoint to start from: suspend a first deployment.
	source := newDeployment(g, "source", builders.WithUpgradeMode(flinkv1beta1.UpgradeModeSavepoint))
	update(g, source, func(d *flinkv1beta1.FlinkDeployment) { d.Spec.Job.State = flinkv1beta1.JobStateSuspended })
	savepoint := eventuallyReady(g, source).Status.JobStatus.UpgradeSavepointPath
	g.Expect(savepoint).NotTo(BeEmpty())

	fromSavepoint := newDeployment(g, "initial", builders.WithInitialSavepoint(savepoint))
	restored, _, _ := restoredFrom(g, fromSavepoint)
	g.Expect(restored).To(Equal(savepoint), "the first deployment restores initialSavepointPath")

	empty := newDeployment(g, "redeploy", builders.WithUpgradeMode(flinkv1beta1.UpgradeModeSavepoint))
	restored, _, _ = restoredFrom(g, empty)
	g.Expect(restored).To(BeEmpty())
	nonce := int64(1)
	update(g, empty, func(d *flinkv1beta1.FlinkDeployment) {
		d.Spec.Job.SavepointRedeployNonce = &nonce
		d.Spec.Job.InitialSavepointPath = savepoint
	})
	redeployed := eventuallyReady(g, empty)
	restored, _, _ = restoredFrom(g, redeployed)
	g.Expect(restored).To(Equal(savepoint), "savepointRedeployNonce restores initialSavepointPath")
	g.Expect(redeployed.Status.JobStatus.SavepointInfo).To(BeNil(), "a savepoint redeploy takes no savepoint of the old job")
}

func TestLostJobManagerIsRecovered(t *testing.T) {
	g := NewWithT(t)
	ctx := context.Background()
	deployment := newDeployment(g, "recover")
	g.Expect(env.Client.Delete(ctx, &appsv1.Deployment{ObjectMeta: objectMeta(deployment)})).To(Succeed())
	g.Eventually(func() int { return runtime.Starts(deployment.Namespace, deployment.Name) }, timeout, interval).Should(Equal(2))
	g.Eventually(func(g Gomega) {
		recovered := get(g, deployment)
		g.Expect(recovered.Status.JobStatus.State).To(Equal(flinkv1beta1.JobStatusRunning))
		g.Expect(recovered.Status.JobManagerDeploymentStatus).To(Equal(flinkv1beta1.JobManagerDeploymentReady))
		g.Expect(kstatus(g, recovered)).To(Equal(status.CurrentStatus))
	}, timeout, interval).Should(Succeed())
}

func TestLostJobManagerOfAStatefulJobNeedsAPerson(t *testing.T) {
	g := NewWithT(t)
	ctx := context.Background()
	deployment := newDeployment(g, "manual", builders.WithUpgradeMode(flinkv1beta1.UpgradeModeSavepoint))
	g.Expect(env.Client.Delete(ctx, &appsv1.Deployment{ObjectMeta: objectMeta(deployment)})).To(Succeed())
	g.Eventually(func(g Gomega) {
		current := get(g, deployment)
		g.Expect(kstatus(g, current)).To(Equal(status.FailedStatus))
		g.Expect(conditions.GetReason(current, flinkv1beta1.ConditionStalled)).To(Equal(flinkv1beta1.ReasonManualRestore))
		g.Expect(current.Status.LifecycleState).To(Equal(flinkv1beta1.LifecycleStateFailed))
	}, timeout, interval).Should(Succeed())
}

func TestFailingUpgradeStallsAndAFixRecovers(t *testing.T) {
	g := NewWithT(t)
	deployment := newDeployment(g, "failing", builders.WithUpgradeMode(flinkv1beta1.UpgradeModeSavepoint))
	update(g, deployment, func(d *flinkv1beta1.FlinkDeployment) { d.Spec.Image = brokenImage })
	g.Eventually(func(g Gomega) {
		current := get(g, deployment)
		g.Expect(current.Status.ObservedGeneration).To(Equal(current.Generation))
		g.Expect(kstatus(g, current)).To(Equal(status.FailedStatus))
		g.Expect(conditions.GetReason(current, flinkv1beta1.ConditionStalled)).To(Equal(flinkv1beta1.ReasonJobFailed))
		g.Expect(current.Status.LifecycleState).To(Equal(flinkv1beta1.LifecycleStateFailed))
	}, timeout, interval).Should(Succeed())

	update(g, deployment, func(d *flinkv1beta1.FlinkDeployment) { d.Spec.Image = "flink:1.20.1" })
	fixed := eventuallyReady(g, deployment)
	g.Expect(fixed.Generation).To(BeEquivalentTo(3))
	restored, _, _ := restoredFrom(g, fixed)
	g.Expect(restored).To(Equal(fixed.Status.JobStatus.SavepointInfo.LastSavepoint.Location),
		"the fix restores the savepoint taken before the failed upgrade")
}

func TestDeletion(t *testing.T) {
	for _, savepointOnDeletion := range []bool{false, true} {
		name := map[bool]string{false: "without savepoint", true: "with savepoint"}[savepointOnDeletion]
		t.Run(name, func(t *testing.T) {
			g := NewWithT(t)
			ctx := context.Background()
			options := []builders.DeploymentOption{builders.WithUpgradeMode(flinkv1beta1.UpgradeModeSavepoint)}
			if savepointOnDeletion {
				options = append(options, builders.WithConfig("kubernetes.operator.job.savepoint-on-deletion", "true"))
			}
			deployment := newDeployment(g, "delete", options...)
			savepoints := localPath(stateConfig(deployment.Namespace)[1])
			g.Expect(env.Client.Delete(ctx, deployment)).To(Succeed())
			g.Eventually(func() bool {
				return apierrors.IsNotFound(env.Client.Get(ctx, client.ObjectKeyFromObject(deployment), &flinkv1beta1.FlinkDeployment{}))
			}, timeout, interval).Should(BeTrue())
			err := env.Client.Get(ctx, client.ObjectKey{Namespace: deployment.Namespace, Name: deployment.Name}, &appsv1.Deployment{})
			g.Expect(apierrors.IsNotFound(err)).To(BeTrue())
			g.Eventually(func() any { return runtime.Cluster(deployment.Namespace, deployment.Name) }, timeout, interval).Should(BeNil())
			entries, _ := os.ReadDir(savepoints)
			if savepointOnDeletion {
				g.Expect(entries).To(HaveLen(1), "one savepoint taken on deletion")
			} else {
				g.Expect(entries).To(BeEmpty())
			}
		})
	}
}

func TestSessionClusterDeletionWaitsForItsJobs(t *testing.T) {
	g := NewWithT(t)
	ctx := context.Background()
	session := newDeployment(g, "session", builders.WithSessionCluster())
	job := &flinkv1beta1.FlinkSessionJob{}
	job.Namespace, job.Name = session.Namespace, "on-session"
	job.Spec = flinkv1beta1.FlinkSessionJobSpec{DeploymentName: session.Name, Job: &flinkv1beta1.JobSpec{JarURI: "https://example.org/job.jar", Parallelism: 1}}
	g.Expect(env.Client.Create(ctx, job)).To(Succeed())

	g.Expect(env.Client.Delete(ctx, session)).To(Succeed())
	g.Eventually(func(g Gomega) {
		current := get(g, session)
		g.Expect(current.Status.LifecycleState).To(Equal(flinkv1beta1.LifecycleStateDeleting))
		g.Expect(current.Status.Error).To(ContainSubstring("on-session"))
	}, timeout, interval).Should(Succeed())
	// It stays while the job exists: the JobManager keeps running — checked after the controller has observed
	// the session cluster several more times during the deletion (the stand-in's request count).
	server := localruntime.Server(runtime.Cluster(session.Namespace, session.Name))
	g.Expect(server).NotTo(BeNil())
	seen := server.Requests()
	g.Eventually(server.Requests, timeout, interval).Should(BeNumerically(">=", seen+3), "the controller keeps observing the cluster")
	g.Consistently(func() any { return runtime.Cluster(session.Namespace, session.Name) }, "1s", interval).ShouldNot(BeNil())

	g.Expect(env.Client.Delete(ctx, job)).To(Succeed())
	g.Eventually(func() bool {
		return apierrors.IsNotFound(env.Client.Get(ctx, client.ObjectKeyFromObject(session), &flinkv1beta1.FlinkDeployment{}))
	}, timeout, interval).Should(BeTrue())
}
