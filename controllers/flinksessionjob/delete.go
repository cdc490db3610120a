package flinksessionjob

import (
	"context"

	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
	"github.com/teal-flink/teal/internal/operatorconfig"
	"github.com/teal-flink/teal/internal/phases"
)

// reconcileDelete stops the job (with a savepoint when kubernetes.operator.job.savepoint-on-deletion asks for
// one, else by cancelling it), waits until it ended, then releases the finalizer. A session cluster that is gone
// took the job with it.
func (r *Reconciler) reconcileDelete(ctx context.Context, s *scope) (ctrl.Result, error) {
	if !controllerutil.ContainsFinalizer(s.job, Finalizer) {
		s.released = true
		return ctrl.Result{}, nil
	}
	s.job.Status.LifecycleState = flinkv1beta1.LifecycleStateDeleting
	if result, err := phases.Run(ctx, s, r.loadTarget, r.findSession, r.observeJob); err != nil || !result.IsZero() {
		return result, err
	}
	if s.session == nil || s.job.Status.JobStatus.JobID == "" {
		// No cluster, or nothing was ever submitted to it.
		return r.release(s)
	}
	if s.cluster == nil {
		// The cluster exists but is not reachable: wait rather than leave a job running behind.
		return ctrl.Result{}, nil
	}
	s.done = false
	info := s.job.Status.JobStatus.SavepointInfo
	switch {
	case info != nil && info.TriggerID != "":
		if err := r.awaitSavepoint(ctx, s); err != nil {
			return ctrl.Result{}, err
		}
		return ctrl.Result{}, nil
	case s.current != nil && s.current.state == flinkv1beta1.JobStatusCancelling:
		s.setProgress(flinkv1beta1.ReasonProgressing, "waiting for job %s to end", s.current.id)
		return ctrl.Result{}, nil
	case s.current.active() && s.config.Bool(operatorconfig.KeySavepointOnDeletion):
		return ctrl.Result{}, r.stopWithSavepoint(ctx, s, "delete")
	case s.current.active():
		return ctrl.Result{}, r.cancel(ctx, s)
	}
	return r.release(s)
}

func (r *Reconciler) release(s *scope) (ctrl.Result, error) {
	controllerutil.RemoveFinalizer(s.job, Finalizer)
	s.released = true
	return ctrl.Result{}, nil
}
