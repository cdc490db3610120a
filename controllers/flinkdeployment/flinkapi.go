package flinkdeployment

import (
	"bytes"
	"context"
	"fmt"
	"strconv"
	"text/template"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
	"github.com/teal-flink/teal/internal/flink"
	"github.com/teal-flink/teal/internal/operatorconfig"
	"github.com/teal-flink/teal/internal/resources"
)

// JobInfo is what the controller reads about a job.
type JobInfo struct {
	ID    string
	Name  string
	State flinkv1beta1.JobStatusState
	// StartTime in epoch milliseconds.
	StartTime int64
}

// SavepointResult is the outcome of an asynchronous savepoint (or stop-with-savepoint) operation.
type SavepointResult struct {
	// Done is false while the operation is in progress.
	Done bool
	// Location of the completed savepoint.
	Location string
	// Failure is Flink's failure cause when the savepoint failed.
	Failure string
}

// FlinkAPI is the part of a JobManager's REST API the controller uses. The production implementation wraps
// internal/flink; tests may substitute their own.
type FlinkAPI interface {
	// ListJobs lists the cluster's jobs.
	ListJobs(ctx context.Context) ([]JobInfo, error)
	// StopWithSavepoint stops the job with a savepoint under the caller's trigger id (idempotent in Flink).
	StopWithSavepoint(ctx context.Context, jobID, triggerID, targetDirectory string) error
	// SavepointStatus polls a savepoint or stop-with-savepoint operation; ErrOperationUnknown when Flink no
	// longer (or never) knew it.
	SavepointStatus(ctx context.Context, jobID, triggerID string) (SavepointResult, error)
	// CancelJob cancels the job.
	CancelJob(ctx context.Context, jobID string) error
	// LatestCheckpoint returns the external path of the newest completed checkpoint (or savepoint) Flink has not
	// discarded, "" when there is none.
	LatestCheckpoint(ctx context.Context, jobID string) (string, error)
	// CheckpointStatistics returns the job's checkpoint statistics (latest checkpoints, history, restore).
	CheckpointStatistics(ctx context.Context, jobID string) (flink.CheckpointStatistics, error)
	// JobExceptions returns the job's exception history, newest first.
	JobExceptions(ctx context.Context, jobID string) ([]JobException, error)
}

// ErrOperationUnknown is returned by SavepointStatus for a trigger id the JobManager does not know.
var ErrOperationUnknown = fmt.Errorf("flink does not know the operation")

// FlinkAPIFactory returns a client of the JobManager at restURL.
type FlinkAPIFactory func(restURL string, config *operatorconfig.Config) (FlinkAPI, error)

// RestURL renders the REST address template for a deployment.
func RestURL(urlTemplate string, deployment *flinkv1beta1.FlinkDeployment, config map[string]string) (string, error) {
	parsed, err := template.New("rest-url").Option("missingkey=error").Parse(urlTemplate)
	if err != nil {
		return "", fmt.Errorf("%s: %w", operatorconfig.KeyRestURLTemplate, err)
	}
	port := config[resources.KeyRestPort]
	if port == "" {
		port = strconv.Itoa(resources.DefaultRestPort)
	}
	// rest.port comes from the resource: only a port number may reach the address, never text that moves the
	// host ("80@victim-rest.b.svc").
	if number, err := strconv.Atoi(port); err != nil || number < 1 || number > 65535 {
		return "", fmt.Errorf("%s %q is not a port number", resources.KeyRestPort, port)
	}
	var out bytes.Buffer
	err = parsed.Execute(&out, map[string]string{"Name": deployment.Name, "Namespace": deployment.Namespace, "Port": port})
	if err != nil {
		return "", fmt.Errorf("%s: %w", operatorconfig.KeyRestURLTemplate, err)
	}
	return out.String(), nil
}
