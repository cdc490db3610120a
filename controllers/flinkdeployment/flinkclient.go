package flinkdeployment

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/teal-flink/teal/internal/flink"
	"github.com/teal-flink/teal/internal/operatorconfig"
)

// NewFlinkAPIFactory returns the production FlinkAPIFactory: internal/flink clients sharing one connection pool,
// with the timeouts of the resource's operator configuration, reporting to observer (may be nil).
func NewFlinkAPIFactory(observer flink.Observer) FlinkAPIFactory {
	shared := &http.Client{Transport: &http.Transport{
		Proxy: http.ProxyFromEnvironment, MaxIdleConnsPerHost: 4, IdleConnTimeout: 90 * time.Second,
	}}
	return func(restURL string, config *operatorconfig.Config) (FlinkAPI, error) {
		client, err := flink.New(restURL, flink.Options{
			Timeout:       config.DurationOr(operatorconfig.KeyClientTimeout),
			CancelTimeout: config.DurationOr(operatorconfig.KeyClientCancelTimeout),
			HTTPClient:    shared,
			Observer:      observer,
		})
		if err != nil {
			return nil, err
		}
		return &flinkClient{client: client}, nil
	}
}

// flinkClient adapts internal/flink to FlinkAPI.
type flinkClient struct {
	client *flink.Client
}

func (c *flinkClient) ListJobs(ctx context.Context) ([]JobInfo, error) {
	jobs, err := c.client.ListJobs(ctx)
	if err != nil {
		return nil, err
	}
	infos := make([]JobInfo, 0, len(jobs))
	for _, job := range jobs {
		infos = append(infos, JobInfo{ID: job.ID, Name: job.Name, State: effectiveJobState(job), StartTime: job.StartTime})
	}
	return infos, nil
}

func (c *flinkClient) StopWithSavepoint(ctx context.Context, jobID, triggerID, targetDirectory string) error {
	_, err := c.client.StopWithSavepoint(ctx, jobID, flink.StopRequest{TargetDirectory: targetDirectory, TriggerID: triggerID})
	return err
}

func (c *flinkClient) SavepointStatus(ctx context.Context, jobID, triggerID string) (SavepointResult, error) {
	result, err := c.client.SavepointStatus(ctx, jobID, triggerID)
	if errors.Is(err, flink.ErrOperationNotFound) {
		return SavepointResult{}, ErrOperationUnknown
	}
	if err != nil {
		return SavepointResult{}, err
	}
	converted := SavepointResult{Done: result.Done(), Location: result.Location}
	if result.Failure != nil {
		converted.Failure = result.Failure.Summary()
	}
	return converted, nil
}

func (c *flinkClient) CancelJob(ctx context.Context, jobID string) error {
	return c.client.CancelJob(ctx, jobID)
}

func (c *flinkClient) LatestCheckpoint(ctx context.Context, jobID string) (string, error) {
	statistics, err := c.client.CheckpointStatistics(ctx, jobID)
	if err != nil {
		return "", err
	}
	// A checkpoint Flink discarded (subsumed, or deleted when the job ended) no longer exists: never restore
	// from it.
	if retained := statistics.LatestRetainedCheckpoint(); retained != nil {
		return retained.ExternalPath, nil
	}
	return "", nil
}

func (c *flinkClient) CheckpointStatistics(ctx context.Context, jobID string) (flink.CheckpointStatistics, error) {
	return c.client.CheckpointStatistics(ctx, jobID)
}

func (c *flinkClient) JobExceptions(ctx context.Context, jobID string) ([]JobException, error) {
	exceptions, err := c.client.JobExceptions(ctx, jobID)
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
