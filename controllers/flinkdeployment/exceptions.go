package flinkdeployment

import (
	"context"

	corev1 "k8s.io/api/core/v1"
	ctrl "sigs.k8s.io/controller-runtime"

	"github.com/teal-flink/teal/internal/flinkapi"
	"github.com/teal-flink/teal/internal/operatorconfig"
)

// ReasonJobException is the reason of the Warning events that report a job's exceptions.
const ReasonJobException = "JobException"

// reportJobExceptions turns exceptions the job hit since the last report into Warning events, at most
// kubernetes.operator.events.exceptions.limit-per-reconciliation per reconcile (newest first), each with at most
// …stacktrace-lines lines of its stack trace (see internal/jobexceptions).
func (r *Reconciler) reportJobExceptions(ctx context.Context, s *scope) (ctrl.Result, error) {
	if s.flink == nil || s.job == nil {
		return ctrl.Result{}, nil
	}
	exceptions, err := flinkapi.JobExceptions(ctx, s.flink, s.job.ID)
	if err != nil {
		// Exceptions are information, not a reason to stop reconciling.
		return ctrl.Result{}, nil
	}
	for _, message := range r.exceptions.Report(s.job.ID, exceptions, s.config.Int(operatorconfig.KeyExceptionLimit),
		s.config.Int(operatorconfig.KeyExceptionStacktraceLines)) {
		r.event(s, corev1.EventTypeWarning, ReasonJobException, message)
	}
	return ctrl.Result{}, nil
}
