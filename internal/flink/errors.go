package flink

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
)

// ErrOperationNotFound reports that Flink no longer knows an asynchronous operation: its result outlived
// rest.async.store-duration (5 minutes by default), the JobManager failed over and lost its operation cache, or
// the trigger ID was never used. The caller decides whether to re-trigger (with a new trigger ID) or to look for
// the outcome elsewhere, such as the checkpoint statistics.
var ErrOperationNotFound = errors.New("flink: asynchronous operation not found (expired or never triggered)")

// APIError is a non-2xx answer from the Flink REST API.
type APIError struct {
	// StatusCode is the HTTP status Flink answered with.
	StatusCode int
	// Errors is Flink's {"errors": [...]} list; for a server-side exception its first entry carries the stack.
	Errors []string
	// Endpoint is the endpoint template, such as "GET /jobs/:jobid".
	Endpoint string
}

// Error summarises the failure with the first line of Flink's first error message.
func (e *APIError) Error() string {
	msg := ""
	if len(e.Errors) > 0 {
		msg = e.Errors[0]
		if i := strings.IndexByte(msg, '\n'); i >= 0 {
			msg = msg[:i]
		}
		msg = ": " + msg
	}
	return fmt.Sprintf("flink %s: HTTP %d%s", e.Endpoint, e.StatusCode, msg)
}

// Message joins all of Flink's error messages.
func (e *APIError) Message() string { return strings.Join(e.Errors, "\n") }

// statusOf returns the HTTP status of an *APIError anywhere in err's chain, or 0.
func statusOf(err error) int {
	var apiErr *APIError
	if errors.As(err, &apiErr) {
		return apiErr.StatusCode
	}
	return 0
}

// IsNotFound reports whether err is a 404 from Flink (unknown job, jar or trigger ID) or an expired operation.
func IsNotFound(err error) bool {
	return statusOf(err) == http.StatusNotFound || errors.Is(err, ErrOperationNotFound)
}

// IsBadRequest reports whether Flink rejected the request as malformed (HTTP 400), such as a savepoint without a
// target directory on a cluster without state.savepoints.dir.
func IsBadRequest(err error) bool { return statusOf(err) == http.StatusBadRequest }

// IsConflict reports whether Flink refused the request in the job's current state (HTTP 409), such as a
// savepoint on a job that is not running.
func IsConflict(err error) bool { return statusOf(err) == http.StatusConflict }

// IsServerError reports whether Flink answered with a 5xx status.
func IsServerError(err error) bool { return statusOf(err) >= 500 }

// operationNotFoundError wraps a 404 from a status poll so it matches both ErrOperationNotFound and *APIError.
type operationNotFoundError struct{ apiErr *APIError }

func (e *operationNotFoundError) Error() string {
	return fmt.Sprintf("%s: %s", ErrOperationNotFound.Error(), e.apiErr.Error())
}

func (e *operationNotFoundError) Unwrap() []error { return []error{ErrOperationNotFound, e.apiErr} }

// asOperationNotFound converts a 404 from an async status poll into an operationNotFoundError.
func asOperationNotFound(err error) error {
	var apiErr *APIError
	if errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound {
		return &operationNotFoundError{apiErr: apiErr}
	}
	return err
}
