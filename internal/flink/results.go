package flink

import (
	"context"
	"net/http"
)

// SerializedThrowable is how Flink ships a Java exception: its class, its printed stack trace and the
// serialized object (base64), which this client does not decode.
type SerializedThrowable struct {
	// Class is the exception's class name.
	Class string `json:"class,omitempty"`
	// StackTrace is the printed stack trace including the message.
	StackTrace string `json:"stack-trace,omitempty"`
	// Serialized is the base64 Java serialization of the exception.
	Serialized string `json:"serialized-throwable,omitempty"`
}

// Summary returns the first line of the stack trace (class and message), or the class name.
func (t *SerializedThrowable) Summary() string {
	if t == nil {
		return ""
	}
	for i := 0; i < len(t.StackTrace); i++ {
		if t.StackTrace[i] == '\n' {
			return t.StackTrace[:i]
		}
	}
	if t.StackTrace != "" {
		return t.StackTrace
	}
	if t.Class != "" {
		return t.Class
	}
	return "unknown failure"
}

// JobExceptions is GET /jobs/:jobid/exceptions, reduced to what both Flink lines report. Flink 1.x also sends
// the deprecated root-exception and all-exceptions fields; Flink 2.x only the exception history.
type JobExceptions struct {
	// RootException is the latest root cause's stack trace, from root-exception (1.x) or the newest history
	// entry (2.x).
	RootException string
	// Timestamp is when the latest root cause happened, in epoch milliseconds.
	Timestamp int64
	// History are the root causes, newest first.
	History []ExceptionEntry
	// Truncated tells whether Flink dropped older entries.
	Truncated bool
}

// ExceptionEntry is one root cause of the exception history.
type ExceptionEntry struct {
	// ExceptionName is the exception class.
	ExceptionName string `json:"exceptionName"`
	// Stacktrace is the printed stack trace.
	Stacktrace string `json:"stacktrace"`
	// Timestamp is when it happened, in epoch milliseconds.
	Timestamp int64 `json:"timestamp"`
	// TaskName names the failing task, if a task failed.
	TaskName string `json:"taskName,omitempty"`
}

// wireJobExceptions decodes the union of the 1.x and 2.x shapes.
type wireJobExceptions struct {
	RootException *string `json:"root-exception"`
	Timestamp     *int64  `json:"timestamp"`
	History       struct {
		Entries   []ExceptionEntry `json:"entries"`
		Truncated bool             `json:"truncated"`
	} `json:"exceptionHistory"`
}

// JobExceptions returns GET /jobs/:jobid/exceptions.
func (c *Client) JobExceptions(ctx context.Context, jobID string) (JobExceptions, error) {
	var wire wireJobExceptions
	if err := c.get(ctx, "GET /jobs/:jobid/exceptions", jobPath(jobID, "/exceptions"), &wire); err != nil {
		return JobExceptions{}, err
	}
	result := JobExceptions{History: wire.History.Entries, Truncated: wire.History.Truncated}
	switch {
	case wire.RootException != nil:
		result.RootException = *wire.RootException
		if wire.Timestamp != nil {
			result.Timestamp = *wire.Timestamp
		}
	case len(wire.History.Entries) > 0:
		result.RootException = wire.History.Entries[0].Stacktrace
		result.Timestamp = wire.History.Entries[0].Timestamp
	}
	return result, nil
}

// ApplicationStatus is the final outcome in a job's execution result.
type ApplicationStatus string

// The outcomes Flink reports.
const (
	ApplicationSucceeded ApplicationStatus = "SUCCEEDED"
	ApplicationFailed    ApplicationStatus = "FAILED"
	ApplicationCanceled  ApplicationStatus = "CANCELED"
	ApplicationUnknown   ApplicationStatus = "UNKNOWN"
)

// ExecutionResult is GET /jobs/:jobid/execution-result.
type ExecutionResult struct {
	// Status is IN_PROGRESS while the job runs and COMPLETED once it reached a terminal state.
	Status OperationStatus
	// ApplicationStatus is the outcome once COMPLETED.
	ApplicationStatus ApplicationStatus
	// NetRuntime is the job's run time in milliseconds once COMPLETED.
	NetRuntime int64
	// Failure is the cause of a FAILED job.
	Failure *SerializedThrowable
}

// ExecutionResult returns GET /jobs/:jobid/execution-result.
func (c *Client) ExecutionResult(ctx context.Context, jobID string) (ExecutionResult, error) {
	var wire struct {
		Status struct {
			ID OperationStatus `json:"id"`
		} `json:"status"`
		Result *struct {
			ApplicationStatus  ApplicationStatus    `json:"application-status"`
			ApplicationStatus2 ApplicationStatus    `json:"applicationStatus"`
			NetRuntime         int64                `json:"net-runtime"`
			NetRuntime2        int64                `json:"netRuntime"`
			Failure            *SerializedThrowable `json:"failure-cause"`
			Failure2           *SerializedThrowable `json:"serializedThrowable"`
		} `json:"job-execution-result"`
	}
	err := c.get(ctx, "GET /jobs/:jobid/execution-result", jobPath(jobID, "/execution-result"), &wire)
	if err != nil {
		return ExecutionResult{}, err
	}
	result := ExecutionResult{Status: wire.Status.ID}
	if wire.Result != nil {
		// Flink's handler writes the hyphenated names; the spec (generated from JobResult) shows camelCase.
		result.ApplicationStatus = firstNonEmpty(wire.Result.ApplicationStatus, wire.Result.ApplicationStatus2)
		result.NetRuntime = max(wire.Result.NetRuntime, wire.Result.NetRuntime2)
		result.Failure = wire.Result.Failure
		if result.Failure == nil {
			result.Failure = wire.Result.Failure2
		}
	}
	return result, nil
}

func firstNonEmpty[T ~string](values ...T) T {
	for _, v := range values {
		if v != "" {
			return v
		}
	}
	return ""
}

// ParallelismBounds is a vertex's allowed parallelism range under the adaptive scheduler.
type ParallelismBounds struct {
	// LowerBound is the minimum parallelism.
	LowerBound int `json:"lowerBound"`
	// UpperBound is the maximum (target) parallelism.
	UpperBound int `json:"upperBound"`
}

// VertexResourceRequirements are one vertex's requirements.
type VertexResourceRequirements struct {
	// Parallelism is the vertex's parallelism range.
	Parallelism ParallelismBounds `json:"parallelism"`
}

// ResourceRequirements map vertex IDs to their requirements (GET/PUT /jobs/:jobid/resource-requirements).
type ResourceRequirements map[string]VertexResourceRequirements

// ResourceRequirements returns GET /jobs/:jobid/resource-requirements.
func (c *Client) ResourceRequirements(ctx context.Context, jobID string) (ResourceRequirements, error) {
	requirements := ResourceRequirements{}
	err := c.get(ctx, "GET /jobs/:jobid/resource-requirements", jobPath(jobID, "/resource-requirements"), &requirements)
	return requirements, err
}

// UpdateResourceRequirements sends PUT /jobs/:jobid/resource-requirements, Flink's in-place rescale; it needs
// jobmanager.scheduler: adaptive on the cluster. A PUT replaces the whole map, so it may be retried.
func (c *Client) UpdateResourceRequirements(ctx context.Context, jobID string, requirements ResourceRequirements) error {
	return c.do(ctx, request{
		method:    http.MethodPut,
		endpoint:  "PUT /jobs/:jobid/resource-requirements",
		path:      jobPath(jobID, "/resource-requirements"),
		jsonBody:  requirements,
		retryable: true,
	})
}
