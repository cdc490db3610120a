package flinkdeployment

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	corev1 "k8s.io/api/core/v1"
	ctrl "sigs.k8s.io/controller-runtime"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
	"github.com/teal-flink/teal/internal/operatorconfig"
	"github.com/teal-flink/teal/internal/resources"
	"github.com/teal-flink/teal/internal/specdiff"
)

// reconcileLegacySnapshots is upstream's status-based savepoint path (snapshot resources disabled): the manual
// or periodic savepoint in flight is recorded in status.jobStatus.savepointInfo, completed ones are appended to
// its savepointHistory, which is pruned by the same count and age limits. Checkpoints need snapshot resources.
func (r *Reconciler) reconcileLegacySnapshots(ctx context.Context, s *scope) (ctrl.Result, error) {
	api, ok := s.flink.(snapshotAPI)
	if !ok || s.job == nil {
		return ctrl.Result{}, nil
	}
	info := s.deployment.Status.JobStatus.SavepointInfo
	if info != nil && info.TriggerID != "" {
		if info.TriggerType == flinkv1beta1.SnapshotTriggerUpgrade {
			return ctrl.Result{}, nil
		}
		return ctrl.Result{}, r.awaitLegacySavepoint(ctx, s, api)
	}
	r.pruneLegacyHistory(ctx, s, api)
	if s.job.State != flinkv1beta1.JobStatusRunning {
		return ctrl.Result{}, nil
	}
	if diff, err := specdiff.FlinkDeployment(s.target, &s.deployment.Spec); err != nil || diff.Type >= specdiff.Scale {
		return ctrl.Result{}, err
	}
	owner := s.snapshotOwner()
	now := r.Now()
	trigger := flinkv1beta1.SnapshotTriggerType("")
	nonce := manualNonce(owner, SnapshotSavepoint)
	if nonce != nil {
		trigger = flinkv1beta1.SnapshotTriggerManual
	} else if schedule, err := ParseSchedule(s.config.String(operatorconfig.KeyPeriodicSavepointInterval)); err == nil && schedule != nil {
		due, next := schedule.Due(lastPeriodic(owner, nil, SnapshotSavepoint), now)
		if !due {
			s.wakeWithin(next)
			return ctrl.Result{}, nil
		}
		trigger = flinkv1beta1.SnapshotTriggerPeriodic
		recordPeriodic(&s.deployment.Status.JobStatus, SnapshotSavepoint, now)
	}
	if trigger == "" {
		return ctrl.Result{}, nil
	}
	if s.deployment.Status.JobStatus.SavepointInfo == nil {
		s.deployment.Status.JobStatus.SavepointInfo = &flinkv1beta1.SavepointInfo{}
	}
	info = s.deployment.Status.JobStatus.SavepointInfo
	millis := now.UnixMilli()
	info.TriggerID = triggerID(s.deployment, fmt.Sprintf("%s-savepoint-%d", trigger, millis))
	info.TriggerType, info.TriggerTimestamp = trigger, &millis
	info.FormatType = flinkv1beta1.SavepointFormatType(s.config.String(operatorconfig.KeySavepointFormatType))
	if err := r.recordHandledNonces(s, nonce, nil); err != nil {
		return ctrl.Result{}, err
	}
	// The trigger id is recorded before Flink is asked, so that a restart polls this savepoint instead of
	// taking another one.
	if err := s.patch(ctx); err != nil {
		return ctrl.Result{}, err
	}
	err := api.TriggerSavepoint(ctx, s.job.ID, info.TriggerID, s.flinkConfig[resources.KeySavepointsDir], string(info.FormatType))
	if err != nil {
		info.TriggerID = ""
		r.event(s, corev1.EventTypeWarning, flinkv1beta1.ReasonSavepointFailed, err.Error())
		return ctrl.Result{}, fmt.Errorf("triggering a %s savepoint: %w", trigger, err)
	}
	r.event(s, corev1.EventTypeNormal, flinkv1beta1.ReasonSavepointing, fmt.Sprintf("%s savepoint %s triggered", trigger, info.TriggerID))
	s.inFlight = true
	return ctrl.Result{}, nil
}

// awaitLegacySavepoint polls a manual or periodic savepoint. The job keeps running, so the deployment stays
// Ready meanwhile: the savepoint is not part of rolling out a commit.
func (r *Reconciler) awaitLegacySavepoint(ctx context.Context, s *scope, _ snapshotAPI) error {
	info := s.deployment.Status.JobStatus.SavepointInfo
	result, err := s.flink.SavepointStatus(ctx, s.job.ID, info.TriggerID)
	switch {
	case errors.Is(err, ErrOperationUnknown):
		info.TriggerID, info.TriggerTimestamp = "", nil
		r.event(s, corev1.EventTypeWarning, flinkv1beta1.ReasonSavepointFailed, "the savepoint is no longer known to Flink")
		return nil
	case err != nil:
		return fmt.Errorf("polling savepoint %s: %w", info.TriggerID, err)
	case !result.Done:
		s.inFlight = true
		return nil
	case result.Failure != "":
		info.TriggerID, info.TriggerTimestamp = "", nil
		r.event(s, corev1.EventTypeWarning, flinkv1beta1.ReasonSavepointFailed, result.Failure)
		return nil
	}
	savepoint := flinkv1beta1.Savepoint{TimeStamp: r.Now().UnixMilli(), Location: result.Location, TriggerType: info.TriggerType, FormatType: info.FormatType}
	if info.TriggerType == flinkv1beta1.SnapshotTriggerManual && s.target.Job != nil {
		savepoint.TriggerNonce = s.target.Job.SavepointTriggerNonce
	}
	info.LastSavepoint = &savepoint
	info.SavepointHistory = append(info.SavepointHistory, savepoint)
	info.TriggerID, info.TriggerTimestamp = "", nil
	r.event(s, corev1.EventTypeNormal, flinkv1beta1.ReasonSavepointing, "savepoint completed: "+result.Location)
	return nil
}

// pruneLegacyHistory drops savepoints beyond the history limits from savepointHistory and disposes them,
// always keeping the last one.
func (r *Reconciler) pruneLegacyHistory(ctx context.Context, s *scope, api snapshotAPI) {
	info := s.deployment.Status.JobStatus.SavepointInfo
	if info == nil || len(info.SavepointHistory) < 2 || !s.config.Bool(operatorconfig.KeySavepointCleanupEnabled) {
		return
	}
	maxCount := max(s.config.Int(operatorconfig.KeySavepointHistoryMaxCount), 1)
	minTime := r.Now().Add(-s.config.DurationOr(operatorconfig.KeySavepointHistoryMaxAge))
	history := info.SavepointHistory
	for len(history) > 1 && (len(history) > maxCount || time.UnixMilli(history[0].TimeStamp).Before(minTime)) {
		if err := api.DisposeSavepoint(ctx, history[0].Location); err != nil {
			r.event(s, corev1.EventTypeWarning, flinkv1beta1.ReasonSavepointFailed, "disposing "+history[0].Location+": "+err.Error())
		}
		history = history[1:]
	}
	if len(history) != len(info.SavepointHistory) {
		r.event(s, corev1.EventTypeNormal, flinkv1beta1.ReasonSavepointing,
			"savepoint history pruned to "+strconv.Itoa(len(history)))
		info.SavepointHistory = history
	}
}
