package flinksessionjob_test

import (
	"context"
	"strings"
	"testing"

	"github.com/fluxcd/pkg/runtime/conditions"
	. "github.com/onsi/gomega"
	"sigs.k8s.io/cli-utils/pkg/kstatus/status"
	"sigs.k8s.io/controller-runtime/pkg/client"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
	"github.com/teal-flink/teal/internal/operatorconfig"
	"github.com/teal-flink/teal/test/builders"
	"github.com/teal-flink/teal/test/stack"
)

// With snapshot resources disabled a session job's manual and periodic savepoints are kept in its status, as
// upstream's legacy path does, and the history is pruned (the pruned savepoints disposed).
func TestSessionJobSavepointsWithoutSnapshotResources(t *testing.T) {
	g := NewWithT(t)
	ctx := context.Background()
	jars := jarServer(t)
	session := newCluster(g, "session", builders.WithSessionCluster())
	job := builders.NewFlinkSessionJob("legacy", session.Namespace, session.Name, jars.URL+"/topspeed.jar",
		builders.WithSessionJobUpgradeMode(flinkv1beta1.UpgradeModeSavepoint),
		builders.WithSessionJobConfig(operatorconfig.KeySnapshotResource, "false", operatorconfig.KeySavepointHistoryMaxCount, "2"))
	g.Expect(env.Client.Create(ctx, job)).To(Succeed())
	eventuallyReady(g, job)

	// A manual savepoint by nonce.
	nonce := int64(3)
	update(g, job, func(j *flinkv1beta1.FlinkSessionJob) { j.Spec.Job.SavepointTriggerNonce = &nonce })
	g.Eventually(func(g Gomega) {
		current := fetch(g, job)
		stack.ExpectLegacyManualSavepoint(g, current.Status.JobStatus, nonce)
		g.Expect(kstatus(g, current)).To(Equal(status.CurrentStatus))
		g.Expect(conditions.IsTrue(current, flinkv1beta1.ConditionReady)).To(BeTrue())
	}, timeout, interval).Should(Succeed())
	manual := fetch(g, job).Status.JobStatus.SavepointInfo.LastSavepoint.Location
	g.Expect(strings.Count(fetch(g, job).Status.ReconciliationStatus.LastReconciledSpec, `"savepointTriggerNonce":3`)).To(Equal(1))

	// Periodic savepoints: the history keeps the newest two, the older ones disposed.
	update(g, job, func(j *flinkv1beta1.FlinkSessionJob) {
		builders.WithSessionJobConfig(operatorconfig.KeyPeriodicSavepointInterval, "200 ms")(j)
	})
	g.Eventually(func(g Gomega) {
		info := fetch(g, job).Status.JobStatus.SavepointInfo
		g.Expect(info.LastSavepoint.TriggerType).To(Equal(flinkv1beta1.SnapshotTriggerPeriodic))
		g.Expect(info.LastPeriodicSavepointTimestamp).To(BeNumerically(">", 0))
		g.Expect(info.SavepointHistory).To(HaveLen(2))
		g.Expect(localPath(manual)).NotTo(BeADirectory(), "the manual savepoint left the history and was disposed")
	}, timeout, interval).Should(Succeed())
	var snapshots flinkv1beta1.FlinkStateSnapshotList
	g.Expect(env.Client.List(ctx, &snapshots, client.InNamespace(job.Namespace))).To(Succeed())
	g.Expect(snapshots.Items).To(BeEmpty(), "no snapshot resources on the legacy path")
}
