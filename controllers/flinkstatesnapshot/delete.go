package flinkstatesnapshot

import (
	"context"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
	"github.com/teal-flink/teal/internal/operatorconfig"
)

// needsDisposal: a completed savepoint that asks to be disposed with its resource (disposeOnDelete defaults to
// true, as upstream's).
func needsDisposal(snapshot *flinkv1beta1.FlinkStateSnapshot) bool {
	savepoint := snapshot.Spec.Savepoint
	return savepoint != nil && (savepoint.DisposeOnDelete == nil || *savepoint.DisposeOnDelete) &&
		snapshot.Status.State == flinkv1beta1.SnapshotStateCompleted && snapshot.Status.Path != "" &&
		snapshot.Spec.JobReference != nil && snapshot.Spec.JobReference.Name != ""
}

// reconcileDelete disposes the savepoint through the referenced job's JobManager (POST /savepoint-disposal),
// then releases the finalizer. Like upstream, it waits while the savepoint is still being taken (polling it,
// so the wait ends), and keeps retrying while the JobManager cannot be reached.
func (r *Reconciler) reconcileDelete(ctx context.Context, s *scope) (ctrl.Result, error) {
	snapshot := s.snapshot
	if !controllerutil.ContainsFinalizer(snapshot, Finalizer) {
		s.released = true
		return ctrl.Result{}, nil
	}
	if snapshot.Spec.Savepoint != nil && snapshot.Status.State == flinkv1beta1.SnapshotStateInProgress {
		// Still being taken: follow it to its end (or abandon it with its job), then dispose of it.
		if done, err := r.followInFlight(ctx, s); err != nil || !done {
			return ctrl.Result{RequeueAfter: s.config.DurationOr(operatorconfig.KeyProgressCheckInterval)}, err
		}
	}
	if needsDisposal(snapshot) {
		done, err := r.dispose(ctx, s)
		if err != nil || !done {
			return ctrl.Result{RequeueAfter: s.config.DurationOr(operatorconfig.KeyProgressCheckInterval)}, err
		}
	}
	controllerutil.RemoveFinalizer(snapshot, Finalizer)
	s.released = true
	return ctrl.Result{}, nil
}

// followInFlight polls a savepoint in flight once; true when it has ended (completed, failed or abandoned).
func (r *Reconciler) followInFlight(ctx context.Context, s *scope) (bool, error) {
	if _, err := r.resolveJob(ctx, s); err != nil {
		return false, err
	}
	if err := r.poll(ctx, s); err != nil {
		return false, err
	}
	return s.snapshot.Status.State != flinkv1beta1.SnapshotStateInProgress, nil
}

// dispose triggers the disposal (trigger id recorded in an annotation) or polls it; true once it succeeded.
func (r *Reconciler) dispose(ctx context.Context, s *scope) (bool, error) {
	snapshot := s.snapshot
	if _, err := r.resolveJob(ctx, s); err != nil {
		return false, err
	}
	if s.cluster == nil {
		r.event(s, corev1.EventTypeWarning, flinkv1beta1.ReasonSnapshotFailed,
			"cannot dispose of the savepoint: the referenced "+describe(snapshot.Spec.JobReference)+" cannot be found")
		return false, nil
	}
	triggerID := snapshot.Annotations[AnnotationDisposalTrigger]
	if triggerID == "" {
		id, err := s.cluster.Client.DisposeSavepoint(ctx, snapshot.Status.Path)
		if err != nil {
			return false, fmt.Errorf("disposing savepoint %s: %w", snapshot.Status.Path, err)
		}
		if snapshot.Annotations == nil {
			snapshot.Annotations = map[string]string{}
		}
		snapshot.Annotations[AnnotationDisposalTrigger] = id
		return false, s.patch(ctx)
	}
	result, err := s.cluster.Client.DisposalStatus(ctx, triggerID)
	switch {
	case err != nil:
		// Unknown (a failover lost it) or unreachable: ask again.
		delete(snapshot.Annotations, AnnotationDisposalTrigger)
		return false, fmt.Errorf("polling the disposal of %s: %w", snapshot.Status.Path, err)
	case !result.Done():
		return false, nil
	case result.Failure != nil:
		delete(snapshot.Annotations, AnnotationDisposalTrigger)
		r.event(s, corev1.EventTypeWarning, flinkv1beta1.ReasonSnapshotFailed, "disposing the savepoint failed: "+result.Failure.Summary())
		return false, nil
	}
	r.event(s, corev1.EventTypeNormal, flinkv1beta1.ReasonSucceeded, "savepoint disposed: "+snapshot.Status.Path)
	return true, nil
}
