package flinkdeployment

import (
	"testing"

	. "github.com/onsi/gomega"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
)

// TestJobOnRecord: a job whose cluster the operator removed keeps its id in jobStatus.jobId (as upstream) and is
// told apart by status.clusterRemovedJobId, not by an empty id.
func TestJobOnRecord(t *testing.T) {
	const oldJob, newJob = "0000000000000000000000000000000a", "0000000000000000000000000000000b"
	for _, tc := range []struct {
		name           string
		jobID          string
		removedJobID   string
		state          flinkv1beta1.JobStatusState
		expectOnRecord bool
	}{
		{name: "no job observed yet", expectOnRecord: false},
		{name: "running job", jobID: oldJob, expectOnRecord: true},
		{name: "cluster removed by the operator, id kept", jobID: oldJob, removedJobID: oldJob, expectOnRecord: false},
		{name: "a newer job than the removed one", jobID: newJob, removedJobID: oldJob, expectOnRecord: true},
		{name: "suspended by upstream, id kept, no removal recorded", jobID: oldJob,
			state: flinkv1beta1.JobStatusSuspended, expectOnRecord: false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := NewWithT(t)
			status := &flinkv1beta1.FlinkDeploymentStatus{ClusterRemovedJobID: tc.removedJobID}
			status.JobStatus.JobID, status.JobStatus.State = tc.jobID, tc.state
			g.Expect(jobOnRecord(status)).To(Equal(tc.expectOnRecord))
		})
	}
}
