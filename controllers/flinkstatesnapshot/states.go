package flinkstatesnapshot

import (
	"context"
	"fmt"
	"strconv"

	corev1 "k8s.io/api/core/v1"
	ctrl "sigs.k8s.io/controller-runtime"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
	"github.com/teal-flink/teal/internal/flink"
	"github.com/teal-flink/teal/internal/operatorconfig"
	"github.com/teal-flink/teal/internal/resources"
)

// reconcileState takes the snapshot one step through TRIGGER_PENDING → IN_PROGRESS → COMPLETED / FAILED.
func (r *Reconciler) reconcileState(ctx context.Context, s *scope) (ctrl.Result, error) {
	status := &s.snapshot.Status
	switch status.State {
	case flinkv1beta1.SnapshotStateTriggerPending:
		return ctrl.Result{}, r.trigger(ctx, s)
	case flinkv1beta1.SnapshotStateInProgress:
		return ctrl.Result{}, r.poll(ctx, s)
	}
	return ctrl.Result{}, nil
}

func isSavepoint(snapshot *flinkv1beta1.FlinkStateSnapshot) bool {
	return snapshot.Spec.Savepoint != nil
}

// trigger asks Flink for the snapshot, after recording the trigger id it will run under.
func (r *Reconciler) trigger(ctx context.Context, s *scope) error {
	spec, status := &s.snapshot.Spec, &s.snapshot.Status
	if spec.Savepoint != nil && spec.Savepoint.AlreadyExists != nil && *spec.Savepoint.AlreadyExists {
		r.complete(s, spec.Savepoint.Path)
		return nil
	}
	if r.abandonIfJobNotRunning(s) {
		return nil
	}
	if status.TriggerID == "" {
		// The id depends on the attempt: a retry is a new operation, a restart mid-trigger the same one.
		status.TriggerID = flink.TriggerID(string(s.snapshot.UID), strconv.Itoa(int(status.Failures)), "snapshot")
		status.TriggerTimestamp = r.Now().UTC().Format("2006-01-02T15:04:05.000Z")
		s.setProgress(flinkv1beta1.ReasonSavepointing, "triggering %s %s", kindName(s.snapshot), status.TriggerID)
		if err := s.patch(ctx); err != nil {
			return err
		}
		r.step(ctx, s, "Trigger/intent")
	}
	var err error
	if isSavepoint(s.snapshot) {
		directory := spec.Savepoint.Path
		if directory == "" {
			directory = resources.SavepointDir(s.cluster.FlinkConfig)
		}
		if directory == "" {
			r.fail(s, fmt.Sprintf("either spec.savepoint.path or %s (or %s) of the Flink resource has to be set", resources.KeySavepointDir, resources.KeySavepointsDir))
			return nil
		}
		format := spec.Savepoint.FormatType
		if format == "" || format == flinkv1beta1.SavepointFormatUnknown {
			format = flinkv1beta1.SavepointFormatCanonical
		}
		_, err = s.cluster.Client.TriggerSavepoint(ctx, s.jobID, flink.SavepointRequest{
			TargetDirectory: directory, FormatType: flink.SavepointFormat(format), TriggerID: status.TriggerID,
		})
	} else {
		_, err = s.cluster.Client.TriggerCheckpoint(ctx, s.jobID, flink.CheckpointRequest{Type: flink.CheckpointFull, TriggerID: status.TriggerID})
	}
	if err != nil {
		if flink.IsBadRequest(err) || flink.IsConflict(err) || flink.IsNotFound(err) {
			r.fail(s, err.Error())
			return nil
		}
		return fmt.Errorf("triggering %s: %w", kindName(s.snapshot), err)
	}
	status.State = flinkv1beta1.SnapshotStateInProgress
	s.setProgress(flinkv1beta1.ReasonSavepointing, "%s %s in progress", kindName(s.snapshot), status.TriggerID)
	r.event(s, corev1.EventTypeNormal, flinkv1beta1.ReasonSavepointing, s.progress.message)
	r.step(ctx, s, "Trigger")
	return nil
}

// poll follows the snapshot in flight.
func (r *Reconciler) poll(ctx context.Context, s *scope) error {
	if r.abandonIfJobNotRunning(s) {
		return nil
	}
	status := &s.snapshot.Status
	if isSavepoint(s.snapshot) {
		result, err := s.cluster.Client.SavepointStatus(ctx, s.jobID, status.TriggerID)
		switch {
		case flink.IsNotFound(err):
			r.fail(s, "Flink no longer knows the savepoint: "+err.Error())
		case err != nil:
			return fmt.Errorf("polling savepoint %s: %w", status.TriggerID, err)
		case !result.Done():
			s.setProgress(flinkv1beta1.ReasonSavepointing, "savepoint %s in progress", status.TriggerID)
		case result.Failure != nil:
			r.fail(s, result.Failure.Summary())
		default:
			r.complete(s, result.Location)
		}
		return nil
	}
	result, err := s.cluster.Client.CheckpointStatus(ctx, s.jobID, status.TriggerID)
	switch {
	case flink.IsNotFound(err):
		r.fail(s, "Flink no longer knows the checkpoint: "+err.Error())
	case err != nil:
		return fmt.Errorf("polling checkpoint %s: %w", status.TriggerID, err)
	case !result.Done():
		s.setProgress(flinkv1beta1.ReasonSavepointing, "checkpoint %s in progress", status.TriggerID)
	case result.Failure != nil:
		r.fail(s, result.Failure.Summary())
	default:
		// The path is in the checkpoint statistics; upstream completes with an empty path when Flink no
		// longer lists the checkpoint.
		path := ""
		if statistics, err := s.cluster.Client.CheckpointStatistics(ctx, s.jobID); err == nil {
			if latest := statistics.Latest.Completed; latest != nil && latest.ID == result.CheckpointID {
				path = latest.ExternalPath
			}
		}
		r.complete(s, path)
	}
	return nil
}

// abandonIfJobNotRunning ends a snapshot whose job is gone or not running: ABANDONED, as upstream.
func (r *Reconciler) abandonIfJobNotRunning(s *scope) bool {
	var message string
	ref := s.snapshot.Spec.JobReference
	switch {
	case !s.referenceFound:
		message = fmt.Sprintf("the referenced %s was not found", describe(ref))
	case !s.jobRunning:
		message = fmt.Sprintf("the job of %s is not running", describe(ref))
	default:
		return false
	}
	s.snapshot.Status.State = flinkv1beta1.SnapshotStateAbandoned
	s.snapshot.Status.Error = message
	r.event(s, corev1.EventTypeWarning, flinkv1beta1.ReasonSnapshotAbandoned, message)
	return true
}

func describe(ref *flinkv1beta1.JobReference) string {
	if ref == nil {
		return "resource"
	}
	return fmt.Sprintf("%s %s", ref.Kind, ref.Name)
}

func kindName(snapshot *flinkv1beta1.FlinkStateSnapshot) string {
	if isSavepoint(snapshot) {
		return "savepoint"
	}
	return "checkpoint"
}

// complete records a completed snapshot.
func (r *Reconciler) complete(s *scope, path string) {
	status := &s.snapshot.Status
	status.State = flinkv1beta1.SnapshotStateCompleted
	status.Path = path
	status.Error = ""
	status.ResultTimestamp = r.Now().UTC().Format("2006-01-02T15:04:05.000Z")
	r.event(s, corev1.EventTypeNormal, flinkv1beta1.ReasonSucceeded, fmt.Sprintf("%s completed: %s", kindName(s.snapshot), path))
}

// fail counts a failed attempt; it is retried with a backoff until backoffLimit is exhausted.
func (r *Reconciler) fail(s *scope, message string) {
	status := &s.snapshot.Status
	status.Failures++
	status.Error = message
	status.TriggerID = ""
	limit := int32(-1)
	if s.snapshot.Spec.BackoffLimit != nil {
		limit = *s.snapshot.Spec.BackoffLimit
	}
	r.event(s, corev1.EventTypeWarning, flinkv1beta1.ReasonSnapshotFailed, fmt.Sprintf("attempt %d: %s", status.Failures, message))
	retry, wait := retryAfter(status.Failures, limit, s.config.DurationOr(operatorconfig.KeyProgressCheckInterval))
	if !retry {
		status.State = flinkv1beta1.SnapshotStateFailed
		return
	}
	status.State = flinkv1beta1.SnapshotStateTriggerPending
	s.retryAfter = wait
	s.setProgress(flinkv1beta1.ReasonRetrying, "attempt %d failed, retrying in %s: %s", status.Failures, wait, message)
}
