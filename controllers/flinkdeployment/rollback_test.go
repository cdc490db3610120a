package flinkdeployment_test

import (
	"context"
	"testing"

	"github.com/fluxcd/pkg/runtime/conditions"
	. "github.com/onsi/gomega"
	appsv1 "k8s.io/api/apps/v1"
	eventsv1 "k8s.io/api/events/v1"
	"sigs.k8s.io/cli-utils/pkg/kstatus/status"
	"sigs.k8s.io/controller-runtime/pkg/client"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
	"github.com/teal-flink/teal/internal/operatorconfig"
	"github.com/teal-flink/teal/test/builders"
	"github.com/teal-flink/teal/test/sim/localruntime"
)

// An upgrade that does not become ready within the readiness timeout is rolled back to the last stable spec,
// restored from the savepoint the upgrade took; the commit is reported failed until a fix is committed.
func TestFailedUpgradeRollsBackToTheStableSpec(t *testing.T) {
	g := NewWithT(t)
	ctx := context.Background()
	deployment := newDeployment(g, "rollback", builders.WithUpgradeMode(flinkv1beta1.UpgradeModeSavepoint),
		// Rollback needs HA, as upstream validates; the stand-in does not model HA metadata, so the stable spec
		// restores the upgrade's savepoint as a job without HA state would.
		builders.WithConfig(operatorconfig.KeyRollbackEnabled, "true", operatorconfig.KeyReadinessTimeout, "2 s",
			"high-availability.type", "kubernetes", "high-availability.storageDir", "file:///tmp/teal-ha"))
	stableSpec := deployment.Status.ReconciliationStatus.LastStableSpec
	stableImage := deployment.Spec.Image

	update(g, deployment, func(d *flinkv1beta1.FlinkDeployment) { d.Spec.Image = brokenImage })
	var rolledBack *flinkv1beta1.FlinkDeployment
	g.Eventually(func(g Gomega) {
		current := get(g, deployment)
		if current.Status.ObservedGeneration < current.Generation {
			g.Expect(kstatus(g, current)).To(Equal(status.InProgressStatus))
		}
		g.Expect(current.Status.ReconciliationStatus.State).To(Equal(flinkv1beta1.ReconciliationStateRolledBack))
		g.Expect(current.Status.JobStatus.State).To(Equal(flinkv1beta1.JobStatusRunning))
		g.Expect(current.Status.ObservedGeneration).To(Equal(current.Generation))
		g.Expect(conditions.GetReason(current, flinkv1beta1.ConditionStalled)).To(Equal(flinkv1beta1.ReasonRolledBack))
		g.Expect(kstatus(g, current)).To(Equal(status.FailedStatus), "the commit failed, though the stable spec serves")
		rolledBack = current
	}, timeout, interval).Should(Succeed())

	g.Expect(rolledBack.Status.LifecycleState).To(Equal(flinkv1beta1.LifecycleStateRolledBack))
	g.Expect(rolledBack.Status.ReconciliationStatus.LastStableSpec).To(Equal(stableSpec), "the failed spec never became stable")
	g.Expect(rolledBack.Status.ReconciliationStatus.LastReconciledSpec).To(ContainSubstring(brokenImage),
		"the failed spec stays the reconciled one, so it is not retried until the spec changes")
	g.Expect(conditions.IsFalse(rolledBack, flinkv1beta1.ConditionReady)).To(BeTrue())
	jobManager := &appsv1.Deployment{}
	g.Expect(env.Client.Get(ctx, client.ObjectKey{Namespace: deployment.Namespace, Name: "rollback"}, jobManager)).To(Succeed())
	g.Expect(jobManager.Spec.Template.Spec.Containers[0].Image).To(Equal(stableImage))
	restored, _, _ := restoredFrom(g, rolledBack)
	upgradeSavepoint := rolledBack.Status.JobStatus.SavepointInfo.LastSavepoint.Location
	g.Expect(restored).To(Equal(upgradeSavepoint), "the stable spec restores the savepoint taken before the failed upgrade")
	g.Expect(runtime.Starts(deployment.Namespace, deployment.Name)).To(Equal(3), "stable, failed upgrade, stable again")
	g.Expect(warningEvents(g, rolledBack, flinkv1beta1.ReasonRollingBack)).To(HaveLen(1))

	// Nothing more happens until the spec changes: no second rollback, no retry of the failed spec — checked
	// after the controller has observed the rolled-back job several more times (the stand-in's request count).
	server := localruntime.Server(runtime.Cluster(deployment.Namespace, deployment.Name))
	g.Expect(server).NotTo(BeNil())
	seen := server.Requests()
	g.Eventually(server.Requests, timeout, interval).Should(BeNumerically(">=", seen+3), "the controller keeps observing the job")
	g.Consistently(func(g Gomega) {
		g.Expect(get(g, deployment).Status.ReconciliationStatus.State).To(Equal(flinkv1beta1.ReconciliationStateRolledBack))
	}, "1s", interval).Should(Succeed())
	g.Expect(runtime.Starts(deployment.Namespace, deployment.Name)).To(Equal(3))

	// A fix is an ordinary upgrade from the rolled-back job (given a readiness timeout a slow machine cannot
	// exceed).
	update(g, deployment, func(d *flinkv1beta1.FlinkDeployment) {
		d.Spec.Image = "flink:1.20.1"
		builders.WithConfig(operatorconfig.KeyReadinessTimeout, "1 min")(d)
	})
	fixed := eventuallyReady(g, deployment)
	g.Expect(fixed.Generation).To(BeEquivalentTo(3))
	g.Expect(fixed.Status.LifecycleState).To(Equal(flinkv1beta1.LifecycleStateStable))
	g.Expect(fixed.Status.ReconciliationStatus.State).To(Equal(flinkv1beta1.ReconciliationStateDeployed))
	restored, _, _ = restoredFrom(g, fixed)
	g.Expect(restored).To(Equal(fixed.Status.JobStatus.SavepointInfo.LastSavepoint.Location))
	g.Expect(restored).NotTo(Equal(upgradeSavepoint), "the fix starts from the rolled-back job's own savepoint")
}

// warningEvents returns the deployment's Warning events with reason.
func warningEvents(g Gomega, deployment *flinkv1beta1.FlinkDeployment, reason string) []eventsv1.Event {
	events := &eventsv1.EventList{}
	g.Expect(env.Client.List(context.Background(), events, client.InNamespace(deployment.Namespace))).To(Succeed())
	var found []eventsv1.Event
	for _, event := range events.Items {
		if event.Type == "Warning" && event.Reason == reason && event.Regarding.Name == deployment.Name {
			found = append(found, event)
		}
	}
	return found
}
