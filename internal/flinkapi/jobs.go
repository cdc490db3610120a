package flinkapi

import (
	"context"
	"errors"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
)

// JobInfo is what a controller reads about a job.
type JobInfo struct {
	// ID is the job id.
	ID string
	// Name is the job name.
	Name string
	// State is the job status, in the CRD's spelling.
	State flinkv1beta1.JobStatusState
	// StartTime in epoch milliseconds.
	StartTime int64
}

// ListJobs lists the cluster's jobs as JobInfo.
func ListJobs(ctx context.Context, api API) ([]JobInfo, error) {
	jobs, err := api.ListJobs(ctx)
	if err != nil {
		return nil, err
	}
	infos := make([]JobInfo, 0, len(jobs))
	for _, job := range jobs {
		infos = append(infos, JobInfo{ID: job.ID, Name: job.Name, State: effectiveJobState(job), StartTime: job.StartTime})
	}
	return infos, nil
}

// JobException is one entry of a job's exception history.
type JobException struct {
	// Name is the exception class.
	Name string
	// Stacktrace is the printed stack trace.
	Stacktrace string
	// Timestamp is when it happened, in epoch milliseconds.
	Timestamp int64
}

// JobExceptions returns the job's exception history, newest first (the root exception alone when Flink keeps
// no history).
func JobExceptions(ctx context.Context, api API, jobID string) ([]JobException, error) {
	exceptions, err := api.JobExceptions(ctx, jobID)
	if err != nil {
		return nil, err
	}
	history := make([]JobException, 0, len(exceptions.History)+1)
	for _, entry := range exceptions.History {
		history = append(history, JobException{Name: entry.ExceptionName, Stacktrace: entry.Stacktrace, Timestamp: entry.Timestamp})
	}
	if len(history) == 0 && exceptions.RootException != "" {
		history = append(history, JobException{Stacktrace: exceptions.RootException, Timestamp: exceptions.Timestamp})
	}
	return history, nil
}

// JobHealth returns what the cluster health check samples: the job's restart count (numRestarts) and its
// number of completed checkpoints.
func JobHealth(ctx context.Context, api API, jobID string) (restarts, completedCheckpoints int64, err error) {
	restarts, err = api.JobRestarts(ctx, jobID)
	if err != nil {
		return 0, 0, err
	}
	statistics, err := api.CheckpointStatistics(ctx, jobID)
	if err != nil {
		return 0, 0, err
	}
	return restarts, statistics.Counts.Completed, nil
}

// UpdateParallelism sets the parallelism of job vertices in place (adaptive scheduler,
// PUT /jobs/:jobid/resource-requirements).
func UpdateParallelism(ctx context.Context, api API, jobID string, parallelism map[string]int) error {
	requirements, err := api.ResourceRequirements(ctx, jobID)
	if err != nil {
		return err
	}
	if len(requirements) == 0 {
		return errors.New("the job reports no resource requirements")
	}
	for vertex, value := range parallelism {
		requirement, found := requirements[vertex]
		if !found {
			return errors.New("job vertex " + vertex + " does not exist")
		}
		requirement.Parallelism.UpperBound = value
		requirement.Parallelism.LowerBound = min(max(requirement.Parallelism.LowerBound, 1), value)
		requirements[vertex] = requirement
	}
	return api.UpdateResourceRequirements(ctx, jobID, requirements)
}
