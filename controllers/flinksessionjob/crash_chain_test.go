package flinksessionjob_test

import (
	"context"
	"testing"

	. "github.com/onsi/gomega"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
	"github.com/teal-flink/teal/internal/failpoint"
	"github.com/teal-flink/teal/test/builders"
	"github.com/teal-flink/teal/test/crash"
)

// TestOperatorKilledAlongSessionJobCrashChain kills the operator at every point of the session job's savepoint
// upgrade chain (test/crash), one after another within one upgrade — the chain test/e2e runs with the operator
// binary on real Flink: trigger recorded, Flink not asked; the trigger re-sent, its answer not recorded; the new
// job's id recorded, not submitted; submitted, not recorded. The upgrade must end with one running job,
// restored from the one savepoint taken.
func TestOperatorKilledAlongSessionJobCrashChain(t *testing.T) {
	g := NewWithT(t)
	ctx := context.Background()
	defer stk.StepAside(t)()
	jars := jarServer(t)
	first, err := stk.StartOperator()
	g.Expect(err).NotTo(HaveOccurred())
	session := newCluster(g, "chain", builders.WithSessionCluster())
	job := builders.NewFlinkSessionJob("chain", session.Namespace, session.Name, jars.URL+"/topspeed.jar",
		builders.WithSessionJobUpgradeMode(flinkv1beta1.UpgradeModeSavepoint))
	g.Expect(env.Client.Create(ctx, job)).To(Succeed())
	firstJob := eventuallyReady(g, job).Status.JobStatus.JobID
	g.Expect(first.Stop()).To(Succeed())

	points := crash.Points(failpoint.KindFlinkSessionJob, job.Namespace, job.Name, crash.SessionJobSavepointUpgradeChain)
	fresh := stk.KillChain(g, points, func() {
		update(g, job, func(j *flinkv1beta1.FlinkSessionJob) {
			builders.WithSessionJobConfig("pipeline.name", "chain-v2")(j)
		})
	})
	defer func() { g.Expect(fresh.Stop()).To(Succeed()) }()

	expectOneJobFromTheSavepoint(g, job, session, firstJob)
}
