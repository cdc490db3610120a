package jobops

import (
	"sort"
	"strconv"
	"time"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
	"github.com/teal-flink/teal/internal/flinkapi"
)

// NewestJob is the most recently started of a cluster's jobs (an application cluster may list the jobs of earlier
// runs it recovered from HA); false when there is none.
func NewestJob(jobs []flinkapi.JobInfo) (flinkapi.JobInfo, bool) {
	if len(jobs) == 0 {
		return flinkapi.JobInfo{}, false
	}
	sorted := append([]flinkapi.JobInfo(nil), jobs...)
	sort.SliceStable(sorted, func(i, j int) bool { return sorted[i].StartTime > sorted[j].StartTime })
	return sorted[0], true
}

// RecordObserved writes an observed job into status.jobStatus. updateTime is when the job (or its state) last
// changed: rewriting it on every observation would patch the status of every resource every interval (watch
// fan-out, Argo CD refreshes).
func RecordObserved(jobStatus *flinkv1beta1.JobStatus, job flinkapi.JobInfo, now time.Time) {
	if jobStatus.JobID != job.ID || jobStatus.State != job.State || jobStatus.UpdateTime == "" {
		jobStatus.UpdateTime = strconv.FormatInt(now.UnixMilli(), 10)
	}
	jobStatus.JobID, jobStatus.JobName, jobStatus.State = job.ID, job.Name, job.State
	if job.StartTime > 0 {
		jobStatus.StartTime = strconv.FormatInt(job.StartTime, 10)
	}
}
