package flinksessionjob_test

import (
	"context"
	"testing"

	. "github.com/onsi/gomega"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"sigs.k8s.io/controller-runtime/pkg/client"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
	"github.com/teal-flink/teal/test/builders"
	"github.com/teal-flink/teal/test/sim/flinkstandin"
	"github.com/teal-flink/teal/test/stack"
)

// Defect 6 for session jobs: the reconcile after the one that recorded the upgrade savepoint's trigger id reads
// a cached copy without it while the job still runs; confirming the status through the API reader first keeps
// it from stopping the job with a second savepoint.
func TestSessionJobReadYourOwnWritesNoSecondSavepoint(t *testing.T) {
	g := NewWithT(t)
	job, lagging, flink := runningOnLaggingCache(t, g, "lagging")

	update(g, job, func(j *flinkv1beta1.FlinkSessionJob) { j.Spec.Job.Parallelism = 2 })
	g.Eventually(func(g Gomega) {
		upgraded := eventuallyReady(g, job)
		g.Expect(upgraded.Generation).To(BeEquivalentTo(2))
	}, timeout, interval).Should(Succeed())
	g.Expect(lagging.ServedStale()).To(BeNumerically(">=", 1), "the cache lagged behind the recorded trigger id")
	g.Expect(flink.SavepointTriggers()).To(BeEquivalentTo(1), "exactly one savepoint was started")
}

// The same for a deletion with savepoint-on-deletion: the reconcile after the one that recorded the trigger id
// reads a cached copy without it while the job still runs; it must not stop the job with a second savepoint.
// What keeps it from doing so is the intent written before the stop: that status patch is conditional on the
// resourceVersion the reconcile read, so on the stale copy it fails and nothing is sent to Flink (this test
// fails when the patch is made unconditional).
func TestSessionJobDeletionReadsItsOwnTrigger(t *testing.T) {
	g := NewWithT(t)
	ctx := context.Background()
	job, lagging, flink := runningOnLaggingCache(t, g, "delete-lagging",
		builders.WithSessionJobConfig("kubernetes.operator.job.savepoint-on-deletion", "true"))

	g.Expect(env.Client.Delete(ctx, job)).To(Succeed())
	g.Eventually(func() bool {
		return apierrors.IsNotFound(env.Client.Get(ctx, client.ObjectKeyFromObject(job), &flinkv1beta1.FlinkSessionJob{}))
	}, timeout, interval).Should(BeTrue())
	g.Expect(lagging.ServedStale()).To(BeNumerically(">=", 1), "the cache lagged behind the recorded trigger id")
	g.Expect(flink.SavepointTriggers()).To(BeEquivalentTo(1), "exactly one savepoint was started")
}

// runningOnLaggingCache runs a savepoint-upgraded session job, on a session cluster of its own whose savepoints
// take a while, under an operator whose cache lags once after the job's first recorded trigger id.
func runningOnLaggingCache(t *testing.T, g Gomega, name string, options ...builders.SessionJobOption) (
	*flinkv1beta1.FlinkSessionJob, *stack.LaggingCache[*flinkv1beta1.FlinkSessionJob], *flinkstandin.Server) {
	jars := jarServer(t)
	lagging := stack.NewLaggingCache(func(j *flinkv1beta1.FlinkSessionJob) *flinkv1beta1.JobStatus { return &j.Status.JobStatus })
	stack.RunLagging(t, stk, lagging)
	session := newCluster(g, "session-"+name, builders.WithSessionCluster(), builders.WithImage(slowImage))
	options = append([]builders.SessionJobOption{builders.WithSessionJobUpgradeMode(flinkv1beta1.UpgradeModeSavepoint)}, options...)
	job := builders.NewFlinkSessionJob(name, session.Namespace, session.Name, jars.URL+"/topspeed.jar", options...)
	lagging.Watch(client.ObjectKeyFromObject(job))
	g.Expect(env.Client.Create(context.Background(), job)).To(Succeed())
	eventuallyReady(g, job)
	return job, lagging, standin(g, session)
}
