package flinksessionjob_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/fluxcd/pkg/runtime/conditions"
	. "github.com/onsi/gomega"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"sigs.k8s.io/cli-utils/pkg/kstatus/status"
	"sigs.k8s.io/controller-runtime/pkg/client"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
	"github.com/teal-flink/teal/controllers/flinksessionjob"
	"github.com/teal-flink/teal/test/builders"
)

// jarServer serves job jars over http, as an artifact repository would.
func jarServer(t *testing.T) *httptest.Server {
	server := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write([]byte("PK\x03\x04 stand-in job jar"))
	}))
	t.Cleanup(server.Close)
	return server
}

func update(g Gomega, job *flinkv1beta1.FlinkSessionJob, change func(*flinkv1beta1.FlinkSessionJob)) {
	g.Eventually(func() error {
		current := fetch(g, job)
		change(current)
		return env.Client.Update(context.Background(), current)
	}, timeout, interval).Should(Succeed())
}

// eventuallyReady waits until the job's latest generation is Ready and kstatus Current.
func eventuallyReady(g Gomega, job *flinkv1beta1.FlinkSessionJob) *flinkv1beta1.FlinkSessionJob {
	var current *flinkv1beta1.FlinkSessionJob
	g.Eventually(func(g Gomega) {
		current = fetch(g, job)
		g.Expect(current.Status.ObservedGeneration).To(Equal(current.Generation))
		g.Expect(kstatus(g, current)).To(Equal(status.CurrentStatus), "conditions: %+v", current.Status.Conditions)
	}, timeout, interval).Should(Succeed())
	return current
}

func expectInProgressUntilDone(g Gomega, job *flinkv1beta1.FlinkSessionJob) {
	current := fetch(g, job)
	if current.Status.ObservedGeneration < current.Generation {
		g.Expect(kstatus(g, current)).To(Equal(status.InProgressStatus))
	}
}

func TestSessionJobLifecycle(t *testing.T) {
	g := NewWithT(t)
	ctx := context.Background()
	jars := jarServer(t)
	session := newCluster(g, "session", builders.WithSessionCluster())
	job := builders.NewFlinkSessionJob("topspeed", session.Namespace, session.Name, jars.URL+"/topspeed.jar",
		builders.WithSessionJobUpgradeMode(flinkv1beta1.UpgradeModeSavepoint))
	g.Expect(env.Client.Create(ctx, job)).To(Succeed())

	// Submit.
	submitted := eventuallyReady(g, job)
	g.Expect(submitted.Finalizers).To(ContainElement(flinksessionjob.Finalizer))
	g.Expect(submitted.Status.JobStatus.State).To(Equal(flinkv1beta1.JobStatusRunning))
	g.Expect(submitted.Status.LifecycleState).To(Equal(flinkv1beta1.LifecycleStateStable))
	g.Expect(conditions.GetReason(submitted, flinkv1beta1.ConditionReady)).To(Equal(flinkv1beta1.ReasonSucceeded))
	flink := standin(g, session)
	jobState := func(id string) string {
		state, _ := flink.JobState(id)
		return state
	}
	firstJob := submitted.Status.JobStatus.JobID
	g.Expect(jobState(firstJob)).To(Equal("RUNNING"))
	counterBefore, _ := flink.CheckpointCounter(firstJob)

	// Upgrade with a savepoint: the new job restores it and its checkpoint counter continues.
	update(g, job, func(j *flinkv1beta1.FlinkSessionJob) { j.Spec.Job.Parallelism = 2 })
	expectInProgressUntilDone(g, job)
	upgraded := eventuallyReady(g, job)
	secondJob := upgraded.Status.JobStatus.JobID
	g.Expect(secondJob).NotTo(Equal(firstJob))
	g.Expect(jobState(firstJob)).To(Equal("FINISHED"), "stopped with a savepoint")
	savepoint := upgraded.Status.JobStatus.UpgradeSavepointPath
	g.Expect(savepoint).NotTo(BeEmpty())
	g.Expect(localPath(savepoint)).To(BeADirectory())
	g.Expect(flink.RestoredFrom(secondJob)).To(Equal(savepoint))
	counterAfter, _ := flink.CheckpointCounter(secondJob)
	g.Expect(counterAfter).To(BeNumerically(">", counterBefore), "the checkpoint counter continues from the old job")
	g.Expect(jobState(secondJob)).To(Equal("RUNNING"))

	// Suspend and resume.
	update(g, job, func(j *flinkv1beta1.FlinkSessionJob) { j.Spec.Job.State = flinkv1beta1.JobStateSuspended })
	suspended := eventuallyReady(g, job)
	g.Expect(conditions.GetReason(suspended, flinkv1beta1.ConditionReady)).To(Equal(flinkv1beta1.ReasonSuspended))
	g.Expect(suspended.Status.LifecycleState).To(Equal(flinkv1beta1.LifecycleStateSuspended))
	g.Expect(jobState(secondJob)).To(Equal("FINISHED"))
	suspendSavepoint := suspended.Status.JobStatus.UpgradeSavepointPath
	g.Expect(suspendSavepoint).NotTo(Equal(savepoint))

	update(g, job, func(j *flinkv1beta1.FlinkSessionJob) { j.Spec.Job.State = flinkv1beta1.JobStateRunning })
	resumed := eventuallyReady(g, job)
	g.Expect(resumed.Status.JobStatus.State).To(Equal(flinkv1beta1.JobStatusRunning))
	g.Expect(flink.RestoredFrom(resumed.Status.JobStatus.JobID)).To(Equal(suspendSavepoint))

	// Delete: the job is cancelled, then the resource goes.
	g.Expect(env.Client.Delete(ctx, job)).To(Succeed())
	g.Eventually(func() bool {
		return apierrors.IsNotFound(env.Client.Get(ctx, client.ObjectKeyFromObject(job), &flinkv1beta1.FlinkSessionJob{}))
	}, timeout, interval).Should(BeTrue())
	g.Expect(jobState(resumed.Status.JobStatus.JobID)).To(Equal("CANCELED"))
}

func TestSessionJobWaitsForItsSessionCluster(t *testing.T) {
	g := NewWithT(t)
	ctx := context.Background()
	jars := jarServer(t)
	namespace := stk.NewNamespace(g, "ns")
	job := builders.NewFlinkSessionJob("early", namespace, "later", jars.URL+"/job.jar")
	g.Expect(env.Client.Create(ctx, job)).To(Succeed())
	g.Eventually(func(g Gomega) {
		current := fetch(g, job)
		g.Expect(conditions.GetReason(current, flinkv1beta1.ConditionReconciling)).To(Equal(flinkv1beta1.ReasonSessionNotFound))
		g.Expect(kstatus(g, current)).To(Equal(status.InProgressStatus))
	}, timeout, interval).Should(Succeed())

	session := builders.NewFlinkDeployment("later", builders.InNamespace(namespace), builders.WithSessionCluster(),
		builders.WithConfig(stk.StateConfig(namespace)...))
	g.Expect(env.Client.Create(ctx, session)).To(Succeed())
	running := eventuallyReady(g, job)
	g.Expect(running.Status.JobStatus.State).To(Equal(flinkv1beta1.JobStatusRunning))
}
