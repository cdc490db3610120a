package flinkstatesnapshot

import (
	"errors"

	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
	"github.com/teal-flink/teal/internal/gitops"
	"github.com/teal-flink/teal/internal/snapshots"
)

// summarize derives the conditions from the snapshot's state: COMPLETED is Ready; FAILED (retries exhausted)
// and ABANDONED need a person (Stalled); anything else is work in progress.
func (r *Reconciler) summarize(s *scope, reconcileErr error) {
	snapshot := s.snapshot
	status := &snapshot.Status
	switch {
	case s.stalled != nil:
		gitops.MarkStalled(snapshot, s.stalled.reason, "%s", s.stalled.message)
	case errors.Is(reconcileErr, reconcile.TerminalError(nil)):
		gitops.MarkStalled(snapshot, flinkv1beta1.ReasonSnapshotFailed, "%v", reconcileErr)
	case reconcileErr != nil:
		gitops.MarkReconciling(snapshot, flinkv1beta1.ReasonRetrying, "retrying after an error: %v", reconcileErr)
	case !snapshot.DeletionTimestamp.IsZero():
	case status.State == flinkv1beta1.SnapshotStateCompleted:
		gitops.MarkReady(snapshot, flinkv1beta1.ReasonSucceeded, "%s completed: %s", kindName(snapshot), status.Path)
	case status.State == flinkv1beta1.SnapshotStateFailed:
		gitops.MarkStalled(snapshot, flinkv1beta1.ReasonSnapshotFailed, "failed %d times: %s", status.Failures, status.Error)
	case status.State == flinkv1beta1.SnapshotStateAbandoned:
		gitops.MarkStalled(snapshot, flinkv1beta1.ReasonSnapshotAbandoned, "%s", status.Error)
	case s.progress != nil:
		gitops.MarkReconciling(snapshot, s.progress.reason, "%s", s.progress.message)
	default:
		gitops.MarkReconciling(snapshot, flinkv1beta1.ReasonSavepointing, "%s %s", kindName(snapshot), status.State)
	}
}

// setLabels keeps upstream's labels current, so that snapshots can be selected by type, trigger, state and job.
func setLabels(s *scope) {
	snapshot := s.snapshot
	labels := snapshot.GetLabels()
	if labels == nil {
		labels = map[string]string{}
	}
	labels[snapshots.LabelSnapshotType] = string(snapshots.KindOf(snapshot))
	labels[snapshots.LabelSnapshotTriggerType] = string(snapshots.TriggerTypeOf(snapshot))
	if snapshot.Status.State != "" {
		labels[snapshots.LabelSnapshotState] = string(snapshot.Status.State)
	}
	if ref := snapshot.Spec.JobReference; ref != nil {
		labels[snapshots.LabelJobReferenceKind] = string(ref.Kind)
		labels[snapshots.LabelJobReferenceName] = ref.Name
	}
	snapshot.SetLabels(labels)
}
