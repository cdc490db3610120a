package flinkapi

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	. "github.com/onsi/gomega"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
	"github.com/teal-flink/teal/internal/flink"
	"github.com/teal-flink/teal/internal/operatorconfig"
)

// TestJobWaitingForTaskManagerIsNotRunning: on a real node, with the TaskManager pod still Pending, Flink 1.20
// answered /jobs/overview with the job RUNNING and its tasks CREATED, and Teal reported Ready=True for a job that
// had not run. The client reports such a job CREATED until every task runs.
func TestJobWaitingForTaskManagerIsNotRunning(t *testing.T) {
	g := NewWithT(t)
	// Flink 1.20.3's answer, taken from the real cluster while the TaskManager pod was starting.
	server := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		g.Expect(r.URL.Path).To(Equal("/jobs/overview"))
		_, _ = w.Write([]byte(`{"jobs":[{"jid":"7574252564bf4b1ce347557f4b3e759e","name":"CarTopSpeedWindowingExample",` +
			`"start-time":1796018301361,"end-time":-1,"duration":6373,"state":"RUNNING","last-modification":1796018301900,` +
			`"tasks":{"running":0,"canceling":0,"canceled":0,"total":3,"created":3,"scheduled":0,"deploying":0,` +
			`"reconciling":0,"finished":0,"initializing":0,"failed":0}}]}`))
	}))
	defer server.Close()
	api, err := NewFactory(nil)(server.URL, operatorconfig.New(nil))
	g.Expect(err).NotTo(HaveOccurred())
	jobs, err := ListJobs(context.Background(), api)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(jobs).To(HaveLen(1))
	g.Expect(jobs[0].State).To(Equal(flinkv1beta1.JobStatusCreated))
}

func TestEffectiveJobState(t *testing.T) {
	counts := func(running, finished, scheduled int) map[string]int {
		return map[string]int{"running": running, "finished": finished, "scheduled": scheduled, "total": running + finished + scheduled}
	}
	for _, tc := range []struct {
		name string
		job  flink.JobOverview
		want flinkv1beta1.JobStatusState
	}{
		{"every task running", flink.JobOverview{State: flink.JobRunning, Tasks: counts(4, 0, 0)}, flinkv1beta1.JobStatusRunning},
		{"running or finished", flink.JobOverview{State: flink.JobRunning, Tasks: counts(2, 2, 0)}, flinkv1beta1.JobStatusRunning},
		{"tasks waiting for slots", flink.JobOverview{State: flink.JobRunning, Tasks: counts(2, 0, 2)}, flinkv1beta1.JobStatusCreated},
		{"other states unchanged", flink.JobOverview{State: flink.JobFailing, Tasks: counts(0, 0, 2)}, flinkv1beta1.JobStatusFailing},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := NewWithT(t)
			g.Expect(effectiveJobState(tc.job)).To(Equal(tc.want))
		})
	}
}
