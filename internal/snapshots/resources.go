package snapshots

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
	"github.com/teal-flink/teal/internal/operatorconfig"
)

// Labels of FlinkStateSnapshots (upstream's CrdConstants), so that selectors written for the Apache operator
// find Teal's snapshots.
const (
	LabelSnapshotType        = "snapshot.type"
	LabelSnapshotTriggerType = "snapshot.trigger-type"
	LabelSnapshotState       = "snapshot.state"
	LabelJobReferenceKind    = "job-reference.kind"
	LabelJobReferenceName    = "job-reference.name"
	// AnnotationTriggerNonce on a manual snapshot is the savepointTriggerNonce / checkpointTriggerNonce that asked
	// for it (Teal's), so that a reconcile reading a stale copy of its resource does not take a second one.
	AnnotationTriggerNonce = "teal.flink.apache.org/trigger-nonce"
)

// Kind is a savepoint or a checkpoint.
type Kind string

// Snapshot kinds, as the snapshot.type label spells them.
const (
	Savepoint  Kind = "SAVEPOINT"
	Checkpoint Kind = "CHECKPOINT"
)

// KindOf returns whether a snapshot is a savepoint or a checkpoint.
func KindOf(snapshot *flinkv1beta1.FlinkStateSnapshot) Kind {
	if snapshot.Spec.Checkpoint != nil {
		return Checkpoint
	}
	return Savepoint
}

// TriggerTypeOf reads the snapshot.trigger-type label, UNKNOWN when absent or unknown (as upstream).
func TriggerTypeOf(snapshot *flinkv1beta1.FlinkStateSnapshot) flinkv1beta1.SnapshotTriggerType {
	switch value := flinkv1beta1.SnapshotTriggerType(snapshot.Labels[LabelSnapshotTriggerType]); value {
	case flinkv1beta1.SnapshotTriggerManual, flinkv1beta1.SnapshotTriggerPeriodic, flinkv1beta1.SnapshotTriggerUpgrade:
		return value
	}
	return flinkv1beta1.SnapshotTriggerUnknown
}

// SnapshotName is upstream's name of a snapshot resource: <resource>-<savepoint|checkpoint>-<trigger>-<epochMillis>.
func Name(resource string, kind Kind, trigger flinkv1beta1.SnapshotTriggerType, at time.Time) string {
	return fmt.Sprintf("%s-%s-%s-%d", resource, strings.ToLower(string(kind)), strings.ToLower(string(trigger)), at.UnixMilli())
}

// SnapshotTime is when a snapshot was requested: the epoch milliseconds its name ends with, else its creation
// time (which has only second precision).
func Time(snapshot *flinkv1beta1.FlinkStateSnapshot) time.Time {
	if i := strings.LastIndexByte(snapshot.Name, '-'); i >= 0 {
		if millis, err := strconv.ParseInt(snapshot.Name[i+1:], 10, 64); err == nil && millis > 1e12 {
			return time.UnixMilli(millis)
		}
	}
	return snapshot.CreationTimestamp.Time
}

// Owner is the FlinkDeployment or FlinkSessionJob whose job the operator snapshots.
type Owner struct {
	// Object is the resource.
	Object client.Object
	// Kind is its kind.
	Kind flinkv1beta1.JobKind
	// Desired is spec.job of the current generation.
	Desired *flinkv1beta1.JobSpec
	// Reconciled is job of the last reconciled spec: its nonces are the ones already handled.
	Reconciled *flinkv1beta1.JobSpec
	// JobStatus is status.jobStatus; the periodic trigger timestamps are recorded in it.
	JobStatus *flinkv1beta1.JobStatus
	// Config is the operator configuration for the resource.
	Config *operatorconfig.Config
}

// Snapshots creates and prunes the FlinkStateSnapshot resources of a FlinkDeployment or FlinkSessionJob.
type Resources struct {
	Client client.Client
	Now    func() time.Time
}

// TriggerOutcome says what TriggerDue did.
type TriggerOutcome struct {
	// SavepointNonce and CheckpointNonce, when set, are manual nonces now handled: record them in the last
	// reconciled spec.
	SavepointNonce, CheckpointNonce *int64
	// Created names the snapshot resources created.
	Created []string
	// NextCheck is when a periodic snapshot is due next; 0 when none is scheduled.
	NextCheck time.Duration
	// InvalidSchedules say which periodic snapshot settings cannot be parsed (no snapshot is taken for them).
	InvalidSchedules []string
}

// List returns the snapshot resources that reference owner.
func (s Resources) List(ctx context.Context, owner Owner) ([]flinkv1beta1.FlinkStateSnapshot, error) {
	list := &flinkv1beta1.FlinkStateSnapshotList{}
	if err := s.Client.List(ctx, list, client.InNamespace(owner.Object.GetNamespace())); err != nil {
		return nil, fmt.Errorf("listing snapshots: %w", err)
	}
	var owned []flinkv1beta1.FlinkStateSnapshot
	for _, snapshot := range list.Items {
		if ref := snapshot.Spec.JobReference; ref != nil && ref.Kind == owner.Kind && ref.Name == owner.Object.GetName() {
			owned = append(owned, snapshot)
		}
	}
	return owned, nil
}

// TriggerDue creates the manual and periodic snapshot resources that are due. The job must be running.
func (s Resources) TriggerDue(ctx context.Context, owner Owner) (TriggerOutcome, error) {
	var outcome TriggerOutcome
	existing, err := s.List(ctx, owner)
	if err != nil {
		return outcome, err
	}
	now := s.Now()
	for _, kind := range []Kind{Savepoint, Checkpoint} {
		nonce := manualNonce(owner, kind)
		if nonce != nil {
			if !hasManualSnapshot(existing, kind, *nonce) {
				name, err := s.create(ctx, owner, kind, flinkv1beta1.SnapshotTriggerManual, nonce, now)
				if err != nil {
					return outcome, err
				}
				outcome.Created = append(outcome.Created, name)
			}
			if kind == Savepoint {
				outcome.SavepointNonce = nonce
			} else {
				outcome.CheckpointNonce = nonce
			}
			continue
		}
		schedule, err := ParseSchedule(owner.Config.String(periodicKey(kind)))
		if err != nil {
			outcome.InvalidSchedules = append(outcome.InvalidSchedules, fmt.Sprintf("%s: %v", periodicKey(kind), err))
			continue
		}
		if schedule == nil {
			continue
		}
		last := lastPeriodic(owner, existing, kind)
		due, next := schedule.Due(last, now)
		if due {
			name, err := s.create(ctx, owner, kind, flinkv1beta1.SnapshotTriggerPeriodic, nil, now)
			if err != nil {
				return outcome, err
			}
			outcome.Created = append(outcome.Created, name)
			recordPeriodic(owner.JobStatus, kind, now)
			_, next = schedule.Due(now, now)
		}
		if next > 0 && (outcome.NextCheck == 0 || next < outcome.NextCheck) {
			outcome.NextCheck = next
		}
	}
	return outcome, nil
}

// manualNonce returns the nonce of a manual snapshot of kind asked for and not handled yet, nil otherwise.
func manualNonce(owner Owner, kind Kind) *int64 {
	if owner.Desired == nil {
		return nil
	}
	desired, done := owner.Desired.SavepointTriggerNonce, (*int64)(nil)
	if kind == Checkpoint {
		desired = owner.Desired.CheckpointTriggerNonce
	}
	if owner.Reconciled != nil {
		done = owner.Reconciled.SavepointTriggerNonce
		if kind == Checkpoint {
			done = owner.Reconciled.CheckpointTriggerNonce
		}
	}
	if desired == nil || (done != nil && *done == *desired) {
		return nil
	}
	return desired
}

func hasManualSnapshot(existing []flinkv1beta1.FlinkStateSnapshot, kind Kind, nonce int64) bool {
	for i := range existing {
		if KindOf(&existing[i]) == kind && existing[i].Annotations[AnnotationTriggerNonce] == strconv.FormatInt(nonce, 10) {
			return true
		}
	}
	return false
}

func periodicKey(kind Kind) string {
	if kind == Checkpoint {
		return operatorconfig.KeyPeriodicCheckpointInterval
	}
	return operatorconfig.KeyPeriodicSavepointInterval
}

// lastPeriodic is when the last periodic snapshot of kind was taken: the latest of the timestamp recorded in
// status, the periodic snapshot resources, and the job's start (the first one is due an interval after it).
func lastPeriodic(owner Owner, existing []flinkv1beta1.FlinkStateSnapshot, kind Kind) time.Time {
	var last time.Time
	later := func(t time.Time) {
		if t.After(last) {
			last = t
		}
	}
	if millis, err := strconv.ParseInt(owner.JobStatus.StartTime, 10, 64); err == nil {
		later(time.UnixMilli(millis))
	}
	if kind == Savepoint && owner.JobStatus.SavepointInfo != nil {
		later(time.UnixMilli(owner.JobStatus.SavepointInfo.LastPeriodicSavepointTimestamp))
	}
	if kind == Checkpoint && owner.JobStatus.CheckpointInfo != nil {
		later(time.UnixMilli(owner.JobStatus.CheckpointInfo.LastPeriodicCheckpointTimestamp))
	}
	for i := range existing {
		if KindOf(&existing[i]) == kind && TriggerTypeOf(&existing[i]) == flinkv1beta1.SnapshotTriggerPeriodic {
			later(Time(&existing[i]))
		}
	}
	return last
}

func recordPeriodic(status *flinkv1beta1.JobStatus, kind Kind, at time.Time) {
	if kind == Checkpoint {
		if status.CheckpointInfo == nil {
			status.CheckpointInfo = &flinkv1beta1.CheckpointInfo{}
		}
		status.CheckpointInfo.LastPeriodicCheckpointTimestamp = at.UnixMilli()
		return
	}
	if status.SavepointInfo == nil {
		status.SavepointInfo = &flinkv1beta1.SavepointInfo{}
	}
	status.SavepointInfo.LastPeriodicSavepointTimestamp = at.UnixMilli()
}

// create creates one snapshot resource for owner.
func (s Resources) create(ctx context.Context, owner Owner, kind Kind, trigger flinkv1beta1.SnapshotTriggerType, nonce *int64, at time.Time) (string, error) {
	snapshot := New(owner, kind, trigger, at)
	if nonce != nil {
		snapshot.Annotations = map[string]string{AnnotationTriggerNonce: strconv.FormatInt(*nonce, 10)}
	}
	if err := s.Client.Create(ctx, snapshot); err != nil && !apierrors.IsAlreadyExists(err) {
		return "", fmt.Errorf("creating snapshot %s: %w", snapshot.Name, err)
	}
	return snapshot.Name, nil
}

// NewSnapshot builds the snapshot resource the operator creates for owner.
func New(owner Owner, kind Kind, trigger flinkv1beta1.SnapshotTriggerType, at time.Time) *flinkv1beta1.FlinkStateSnapshot {
	name := owner.Object.GetName()
	snapshot := &flinkv1beta1.FlinkStateSnapshot{
		ObjectMeta: metav1.ObjectMeta{
			Namespace: owner.Object.GetNamespace(), Name: Name(name, kind, trigger, at),
			Labels: map[string]string{
				LabelSnapshotTriggerType: string(trigger), LabelSnapshotType: string(kind),
				LabelJobReferenceKind: string(owner.Kind), LabelJobReferenceName: name,
			},
		},
		Spec: flinkv1beta1.FlinkStateSnapshotSpec{JobReference: &flinkv1beta1.JobReference{Kind: owner.Kind, Name: name}},
	}
	if kind == Checkpoint {
		snapshot.Spec.Checkpoint = &flinkv1beta1.CheckpointSpec{}
		return snapshot
	}
	dispose := owner.Config.Bool(operatorconfig.KeySavepointDisposeOnDelete)
	alreadyExists := trigger == flinkv1beta1.SnapshotTriggerUpgrade
	snapshot.Spec.Savepoint = &flinkv1beta1.SavepointSpec{
		FormatType:      flinkv1beta1.SavepointFormatType(owner.Config.String(operatorconfig.KeySavepointFormatType)),
		DisposeOnDelete: &dispose, AlreadyExists: &alreadyExists,
	}
	return snapshot
}

// RecordUpgradeSavepoint records a savepoint taken by an upgrade (or a suspend) as a snapshot resource, as
// upstream does when snapshot resources are enabled.
func (s Resources) RecordUpgradeSavepoint(ctx context.Context, owner Owner, location string) error {
	if !owner.Config.Bool(operatorconfig.KeySnapshotResource) {
		return nil
	}
	snapshot := New(owner, Savepoint, flinkv1beta1.SnapshotTriggerUpgrade, s.Now())
	snapshot.Spec.Savepoint.Path = location
	if err := s.Client.Create(ctx, snapshot); err != nil && !apierrors.IsAlreadyExists(err) {
		return fmt.Errorf("recording upgrade savepoint %s: %w", snapshot.Name, err)
	}
	return nil
}

// CleanupHistory deletes the periodic and upgrade snapshots beyond kubernetes.operator.savepoint.history.max.count
// or older than …history.max.age, always keeping the last completed one; the FlinkStateSnapshot controller
// disposes their data when they ask for it.
func (s Resources) CleanupHistory(ctx context.Context, owner Owner) ([]string, error) {
	if !owner.Config.Bool(operatorconfig.KeySavepointCleanupEnabled) {
		return nil, nil
	}
	existing, err := s.List(ctx, owner)
	if err != nil {
		return nil, err
	}
	maxAge := owner.Config.DurationOr(operatorconfig.KeySavepointHistoryMaxAge)
	policy := HistoryPolicy{MaxCount: owner.Config.Int(operatorconfig.KeySavepointHistoryMaxCount), MinTime: s.Now().Add(-maxAge)}
	var deleted []string
	for _, kind := range []Kind{Savepoint, Checkpoint} {
		for _, snapshot := range policy.ToDelete(existing, kind) {
			if err := s.Client.Delete(ctx, snapshot); client.IgnoreNotFound(err) != nil {
				return deleted, fmt.Errorf("deleting snapshot %s: %w", snapshot.Name, err)
			}
			deleted = append(deleted, snapshot.Name)
		}
	}
	return deleted, nil
}

// HistoryPolicy is the savepoint history limit.
type HistoryPolicy struct {
	// MaxCount is how many snapshots of a kind are kept.
	MaxCount int
	// MinTime: older snapshots are deleted.
	MinTime time.Time
}

// ToDelete picks, by upstream's rules, the periodic and upgrade snapshots of kind to delete: beyond MaxCount or
// older than MinTime, oldest first, never the last completed one nor the newest one. Snapshots still being
// taken are not history yet: they are neither counted nor deleted.
func (p HistoryPolicy) ToDelete(snapshots []flinkv1beta1.FlinkStateSnapshot, kind Kind) []*flinkv1beta1.FlinkStateSnapshot {
	var candidates []*flinkv1beta1.FlinkStateSnapshot
	for i := range snapshots {
		snapshot := &snapshots[i]
		trigger := TriggerTypeOf(snapshot)
		if snapshot.DeletionTimestamp.IsZero() && KindOf(snapshot) == kind && !inFlight(snapshot) &&
			(trigger == flinkv1beta1.SnapshotTriggerPeriodic || trigger == flinkv1beta1.SnapshotTriggerUpgrade) {
			candidates = append(candidates, snapshot)
		}
	}
	if len(candidates) < 2 {
		return nil
	}
	sort.SliceStable(candidates, func(i, j int) bool { return Time(candidates[i]).Before(Time(candidates[j])) })
	var lastCompleted *flinkv1beta1.FlinkStateSnapshot
	for _, snapshot := range candidates {
		if snapshot.Status.State == flinkv1beta1.SnapshotStateCompleted {
			lastCompleted = snapshot
		}
	}
	var result []*flinkv1beta1.FlinkStateSnapshot
	for _, snapshot := range candidates {
		if snapshot == lastCompleted {
			continue
		}
		if len(result) == len(candidates)-1 {
			break
		}
		if len(candidates)-len(result) > p.MaxCount || Time(snapshot).Before(p.MinTime) {
			result = append(result, snapshot)
		}
	}
	return result
}

// inFlight reports whether a snapshot has not reached a final state.
func inFlight(snapshot *flinkv1beta1.FlinkStateSnapshot) bool {
	switch snapshot.Status.State {
	case flinkv1beta1.SnapshotStateCompleted, flinkv1beta1.SnapshotStateFailed, flinkv1beta1.SnapshotStateAbandoned:
		return false
	}
	return true
}
