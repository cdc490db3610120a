package flink

import (
	"context"
	"net/http"
	"net/url"
)

// JobState is a Flink job status.
type JobState string

// The job states Flink reports.
const (
	JobInitializing JobState = "INITIALIZING"
	JobCreated      JobState = "CREATED"
	JobRunning      JobState = "RUNNING"
	JobFailing      JobState = "FAILING"
	JobFailed       JobState = "FAILED"
	JobCancelling   JobState = "CANCELLING"
	JobCanceled     JobState = "CANCELED"
	JobFinished     JobState = "FINISHED"
	JobRestarting   JobState = "RESTARTING"
	JobSuspended    JobState = "SUSPENDED"
	JobReconciling  JobState = "RECONCILING"
)

// IsGloballyTerminal reports whether the job can never change state again (FINISHED, CANCELED, FAILED).
// SUSPENDED is terminal only for this JobManager, so it does not count.
func (s JobState) IsGloballyTerminal() bool {
	return s == JobFinished || s == JobCanceled || s == JobFailed
}

// JobOverview is one entry of GET /jobs/overview.
type JobOverview struct {
	// ID is the 32-hex-character job ID.
	ID string `json:"jid"`
	// Name is the job name.
	Name string `json:"name"`
	// State is the job status.
	State JobState `json:"state"`
	// StartTime is the submission time in epoch milliseconds.
	StartTime int64 `json:"start-time"`
	// EndTime is the termination time in epoch milliseconds, or -1.
	EndTime int64 `json:"end-time"`
	// Duration is the run time in milliseconds.
	Duration int64 `json:"duration"`
	// LastModification is the time of the last state change in epoch milliseconds.
	LastModification int64 `json:"last-modification"`
	// Tasks counts the job's tasks by execution state, keyed by the state's lower-case name ("running",
	// "scheduled", …), with "total" counting them all.
	Tasks map[string]int `json:"tasks"`
}

// AllTasksRunningOrFinished reports whether every task of the job is RUNNING or FINISHED. Flink calls a job
// RUNNING once it is scheduled, while its tasks may still wait for slots (a TaskManager not started yet).
func (j JobOverview) AllTasksRunningOrFinished() bool {
	return j.Tasks["total"] == j.Tasks["running"]+j.Tasks["finished"]
}

// EffectiveState is the state an operator acts on: CREATED while Flink reports the job RUNNING but not every
// task runs yet (tasks waiting for slots: a TaskManager pod still starting, or never created), as the Apache
// operator's effective job status; otherwise the state Flink reports.
func (j JobOverview) EffectiveState() JobState {
	if j.State == JobRunning && !j.AllTasksRunningOrFinished() {
		return JobCreated
	}
	return j.State
}

// JobDetails is GET /jobs/:jobid.
type JobDetails struct {
	// ID is the 32-hex-character job ID.
	ID string `json:"jid"`
	// Name is the job name.
	Name string `json:"name"`
	// State is the job status.
	State JobState `json:"state"`
	// IsStoppable tells whether all sources support stop.
	IsStoppable bool `json:"isStoppable"`
	// StartTime is the submission time in epoch milliseconds.
	StartTime int64 `json:"start-time"`
	// EndTime is the termination time in epoch milliseconds, or -1.
	EndTime int64 `json:"end-time"`
	// Duration is the run time in milliseconds.
	Duration int64 `json:"duration"`
	// Now is the JobManager's clock in epoch milliseconds when it answered.
	Now int64 `json:"now"`
	// MaxParallelism is the job's maximum parallelism, or -1.
	MaxParallelism int64 `json:"maxParallelism"`
	// Timestamps maps each state the job went through to when it entered it (epoch milliseconds, 0 if never).
	Timestamps map[JobState]int64 `json:"timestamps"`
	// Vertices are the job's operators chains.
	Vertices []JobVertex `json:"vertices"`
}

// JobVertex is one vertex of JobDetails.
type JobVertex struct {
	// ID is the 32-hex-character vertex ID, the key of resource requirements.
	ID string `json:"id"`
	// Name is the vertex name.
	Name string `json:"name"`
	// Parallelism is the vertex's current parallelism.
	Parallelism int `json:"parallelism"`
	// MaxParallelism is the vertex's maximum parallelism.
	MaxParallelism int `json:"maxParallelism"`
	// Status is the vertex's execution state, such as RUNNING.
	Status string `json:"status"`
}

// ListJobs returns GET /jobs/overview.
func (c *Client) ListJobs(ctx context.Context) ([]JobOverview, error) {
	var body struct {
		Jobs []JobOverview `json:"jobs"`
	}
	err := c.get(ctx, "GET /jobs/overview", "/jobs/overview", &body)
	return body.Jobs, err
}

// JobDetails returns GET /jobs/:jobid.
func (c *Client) JobDetails(ctx context.Context, jobID string) (JobDetails, error) {
	var details JobDetails
	err := c.get(ctx, "GET /jobs/:jobid", jobPath(jobID, ""), &details)
	return details, err
}

// CancelJob cancels a job: PATCH /jobs/:jobid?mode=cancel, bounded by the cancel timeout. Flink acknowledges
// with 202 once the cancellation started; poll JobDetails for CANCELED. Cancelling a job that already reached a
// terminal state answers 409 in Flink, which callers usually treat as done.
func (c *Client) CancelJob(ctx context.Context, jobID string) error {
	return c.do(ctx, request{
		method:   http.MethodPatch,
		endpoint: "PATCH /jobs/:jobid",
		path:     jobPath(jobID, ""),
		query:    url.Values{"mode": {"cancel"}},
		// Cancel is idempotent in effect: a second cancel of a cancelling job does no harm.
		retryable: true,
		timeout:   c.cancelTimeout,
	})
}

// jobPath builds /jobs/<jobID><suffix>.
func jobPath(jobID, suffix string) string {
	return "/jobs/" + url.PathEscape(jobID) + suffix
}
