package bluegreen

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/teal-flink/teal/internal/flink"
	"github.com/teal-flink/teal/internal/operatorconfig"
)

// SavepointAPI is the part of a child JobManager's REST API the controller uses for the hand-over savepoint.
type SavepointAPI interface {
	// RunningJobID returns the ID of the cluster's job that is not globally terminal, "" when there is none.
	RunningJobID(ctx context.Context) (string, error)
	// TriggerSavepoint starts a savepoint (the job keeps running) under the caller's trigger id, so that a
	// repeated request starts no second savepoint.
	TriggerSavepoint(ctx context.Context, jobID, triggerID, targetDirectory, formatType string) error
	// StopWithSavepoint stops the job with a savepoint (no drain) under the caller's trigger id.
	StopWithSavepoint(ctx context.Context, jobID, triggerID, targetDirectory, formatType string) error
	// SavepointStatus polls either; ErrSavepointUnknown when Flink does not know the trigger id.
	SavepointStatus(ctx context.Context, jobID, triggerID string) (SavepointStatus, error)
}

// SavepointStatus is the state of a savepoint operation.
type SavepointStatus struct {
	// Done is false while it is in progress.
	Done bool
	// Location of the completed savepoint.
	Location string
	// Failure is Flink's failure cause when it failed.
	Failure string
}

// ErrSavepointUnknown is returned by SavepointStatus for a trigger id the JobManager does not know.
var ErrSavepointUnknown = errors.New("flink does not know the savepoint trigger id")

// SavepointAPIFactory returns a client of the JobManager at restURL.
type SavepointAPIFactory func(restURL string, config *operatorconfig.Config) (SavepointAPI, error)

// NewSavepointAPIFactory returns the production factory: internal/flink clients sharing one connection pool,
// with the timeouts of the operator configuration.
func NewSavepointAPIFactory() SavepointAPIFactory {
	shared := &http.Client{Transport: &http.Transport{
		Proxy: http.ProxyFromEnvironment, MaxIdleConnsPerHost: 4, IdleConnTimeout: 90 * time.Second,
	}}
	return func(restURL string, config *operatorconfig.Config) (SavepointAPI, error) {
		client, err := flink.New(restURL, flink.Options{
			Timeout:       config.DurationOr(operatorconfig.KeyClientTimeout),
			CancelTimeout: config.DurationOr(operatorconfig.KeyClientCancelTimeout),
			HTTPClient:    shared,
		})
		if err != nil {
			return nil, err
		}
		return &savepointClient{client: client}, nil
	}
}

type savepointClient struct {
	client *flink.Client
}

func (c *savepointClient) RunningJobID(ctx context.Context) (string, error) {
	jobs, err := c.client.ListJobs(ctx)
	if err != nil {
		return "", err
	}
	for _, job := range jobs {
		if !job.State.IsGloballyTerminal() {
			return job.ID, nil
		}
	}
	return "", nil
}

func (c *savepointClient) TriggerSavepoint(ctx context.Context, jobID, triggerID, targetDirectory, formatType string) error {
	_, err := c.client.TriggerSavepoint(ctx, jobID, flink.SavepointRequest{
		TargetDirectory: targetDirectory, TriggerID: triggerID, FormatType: flink.SavepointFormat(formatType),
	})
	return err
}

func (c *savepointClient) StopWithSavepoint(ctx context.Context, jobID, triggerID, targetDirectory, formatType string) error {
	_, err := c.client.StopWithSavepoint(ctx, jobID, flink.StopRequest{
		TargetDirectory: targetDirectory, TriggerID: triggerID, FormatType: flink.SavepointFormat(formatType),
	})
	return err
}

func (c *savepointClient) SavepointStatus(ctx context.Context, jobID, triggerID string) (SavepointStatus, error) {
	result, err := c.client.SavepointStatus(ctx, jobID, triggerID)
	if errors.Is(err, flink.ErrOperationNotFound) {
		return SavepointStatus{}, ErrSavepointUnknown
	}
	if err != nil {
		return SavepointStatus{}, err
	}
	status := SavepointStatus{Done: result.Done(), Location: result.Location}
	if result.Failure != nil {
		status.Failure = result.Failure.Summary()
	}
	return status, nil
}
