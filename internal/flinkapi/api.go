package flinkapi

import (
	"context"
	"net/http"
	"time"

	"github.com/teal-flink/teal/internal/flink"
	"github.com/teal-flink/teal/internal/operatorconfig"
)

// API is the part of a JobManager's REST API the controllers use. The production implementation is
// *flink.Client; tests reach the Flink stand-in or real Flink through it.
type API interface {
	// ListJobs lists the cluster's jobs.
	ListJobs(ctx context.Context) ([]flink.JobOverview, error)
	// CancelJob cancels a job; Flink answers 409 when the job already reached a terminal state.
	CancelJob(ctx context.Context, jobID string) error
	// StopWithSavepoint stops a job with a savepoint under the request's trigger id (idempotent in Flink).
	StopWithSavepoint(ctx context.Context, jobID string, stop flink.StopRequest) (string, error)
	// TriggerSavepoint starts a savepoint of a running job under the request's trigger id; the job keeps running.
	TriggerSavepoint(ctx context.Context, jobID string, trigger flink.SavepointRequest) (string, error)
	// SavepointStatus polls a savepoint or stop-with-savepoint; flink.ErrOperationNotFound when Flink no longer
	// (or never) knew the trigger id.
	SavepointStatus(ctx context.Context, jobID, triggerID string) (flink.SavepointResult, error)
	// DisposeSavepoint asks the JobManager to delete a savepoint.
	DisposeSavepoint(ctx context.Context, savepointPath string) (string, error)
	// DisposalStatus polls a disposal.
	DisposalStatus(ctx context.Context, triggerID string) (flink.DisposalResult, error)
	// TriggerCheckpoint starts a checkpoint under the request's trigger id.
	TriggerCheckpoint(ctx context.Context, jobID string, trigger flink.CheckpointRequest) (string, error)
	// CheckpointStatus polls a triggered checkpoint.
	CheckpointStatus(ctx context.Context, jobID, triggerID string) (flink.CheckpointResult, error)
	// CheckpointStatistics returns the job's checkpoint statistics (latest checkpoints, history, restore).
	CheckpointStatistics(ctx context.Context, jobID string) (flink.CheckpointStatistics, error)
	// JobExceptions returns the job's exception history.
	JobExceptions(ctx context.Context, jobID string) (flink.JobExceptions, error)
	// JobRestarts returns the job's numRestarts metric.
	JobRestarts(ctx context.Context, jobID string) (int64, error)
	// ResourceRequirements reads the job's per-vertex parallelism bounds (adaptive scheduler).
	ResourceRequirements(ctx context.Context, jobID string) (flink.ResourceRequirements, error)
	// UpdateResourceRequirements sets them, rescaling the job in place.
	UpdateResourceRequirements(ctx context.Context, jobID string, requirements flink.ResourceRequirements) error
	// UploadJar uploads a job jar to a session cluster and returns its id.
	UploadJar(ctx context.Context, jarPath string) (string, error)
	// RunJar submits a job from an uploaded jar.
	RunJar(ctx context.Context, jarID string, run flink.RunJarRequest) (string, error)
	// DeleteJar deletes an uploaded jar.
	DeleteJar(ctx context.Context, jarID string) error
}

var _ API = (*flink.Client)(nil)

// Factory returns a client of the JobManager at restURL, with the timeouts of config.
type Factory func(restURL string, config *operatorconfig.Config) (API, error)

// NewFactory returns the production Factory: internal/flink clients sharing one connection pool, with the
// timeouts of the resource's operator configuration, reporting to observer (may be nil).
func NewFactory(observer flink.Observer) Factory {
	shared := newSharedHTTP()
	return func(restURL string, config *operatorconfig.Config) (API, error) {
		return newClient(restURL, config, shared, observer)
	}
}

func newSharedHTTP() *http.Client {
	return &http.Client{Transport: &http.Transport{
		Proxy: http.ProxyFromEnvironment, MaxIdleConnsPerHost: 4, IdleConnTimeout: 90 * time.Second,
	}}
}

func newClient(restURL string, config *operatorconfig.Config, shared *http.Client, observer flink.Observer) (API, error) {
	client, err := flink.New(restURL, flink.Options{
		Timeout:       config.DurationOr(operatorconfig.KeyClientTimeout),
		CancelTimeout: config.DurationOr(operatorconfig.KeyClientCancelTimeout),
		HTTPClient:    shared,
		Observer:      observer,
	})
	if err != nil {
		return nil, err
	}
	return client, nil
}
