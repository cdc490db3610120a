package snapshots

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
	"github.com/teal-flink/teal/internal/flinkapi"
	"github.com/teal-flink/teal/internal/jobops"
	"github.com/teal-flink/teal/internal/operatorconfig"
)

// Legacy is upstream's status-based savepoint path of one FlinkDeployment or FlinkSessionJob, used
// when kubernetes.operator.snapshot.resource.enabled is false: the manual or periodic savepoint in flight is
// recorded in status.jobStatus.savepointInfo, completed ones are appended to its savepointHistory, which is
// pruned by the count and age limits (the savepoints disposed). Checkpoints need snapshot resources.
type Legacy struct {
	// Owner is the resource; its JobStatus is where savepointInfo lives.
	Owner Owner
	// API reaches the JobManager running the job.
	API flinkapi.API
	// JobID is the job's id; JobRunning whether it runs (only a running job is snapshotted).
	JobID      string
	JobRunning bool
	// SavepointDir is the cluster's savepoint directory.
	SavepointDir string
	// UID and Subject name the savepoints' trigger ids (jobops.TriggerID): the resource's UID, and what the
	// savepoint acts on (a generation, a job id).
	UID, Subject string
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
func (l Legacy) Reconcile(ctx context.Context) (LegacyOutcome, error) {
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
	nonce := manualNonce(l.Owner, Savepoint)
	if nonce != nil {
		trigger = flinkv1beta1.SnapshotTriggerManual
	} else if schedule, err := ParseSchedule(l.Owner.Config.String(operatorconfig.KeyPeriodicSavepointInterval)); err == nil && schedule != nil {
		due, next := schedule.Due(lastPeriodic(l.Owner, nil, Savepoint), now)
		if !due {
			return LegacyOutcome{WakeIn: next}, nil
		}
		trigger = flinkv1beta1.SnapshotTriggerPeriodic
		recordPeriodic(l.Owner.JobStatus, Savepoint, now)
	}
	if trigger == "" {
		return LegacyOutcome{}, nil
	}
	return l.trigger(ctx, trigger, nonce, now)
}

// trigger records a savepoint's trigger id (a new attempt: none is in flight), then asks Flink for it. A REST
// error keeps the recorded trigger unless Flink refused the request (jobops.IsDefinitive): Flink may have
// started the savepoint before its answer was lost, and the next pass polls it instead of taking a second one.
func (l Legacy) trigger(ctx context.Context, trigger flinkv1beta1.SnapshotTriggerType, nonce *int64, now time.Time) (LegacyOutcome, error) {
	info := jobops.RecordIntent(l.Owner.JobStatus, jobops.Attempt{
		UID: l.UID, Subject: l.Subject, Purpose: strings.ToLower(string(trigger)) + "-savepoint", Type: trigger,
		Format: flinkv1beta1.SavepointFormatType(l.Owner.Config.String(operatorconfig.KeySavepointFormatType)), At: now,
	})
	if err := l.Record(ctx, nonce); err != nil {
		return LegacyOutcome{}, err
	}
	if err := jobops.TriggerSavepoint(ctx, l.API, l.JobID, info, l.SavepointDir); err != nil {
		if !jobops.IsDefinitive(err) {
			return LegacyOutcome{InFlight: true}, err
		}
		jobops.DropTrigger(info)
		l.Event(corev1.EventTypeWarning, flinkv1beta1.ReasonSavepointFailed, err.Error())
		return LegacyOutcome{}, fmt.Errorf("a %s savepoint: %w", trigger, err)
	}
	l.Event(corev1.EventTypeNormal, flinkv1beta1.ReasonSavepointing, fmt.Sprintf("%s savepoint %s triggered", trigger, info.TriggerID))
	return LegacyOutcome{InFlight: true}, nil
}

// await polls a manual or periodic savepoint. The job keeps running, so the resource stays Ready meanwhile:
// the savepoint is not part of rolling out a commit.
func (l Legacy) await(ctx context.Context) (LegacyOutcome, error) {
	info := l.Owner.JobStatus.SavepointInfo
	poll := jobops.PollSavepoint(ctx, l.API, l.JobID, info)
	switch poll.Outcome {
	case jobops.PollUnknown:
		jobops.DropTrigger(info)
		l.Event(corev1.EventTypeWarning, flinkv1beta1.ReasonSavepointFailed, "the savepoint is no longer known to Flink")
		return LegacyOutcome{}, nil
	case jobops.PollUnreachable:
		return LegacyOutcome{InFlight: true}, fmt.Errorf("polling savepoint %s: %w", info.TriggerID, poll.Err)
	case jobops.PollInProgress:
		return LegacyOutcome{InFlight: true}, nil
	case jobops.PollFailed:
		jobops.DropTrigger(info)
		l.Event(corev1.EventTypeWarning, flinkv1beta1.ReasonSavepointFailed, poll.Failure)
		return LegacyOutcome{}, nil
	}
	nonce := (*int64)(nil)
	if info.TriggerType == flinkv1beta1.SnapshotTriggerManual && l.Owner.Reconciled != nil {
		nonce = l.Owner.Reconciled.SavepointTriggerNonce
	}
	jobops.RecordCompleted(info, poll.Location, l.Now())
	info.LastSavepoint.TriggerNonce = nonce
	info.SavepointHistory[len(info.SavepointHistory)-1].TriggerNonce = nonce
	l.Event(corev1.EventTypeNormal, flinkv1beta1.ReasonSavepointing, "savepoint completed: "+poll.Location)
	return LegacyOutcome{}, nil
}

// pruneHistory drops savepoints beyond the history limits from savepointHistory and disposes them, always
// keeping the last one.
func (l Legacy) pruneHistory(ctx context.Context) {
	info := l.Owner.JobStatus.SavepointInfo
	config := l.Owner.Config
	if info == nil || len(info.SavepointHistory) < 2 || !config.Bool(operatorconfig.KeySavepointCleanupEnabled) {
		return
	}
	maxCount := max(config.Int(operatorconfig.KeySavepointHistoryMaxCount), 1)
	minTime := l.Now().Add(-config.DurationOr(operatorconfig.KeySavepointHistoryMaxAge))
	history := info.SavepointHistory
	for len(history) > 1 && (len(history) > maxCount || time.UnixMilli(history[0].TimeStamp).Before(minTime)) {
		if _, err := l.API.DisposeSavepoint(ctx, history[0].Location); err != nil && !savepointGone(err) {
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
