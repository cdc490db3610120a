package flinkdeployment

import (
	"context"
	"errors"

	"github.com/teal-flink/teal/internal/flink"
)

// snapshotAPI is the part of the REST API the snapshot and scaling phases use beyond FlinkAPI. A
// FlinkAPI that does not implement it (a test double) turns those features off.
type snapshotAPI interface {
	// TriggerSavepoint starts a savepoint, the job keeps running, under the caller's trigger id.
	TriggerSavepoint(ctx context.Context, jobID, triggerID, targetDirectory, formatType string) error
	// DisposeSavepoint asks the JobManager to delete a savepoint.
	DisposeSavepoint(ctx context.Context, path string) error
	// UpdateParallelism sets the parallelism of job vertices in place (adaptive scheduler,
	// PUT /jobs/:jobid/resource-requirements).
	UpdateParallelism(ctx context.Context, jobID string, parallelism map[string]int) error
}

func (c *flinkClient) TriggerSavepoint(ctx context.Context, jobID, triggerID, targetDirectory, formatType string) error {
	_, err := c.client.TriggerSavepoint(ctx, jobID, flink.SavepointRequest{
		TargetDirectory: targetDirectory, TriggerID: triggerID, FormatType: flink.SavepointFormat(formatType),
	})
	return err
}

func (c *flinkClient) DisposeSavepoint(ctx context.Context, path string) error {
	_, err := c.client.DisposeSavepoint(ctx, path)
	return err
}

func (c *flinkClient) UpdateParallelism(ctx context.Context, jobID string, parallelism map[string]int) error {
	requirements, err := c.client.ResourceRequirements(ctx, jobID)
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
	return c.client.UpdateResourceRequirements(ctx, jobID, requirements)
}

// healthAPI reads what the cluster health check samples. A FlinkAPI without it turns the check off.
type healthAPI interface {
	// JobHealth returns the job's restart count (numRestarts) and its number of completed checkpoints.
	JobHealth(ctx context.Context, jobID string) (restarts, completedCheckpoints int64, err error)
}

func (c *flinkClient) JobHealth(ctx context.Context, jobID string) (int64, int64, error) {
	restarts, err := c.client.JobRestarts(ctx, jobID)
	if err != nil {
		return 0, 0, err
	}
	statistics, err := c.client.CheckpointStatistics(ctx, jobID)
	if err != nil {
		return 0, 0, err
	}
	return restarts, statistics.Counts.Completed, nil
}
