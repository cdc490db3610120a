package flinksessionjob

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	. "github.com/onsi/gomega"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
	"github.com/teal-flink/teal/internal/flink"
	"github.com/teal-flink/teal/internal/flinkapi"
)

// TestSessionJobWaitingForTaskManagerIsNotRunning: on real pods, a session job was Ready=True ("job … running")
// while its session cluster could not create a TaskManager pod: Flink reported the job RUNNING with no task
// running. Such a job is observed CREATED until every task runs.
func TestSessionJobWaitingForTaskManagerIsNotRunning(t *testing.T) {
	g := NewWithT(t)
	const jobID = "270b4007bc02f54e1ef7015c8031ab21"
	server := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write([]byte(`{"jobs":[{"jid":"` + jobID + `","name":"CarTopSpeedWindowingExample","start-time":1796020249000,` +
			`"end-time":-1,"duration":60000,"state":"RUNNING","last-modification":1796020249500,"tasks":{"running":0,` +
			`"canceling":0,"canceled":0,"total":3,"created":0,"scheduled":3,"deploying":0,"reconciling":0,"finished":0,` +
			`"initializing":0,"failed":0}}]}`))
	}))
	defer server.Close()
	client, err := flink.New(server.URL, flink.Options{})
	g.Expect(err).NotTo(HaveOccurred())
	job := &flinkv1beta1.FlinkSessionJob{}
	job.Status.JobStatus.JobID = jobID
	s := &scope{job: job, cluster: &flinkapi.Cluster{Client: client}}
	_, err = (&Reconciler{Now: time.Now}).observeJob(context.Background(), s)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(s.current).NotTo(BeNil())
	g.Expect(s.current.state).To(Equal(flinkv1beta1.JobStatusCreated))
	g.Expect(job.Status.JobStatus.State).To(Equal(flinkv1beta1.JobStatusCreated))
}
