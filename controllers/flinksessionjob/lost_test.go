package flinksessionjob_test

import (
	"context"
	"testing"

	. "github.com/onsi/gomega"
	appsv1 "k8s.io/api/apps/v1"
	eventsv1 "k8s.io/api/events/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
	"github.com/teal-flink/teal/internal/flink"
	"github.com/teal-flink/teal/test/builders"
)

// A session cluster redeployed without HA forgets its jobs: the session job is submitted again from its newest
// savepoint.
func TestJobLostBySessionClusterIsResubmitted(t *testing.T) {
	g := NewWithT(t)
	ctx := context.Background()
	jars := jarServer(t)
	session := newCluster(g, "session", builders.WithSessionCluster())
	job := builders.NewFlinkSessionJob("lost", session.Namespace, session.Name, jars.URL+"/topspeed.jar",
		builders.WithSessionJobUpgradeMode(flinkv1beta1.UpgradeModeSavepoint))
	g.Expect(env.Client.Create(ctx, job)).To(Succeed())
	lostJob := eventuallyReady(g, job).Status.JobStatus.JobID

	// A manual savepoint: the newest state of the job.
	nonce := int64(1)
	update(g, job, func(j *flinkv1beta1.FlinkSessionJob) { j.Spec.Job.SavepointTriggerNonce = &nonce })
	var savepoint string
	g.Eventually(func(g Gomega) {
		var snapshots flinkv1beta1.FlinkStateSnapshotList
		g.Expect(env.Client.List(ctx, &snapshots, client.InNamespace(job.Namespace))).To(Succeed())
		g.Expect(snapshots.Items).To(HaveLen(1))
		g.Expect(snapshots.Items[0].Status.State).To(Equal(flinkv1beta1.SnapshotStateCompleted))
		savepoint = snapshots.Items[0].Status.Path
	}, timeout, interval).Should(Succeed())

	// The session cluster's JobManager goes; the FlinkDeployment controller redeploys it, empty.
	jobManager := &appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Namespace: session.Namespace, Name: session.Name}}
	g.Expect(env.Client.Delete(ctx, jobManager, client.PropagationPolicy(metav1.DeletePropagationBackground))).To(Succeed())

	var resubmitted *flinkv1beta1.FlinkSessionJob
	g.Eventually(func(g Gomega) {
		current := fetch(g, job)
		g.Expect(current.Status.JobStatus.JobID).NotTo(Equal(lostJob))
		resubmitted = eventuallyReady(g, job)
		g.Expect(resubmitted.Status.JobStatus.State).To(Equal(flinkv1beta1.JobStatusRunning))
		g.Expect(stk.Runtime.Starts(session.Namespace, session.Name)).To(Equal(2))
	}, timeout, interval).Should(Succeed())
	newJob := resubmitted.Status.JobStatus.JobID
	g.Expect(standin(g, session).RestoredFrom(newJob)).To(Equal(savepoint), "resubmitted from the newest savepoint")
	g.Expect(resubmitted.Status.JobStatus.State).To(Equal(flinkv1beta1.JobStatusRunning))
	g.Expect(resubmitted.Generation).To(BeEquivalentTo(2), "a resubmission is not a new commit")

	events := &eventsv1.EventList{}
	g.Expect(env.Client.List(ctx, events, client.InNamespace(job.Namespace))).To(Succeed())
	var warnings []string
	for _, event := range events.Items {
		if event.Regarding.Name == job.Name && event.Type == "Warning" && event.Reason == flinkv1beta1.ReasonRestarting {
			warnings = append(warnings, event.Note)
		}
	}
	g.Expect(warnings).To(ConsistOf(ContainSubstring("no longer known to session cluster")))
}

// A job last seen ended is not resubmitted when the cluster forgets it: it may just have expired from the
// cluster's job history.
func TestEndedJobForgottenByTheClusterIsNotResubmitted(t *testing.T) {
	g := NewWithT(t)
	ctx := context.Background()
	jars := jarServer(t)
	session := newCluster(g, "session", builders.WithSessionCluster())
	job := builders.NewFlinkSessionJob("ended", session.Namespace, session.Name, jars.URL+"/topspeed.jar")
	g.Expect(env.Client.Create(ctx, job)).To(Succeed())
	jobID := eventuallyReady(g, job).Status.JobStatus.JobID

	// Someone cancels the job outside the operator; the operator records it.
	rest, err := flink.New(standin(g, session).URL(), flink.Options{})
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(rest.CancelJob(ctx, jobID)).To(Succeed())
	g.Eventually(func(g Gomega) {
		g.Expect(fetch(g, job).Status.JobStatus.State).To(Equal(flinkv1beta1.JobStatusCanceled))
	}, timeout, interval).Should(Succeed())

	jobManager := &appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Namespace: session.Namespace, Name: session.Name}}
	g.Expect(env.Client.Delete(ctx, jobManager, client.PropagationPolicy(metav1.DeletePropagationBackground))).To(Succeed())
	g.Eventually(func() int { return stk.Runtime.Starts(session.Namespace, session.Name) }, timeout, interval).Should(Equal(2))
	g.Consistently(func(g Gomega) {
		current := fetch(g, job)
		g.Expect(current.Status.JobStatus.JobID).To(Equal(jobID), "not resubmitted")
		g.Expect(standin(g, session).JobIDs()).To(BeEmpty())
	}, "2s", interval).Should(Succeed())
}
