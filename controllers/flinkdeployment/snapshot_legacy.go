package flinkdeployment

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
	"github.com/teal-flink/teal/internal/flink"
	"github.com/teal-flink/teal/internal/operatorconfig"
)

// LegacyAPI is what the status-based savepoint path needs from a JobManager.
type LegacyAPI interface {
	// TriggerSavepoint starts a savepoint under the caller's trigger id; the job keeps running.
	TriggerSavepoint(ctx context.Context, jobID, triggerID, targetDirectory, formatType string) error
	// SavepointStatus polls it; ErrOperationUnknown when Flink does not know it.
	SavepointStatus(ctx context.Context, jobID, triggerID string) (SavepointResult, error)
	// DisposeSavepoint deletes a savepoint.
	DisposeSavepoint(ctx context.Context, path string) error
}

// NewLegacyAPI adapts a REST client (a session job's session cluster) to LegacyAPI.
func NewLegacyAPI(client *flink.Client) LegacyAPI { return &flinkClient{client: client} }

// LegacySavepoints is upstream's status-based savepoint path of one FlinkDeployment or FlinkSessionJob, used
// when kubernetes.operator.snapshot.resource.enabled is false: the manual or periodic savepoint in flight is
// recorded in status.jobStatus.savepointInfo, completed ones are appended to its savepointHistory, which is
// pruned by the count and age limits (the savepoints disposed). Checkpoints need snapshot resources.
type LegacySavepoints struct {
	// Owner is the resource; its JobStatus is where savepointInfo lives.
	Owner SnapshotOwner
	// API reaches the JobManager running the job.
	API LegacyAPI
	// JobID is the job's id; JobRunning whether it runs (only a running job is snapshotted).
	JobID      string
	JobRunning bool
	// SavepointDir is the cluster's savepoint directory.
	SavepointDir string
	// TriggerID names a savepoint after the resource and purpose.
	TriggerID func(purpose string) string
	// Now is the clock.
	Now func() time.Time
	// Event records an event on the resource.
	Event func(eventType, reason, message string)
	// Record writes the status (trigger id and, when set, the manual nonce now handled) before Flink is asked,
	// so that a restart polls the savepoint instead of taking another.
	Record func(ctx context.Context, handledNonce *int64) error
}

// LegacyOutcome says what a pass did.
type LegacyOutcome struct {
	// InFlight: a savepoint is in progress; poll again soon.
	InFlight bool
	// WakeIn, when set, is when the next periodic savepoint is due.
	WakeIn time.Duration
}

// Reconcile polls the savepoint in flight, or prunes the history and triggers the savepoint that is due.
func (l LegacySavepoints) Reconcile(ctx context.Context) (LegacyOutcome, error) {
	info := l.Owner.JobStatus.SavepointInfo
	if info != nil && info.TriggerID != "" {
		if info.TriggerType == flinkv1beta1.SnapshotTriggerUpgrade {
			return LegacyOutcome{}, nil
		}
		return l.await(ctx)
	}
	l.pruneHistory(ctx)
	if !l.JobRunning {
		return LegacyOutcome{}, nil
	}
	now := l.Now()
	trigger := flinkv1beta1.SnapshotTriggerType("")
	nonce := manualNonce(l.Owner, SnapshotSavepoint)
	if nonce != nil {
		trigger = flinkv1beta1.SnapshotTriggerManual
	} else if schedule, err := ParseSchedule(l.Owner.Config.String(operatorconfig.KeyPeriodicSavepointInterval)); err == nil && schedule != nil {
		due, next := schedule.Due(lastPeriodic(l.Owner, nil, SnapshotSavepoint), now)
		if !due {
			return LegacyOutcome{WakeIn: next}, nil
		}
		trigger = flinkv1beta1.SnapshotTriggerPeriodic
		recordPeriodic(l.Owner.JobStatus, SnapshotSavepoint, now)
	}
	if trigger == "" {
		return LegacyOutcome{}, nil
	}
	return l.trigger(ctx, trigger, nonce, now)
}

// trigger records a savepoint's trigger id, then asks Flink for it.
func (l LegacySavepoints) trigger(ctx context.Context, trigger flinkv1beta1.SnapshotTriggerType, nonce *int64, now time.Time) (LegacyOutcome, error) {
	jobStatus := l.Owner.JobStatus
	if jobStatus.SavepointInfo == nil {
		jobStatus.SavepointInfo = &flinkv1beta1.SavepointInfo{}
	}
	info := jobStatus.SavepointInfo
	millis := now.UnixMilli()
	info.TriggerID = l.TriggerID(fmt.Sprintf("%s-savepoint-%d", trigger, millis))
	info.TriggerType, info.TriggerTimestamp = trigger, &millis
	info.FormatType = flinkv1beta1.SavepointFormatType(l.Owner.Config.String(operatorconfig.KeySavepointFormatType))
	if err := l.Record(ctx, nonce); err != nil {
		return LegacyOutcome{}, err
	}
	if err := l.API.TriggerSavepoint(ctx, l.JobID, info.TriggerID, l.SavepointDir, string(info.FormatType)); err != nil {
		info.TriggerID = ""
		l.Event(corev1.EventTypeWarning, flinkv1beta1.ReasonSavepointFailed, err.Error())
		return LegacyOutcome{}, fmt.Errorf("triggering a %s savepoint: %w", trigger, err)
	}
	l.Event(corev1.EventTypeNormal, flinkv1beta1.ReasonSavepointing, fmt.Sprintf("%s savepoint %s triggered", trigger, info.TriggerID))
	return LegacyOutcome{InFlight: true}, nil
}

// await polls a manual or periodic savepoint. The job keeps running, so the resource stays Ready meanwhile:
// the savepoint is not part of rolling out a commit.
func (l LegacySavepoints) await(ctx context.Context) (LegacyOutcome, error) {
	info := l.Owner.JobStatus.SavepointInfo
	result, err := l.API.SavepointStatus(ctx, l.JobID, info.TriggerID)
	switch {
	case errors.Is(err, ErrOperationUnknown):
		info.TriggerID, info.TriggerTimestamp = "", nil
		l.Event(corev1.EventTypeWarning, flinkv1beta1.ReasonSavepointFailed, "the savepoint is no longer known to Flink")
		return LegacyOutcome{}, nil
	case err != nil:
		return LegacyOutcome{}, fmt.Errorf("polling savepoint %s: %w", info.TriggerID, err)
	case !result.Done:
		return LegacyOutcome{InFlight: true}, nil
	case result.Failure != "":
		info.TriggerID, info.TriggerTimestamp = "", nil
		l.Event(corev1.EventTypeWarning, flinkv1beta1.ReasonSavepointFailed, result.Failure)
		return LegacyOutcome{}, nil
	}
	savepoint := flinkv1beta1.Savepoint{TimeStamp: l.Now().UnixMilli(), Location: result.Location, TriggerType: info.TriggerType, FormatType: info.FormatType}
	if info.TriggerType == flinkv1beta1.SnapshotTriggerManual && l.Owner.Reconciled != nil {
		savepoint.TriggerNonce = l.Owner.Reconciled.SavepointTriggerNonce
	}
	info.LastSavepoint = &savepoint
	info.SavepointHistory = append(info.SavepointHistory, savepoint)
	info.TriggerID, info.TriggerTimestamp = "", nil
	l.Event(corev1.EventTypeNormal, flinkv1beta1.ReasonSavepointing, "savepoint completed: "+result.Location)
	return LegacyOutcome{}, nil
}

// pruneHistory drops savepoints beyond the history limits from savepointHistory and disposes them, always
// keeping the last one.
func (l LegacySavepoints) pruneHistory(ctx context.Context) {
	info := l.Owner.JobStatus.SavepointInfo
	config := l.Owner.Config
	if info == nil || len(info.SavepointHistory) < 2 || !config.Bool(operatorconfig.KeySavepointCleanupEnabled) {
		return
	}
	maxCount := max(config.Int(operatorconfig.KeySavepointHistoryMaxCount), 1)
	minTime := l.Now().Add(-config.DurationOr(operatorconfig.KeySavepointHistoryMaxAge))
	history := info.SavepointHistory
	for len(history) > 1 && (len(history) > maxCount || time.UnixMilli(history[0].TimeStamp).Before(minTime)) {
		if err := l.API.DisposeSavepoint(ctx, history[0].Location); err != nil && !savepointGone(err) {
			// Dropping the entry would orphan the savepoint: it stays in the history, and the disposal is tried
			// again on a later pass.
			l.Event(corev1.EventTypeWarning, flinkv1beta1.ReasonSavepointFailed, "disposing "+history[0].Location+
				" failed, kept in savepointHistory to retry: "+err.Error())
			break
		}
		history = history[1:]
	}
	if len(history) != len(info.SavepointHistory) {
		l.Event(corev1.EventTypeNormal, flinkv1beta1.ReasonSavepointing, "savepoint history pruned to "+strconv.Itoa(len(history)))
		info.SavepointHistory = history
	}
}

// savepointGone reports whether a disposal failed because the savepoint no longer exists (Flink's
// FileNotFoundException): then there is nothing left to orphan.
func savepointGone(err error) bool {
	return strings.Contains(err.Error(), "Cannot find checkpoint or savepoint")
}
