package flinksessionjob_test

import (
	"context"
	"testing"

	. "github.com/onsi/gomega"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"sigs.k8s.io/controller-runtime/pkg/client"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
	"github.com/teal-flink/teal/internal/manager"
	"github.com/teal-flink/teal/test/builders"
	"github.com/teal-flink/teal/test/stack"
)

// Defect 6 for session jobs: the reconcile after the one that recorded the upgrade savepoint's trigger id reads
// a cached copy without it while the job still runs; confirming the status through the API reader first keeps
// it from stopping the job with a second savepoint.
func TestSessionJobReadYourOwnWritesNoSecondSavepoint(t *testing.T) {
	g := NewWithT(t)
	ctx := context.Background()
	g.Expect(stk.Operator.Stop()).To(Succeed())
	defer func() {
		var err error
		stk.Operator, err = stk.StartOperator()
		g.Expect(err).NotTo(HaveOccurred())
	}()
	jars := jarServer(t)
	lagging := stack.NewLaggingCache(func(j *flinkv1beta1.FlinkSessionJob) *flinkv1beta1.JobStatus { return &j.Status.JobStatus })
	operator, err := stk.StartOperator(func(o *manager.Options) { o.WrapClient = lagging.Wrap })
	g.Expect(err).NotTo(HaveOccurred())
	defer func() { g.Expect(operator.Stop()).To(Succeed()) }()

	session := newCluster(g, "session-lagging", builders.WithSessionCluster(), builders.WithImage(slowImage))
	job := builders.NewFlinkSessionJob("lagging", session.Namespace, session.Name, jars.URL+"/topspeed.jar",
		builders.WithSessionJobUpgradeMode(flinkv1beta1.UpgradeModeSavepoint))
	lagging.Watch(client.ObjectKeyFromObject(job))
	g.Expect(env.Client.Create(ctx, job)).To(Succeed())
	eventuallyReady(g, job)
	flink := standin(g, session)

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
	g.Expect(stk.Operator.Stop()).To(Succeed())
	defer func() {
		var err error
		stk.Operator, err = stk.StartOperator()
		g.Expect(err).NotTo(HaveOccurred())
	}()
	jars := jarServer(t)
	lagging := stack.NewLaggingCache(func(j *flinkv1beta1.FlinkSessionJob) *flinkv1beta1.JobStatus { return &j.Status.JobStatus })
	operator, err := stk.StartOperator(func(o *manager.Options) { o.WrapClient = lagging.Wrap })
	g.Expect(err).NotTo(HaveOccurred())
	defer func() { g.Expect(operator.Stop()).To(Succeed()) }()

	session := newCluster(g, "session-delete-lagging", builders.WithSessionCluster(), builders.WithImage(slowImage))
	job := builders.NewFlinkSessionJob("delete-lagging", session.Namespace, session.Name, jars.URL+"/topspeed.jar",
		builders.WithSessionJobUpgradeMode(flinkv1beta1.UpgradeModeSavepoint),
		builders.WithSessionJobConfig("kubernetes.operator.job.savepoint-on-deletion", "true"))
	lagging.Watch(client.ObjectKeyFromObject(job))
	g.Expect(env.Client.Create(ctx, job)).To(Succeed())
	eventuallyReady(g, job)
	flink := standin(g, session)

	g.Expect(env.Client.Delete(ctx, job)).To(Succeed())
	g.Eventually(func() bool {
		return apierrors.IsNotFound(env.Client.Get(ctx, client.ObjectKeyFromObject(job), &flinkv1beta1.FlinkSessionJob{}))
	}, timeout, interval).Should(BeTrue())
	g.Expect(lagging.ServedStale()).To(BeNumerically(">=", 1), "the cache lagged behind the recorded trigger id")
	g.Expect(flink.SavepointTriggers()).To(BeEquivalentTo(1), "exactly one savepoint was started")
}
