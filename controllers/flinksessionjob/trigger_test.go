package flinksessionjob_test

import (
	"context"
	"strings"
	"testing"

	"github.com/fluxcd/pkg/runtime/conditions"
	. "github.com/onsi/gomega"
	eventsv1 "k8s.io/api/events/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
	"github.com/teal-flink/teal/test/builders"
	"github.com/teal-flink/teal/test/sim/flinkstandin"
)

// Defect 5 (trigger-id policy): a session job's upgrade savepoint that fails is retried under a new trigger id.
// Reusing one deterministic id gets Flink's cached failure for rest.async.store-duration (the stand-in caches
// async results per trigger id as Flink does, failures included; see the contract suite), so the upgrade could
// not succeed even after the cause is gone.
func TestSessionJobSavepointRetryUsesFreshTriggerID(t *testing.T) {
	g := NewWithT(t)
	ctx := context.Background()
	jars := jarServer(t)
	session := newCluster(g, "session-retry", builders.WithSessionCluster())
	job := builders.NewFlinkSessionJob("retry", session.Namespace, session.Name, jars.URL+"/topspeed.jar",
		builders.WithSessionJobUpgradeMode(flinkv1beta1.UpgradeModeSavepoint))
	g.Expect(env.Client.Create(ctx, job)).To(Succeed())
	firstJob := eventuallyReady(g, job).Status.JobStatus.JobID
	flink := standin(g, session)

	flink.SetFaults(flinkstandin.Faults{SavepointFailure: "the savepoint directory is full"})
	update(g, job, func(j *flinkv1beta1.FlinkSessionJob) { j.Spec.Job.Parallelism = 2 })
	g.Eventually(func(g Gomega) {
		events := &eventsv1.EventList{}
		g.Expect(env.Client.List(ctx, events, client.InNamespace(job.Namespace))).To(Succeed())
		failures := 0
		for _, event := range events.Items {
			if event.Regarding.Name == job.Name && event.Reason == flinkv1beta1.ReasonSavepointFailed {
				failures++
			}
		}
		g.Expect(failures).To(BeNumerically(">=", 1))
	}, timeout, interval).Should(Succeed())
	g.Expect(flink.SavepointTriggers()).To(BeNumerically(">=", 1))
	state, _ := flink.JobState(firstJob)
	g.Expect(state).To(Equal("RUNNING"), "a failed stop-with-savepoint leaves the job running")

	// The cause is gone: the next attempt, under a new trigger id, completes the upgrade.
	flink.SetFaults(flinkstandin.Faults{})
	upgraded := eventuallyReady(g, job)
	g.Expect(upgraded.Generation).To(BeEquivalentTo(2))
	g.Expect(upgraded.Status.JobStatus.JobID).NotTo(Equal(firstJob))
	savepoint := upgraded.Status.JobStatus.UpgradeSavepointPath
	g.Expect(savepoint).NotTo(BeEmpty())
	g.Expect(flink.RestoredFrom(upgraded.Status.JobStatus.JobID)).To(Equal(savepoint))

	// Every attempt ran under a trigger id of its own: the failed one's and the retry's differ.
	events := &eventsv1.EventList{}
	g.Expect(env.Client.List(ctx, events, client.InNamespace(job.Namespace))).To(Succeed())
	triggers := map[string]bool{}
	for _, event := range events.Items {
		if event.Regarding.Name == job.Name && strings.HasPrefix(event.Note, "stopping job "+firstJob+" with savepoint ") {
			triggers[strings.TrimPrefix(event.Note, "stopping job "+firstJob+" with savepoint ")] = true
		}
	}
	g.Expect(len(triggers)).To(BeNumerically(">=", 2), "a retry after a failed savepoint gets a new trigger id: %v", triggers)
}

// Defect 3: a bounded session job that runs to its end is Ready (Finished), a terminal outcome.
func TestBoundedSessionJobFinishedIsReady(t *testing.T) {
	g := NewWithT(t)
	ctx := context.Background()
	jars := jarServer(t)
	session := newCluster(g, "session-bounded", builders.WithSessionCluster())
	job := builders.NewFlinkSessionJob("bounded", session.Namespace, session.Name, jars.URL+"/topspeed.jar")
	job.Spec.Job.Args = []string{"--input", "/tmp/cars.txt"}
	g.Expect(env.Client.Create(ctx, job)).To(Succeed())
	finished := eventuallyReady(g, job)
	g.Expect(finished.Status.JobStatus.State).To(Equal(flinkv1beta1.JobStatusFinished))
	g.Expect(conditions.GetReason(finished, flinkv1beta1.ConditionReady)).To(Equal(flinkv1beta1.ReasonFinished))
}
