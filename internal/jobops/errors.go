package jobops

import (
	"errors"
	"net/http"

	"github.com/teal-flink/teal/internal/flink"
)

// IsDefinitive is the one rule for REST errors of a Flink operation: Flink answered and refused the request (a
// 4xx: bad request, unknown job or trigger, job in the wrong state), so the operation did not and will not
// happen — the recorded trigger is dropped and the next attempt gets a new id. Anything else (a timeout, a
// refused connection, a 5xx, a 408 or 429, an answer lost on the way) is transient: Flink may have started the
// operation, so the recorded trigger is kept and polled (or re-sent under the same id) on the next reconcile.
func IsDefinitive(err error) bool {
	if errors.Is(err, flink.ErrOperationNotFound) {
		return true
	}
	var apiErr *flink.APIError
	if !errors.As(err, &apiErr) {
		return false
	}
	switch apiErr.StatusCode {
	case http.StatusRequestTimeout, http.StatusTooManyRequests:
		return false
	}
	return apiErr.StatusCode >= http.StatusBadRequest && apiErr.StatusCode < http.StatusInternalServerError
}
