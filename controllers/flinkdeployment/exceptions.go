package flinkdeployment

import (
	"context"
	"fmt"
	"strings"
	"sync"

	corev1 "k8s.io/api/core/v1"
	ctrl "sigs.k8s.io/controller-runtime"

	"github.com/teal-flink/teal/internal/flinkapi"
	"github.com/teal-flink/teal/internal/operatorconfig"
)

// ReasonJobException is the reason of the Warning events that report a job's exceptions.
const ReasonJobException = "JobException"

// exceptionTracker remembers, per job, the newest exception already reported, so each one becomes one event.
// It lives in memory: after an operator restart at most one reconcile's worth of events may repeat.
type exceptionTracker struct {
	mu       sync.Mutex
	reported map[string]int64
}

func (t *exceptionTracker) newerThanReported(jobID string, exceptions []JobException) []JobException {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.reported == nil {
		t.reported = map[string]int64{}
	}
	last := t.reported[jobID]
	var fresh []JobException
	for _, exception := range exceptions {
		if exception.Timestamp > last {
			fresh = append(fresh, exception)
		}
	}
	return fresh
}

func (t *exceptionTracker) markReported(jobID string, timestamp int64) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if timestamp > t.reported[jobID] {
		t.reported[jobID] = timestamp
	}
}

// reportJobExceptions turns exceptions the job hit since the last report into Warning events, at most
// kubernetes.operator.events.exceptions.limit-per-reconciliation per reconcile (newest first), each with at most
// …stacktrace-lines lines of its stack trace.
func (r *Reconciler) reportJobExceptions(ctx context.Context, s *scope) (ctrl.Result, error) {
	if s.flink == nil || s.job == nil {
		return ctrl.Result{}, nil
	}
	exceptions, err := flinkapi.JobExceptions(ctx, s.flink, s.job.ID)
	if err != nil {
		// Exceptions are information, not a reason to stop reconciling.
		return ctrl.Result{}, nil
	}
	fresh := r.exceptions.newerThanReported(s.job.ID, exceptions)
	limit := s.config.Int(operatorconfig.KeyExceptionLimit)
	lines := s.config.Int(operatorconfig.KeyExceptionStacktraceLines)
	for i, exception := range fresh {
		if i >= limit {
			break
		}
		r.event(s, corev1.EventTypeWarning, ReasonJobException, exceptionMessage(s.job.ID, exception, lines))
	}
	for _, exception := range fresh {
		r.exceptions.markReported(s.job.ID, exception.Timestamp)
	}
	return ctrl.Result{}, nil
}

func exceptionMessage(jobID string, exception JobException, lines int) string {
	trace := strings.Split(strings.TrimSpace(exception.Stacktrace), "\n")
	if len(trace) > lines {
		trace = append(trace[:lines], fmt.Sprintf("… (%d more lines)", len(trace)-lines))
	}
	return fmt.Sprintf("job %s: %s", jobID, strings.Join(trace, "\n"))
}
