package jobops

import (
	"testing"
	"time"

	. "github.com/onsi/gomega"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
	"github.com/teal-flink/teal/internal/flinkapi"
)

func TestNewestJob(t *testing.T) {
	g := NewWithT(t)
	_, found := NewestJob(nil)
	g.Expect(found).To(BeFalse())
	jobs := []flinkapi.JobInfo{{ID: "old", StartTime: 1}, {ID: "new", StartTime: 3}, {ID: "middle", StartTime: 2}}
	newest, found := NewestJob(jobs)
	g.Expect(found).To(BeTrue())
	g.Expect(newest.ID).To(Equal("new"))
	g.Expect(jobs[0].ID).To(Equal("old"), "the caller's list is left as it was")
}

func TestRecordObserved(t *testing.T) {
	now := time.UnixMilli(5000)
	running := flinkapi.JobInfo{ID: "j", Name: "top", State: flinkv1beta1.JobStatusRunning, StartTime: 1000}
	for _, tc := range []struct {
		name             string
		before           flinkv1beta1.JobStatus
		job              flinkapi.JobInfo
		expectUpdateTime string
		expectStartTime  string
	}{
		{name: "first observation", job: running, expectUpdateTime: "5000", expectStartTime: "1000"},
		{name: "nothing changed: updateTime stays", job: running,
			before:           flinkv1beta1.JobStatus{JobID: "j", State: flinkv1beta1.JobStatusRunning, UpdateTime: "10", StartTime: "1000"},
			expectUpdateTime: "10", expectStartTime: "1000"},
		{name: "state changed", job: flinkapi.JobInfo{ID: "j", State: flinkv1beta1.JobStatusFailed, StartTime: 1000},
			before:           flinkv1beta1.JobStatus{JobID: "j", State: flinkv1beta1.JobStatusRunning, UpdateTime: "10"},
			expectUpdateTime: "5000", expectStartTime: "1000"},
		{name: "another job", job: running,
			before:           flinkv1beta1.JobStatus{JobID: "k", State: flinkv1beta1.JobStatusRunning, UpdateTime: "10", StartTime: "7"},
			expectUpdateTime: "5000", expectStartTime: "1000"},
		{name: "no start time reported keeps the recorded one", job: flinkapi.JobInfo{ID: "j", State: flinkv1beta1.JobStatusCreated},
			before:           flinkv1beta1.JobStatus{JobID: "j", State: flinkv1beta1.JobStatusCreated, UpdateTime: "10", StartTime: "7"},
			expectUpdateTime: "10", expectStartTime: "7"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := NewWithT(t)
			status := tc.before
			RecordObserved(&status, tc.job, now)
			g.Expect(status.UpdateTime).To(Equal(tc.expectUpdateTime))
			g.Expect(status.StartTime).To(Equal(tc.expectStartTime))
			g.Expect(status.JobID).To(Equal(tc.job.ID))
			g.Expect(status.State).To(Equal(tc.job.State))
			g.Expect(status.JobName).To(Equal(tc.job.Name))
		})
	}
}
