package gitops

import (
	"context"
	"errors"
	"time"

	ctrl "sigs.k8s.io/controller-runtime"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
	"github.com/teal-flink/teal/internal/conditions"
)

// Outcome is where one reconcile left the object.
type Outcome int

// Outcomes of a reconcile.
const (
	// InProgress: work towards the latest generation continues (Reconciling=True).
	InProgress Outcome = iota
	// Ready: the latest generation is applied and healthy (Ready=True).
	Ready
	// Stalled: progress needs a person (Stalled=True).
	Stalled
)

// Terminal reports whether the outcome ends the work on a generation, so observedGeneration may advance.
func (o Outcome) Terminal() bool { return o == Ready || o == Stalled }

// Object is a Teal kind with conditions.
type Object interface {
	conditions.Setter
}

// MarkReady records that the latest generation is applied and healthy.
func MarkReady(obj Object, reason, messageFormat string, args ...any) {
	conditions.Delete(obj, flinkv1beta1.ConditionReconciling)
	conditions.Delete(obj, flinkv1beta1.ConditionStalled)
	conditions.MarkTrue(obj, flinkv1beta1.ConditionReady, reason, messageFormat, args...)
}

// MarkReconciling records that work towards the latest generation is under way; Ready turns False with the same
// reason so that nothing reads the object as done while it is not.
func MarkReconciling(obj Object, reason, messageFormat string, args ...any) {
	conditions.MarkReconciling(obj, reason, messageFormat, args...)
	conditions.MarkFalse(obj, flinkv1beta1.ConditionReady, reason, messageFormat, args...)
}

// MarkStalled records that progress needs a person.
func MarkStalled(obj Object, reason, messageFormat string, args ...any) {
	conditions.MarkStalled(obj, reason, messageFormat, args...)
	conditions.MarkFalse(obj, flinkv1beta1.ConditionReady, reason, messageFormat, args...)
}

// Current returns the outcome the conditions describe now.
func Current(obj Object) Outcome {
	switch {
	case conditions.IsTrue(obj, flinkv1beta1.ConditionStalled):
		return Stalled
	case conditions.IsTrue(obj, flinkv1beta1.ConditionReconciling):
		return InProgress
	case conditions.IsTrue(obj, flinkv1beta1.ConditionReady):
		return Ready
	}
	return InProgress
}

// Ending is how a reconcile ends, for FinishReconcile.
type Ending struct {
	// Released: the reconcile removed the finalizer. The final write stores the status first, while the object
	// still exists, then the finalizer's removal, which lets the API server delete it: nothing is written after
	// (a later write could only fail, or land on an object created since under the same name). It is not requeued.
	Released bool
	// RequeueAfter is when a successful reconcile that asked for nothing else runs again.
	RequeueAfter func() time.Duration
}

// FinishReconcile is the deferred end of a reconcile: the one final status write of obj (conditions, state
// fields and, on a terminal outcome only, observedGeneration = the generation the reconcile worked on), its
// error joined to *retErr, and the requeue of a successful reconcile that asked for none. A write refused
// because the object is gone or was replaced (ErrGone) is dropped: the status was computed for an object that
// no longer exists, and the new one has a reconcile of its own queued by its creation. A write refused because
// the object changed since it was read (ErrChanged) requeues the reconcile at once. It returns the write's error
// (nil when nothing needed writing).
func FinishReconcile(ctx context.Context, patcher *Patcher, obj Object, ending Ending, result *ctrl.Result, retErr *error) error {
	if errors.Is(*retErr, ErrChanged) {
		// A write in the middle of the reconcile found a newer version: the final one would too. Run again from
		// the current version (no error: nothing failed, and no action was taken on the stale intent).
		*retErr, *result = nil, ctrl.Result{RequeueAfter: time.Millisecond}
		return ErrChanged
	}
	var observed int64
	if !ending.Released && Current(obj).Terminal() {
		observed = obj.GetGeneration()
	}
	err := patcher.write(ctx, obj, observed)
	switch {
	case errors.Is(err, ErrChanged) && *retErr == nil:
		// Computed from an older version: run again from the current one (no error: nothing failed).
		*result = ctrl.Result{RequeueAfter: time.Millisecond}
		return err
	case err != nil && !errors.Is(err, ErrGone):
		*retErr = errors.Join(*retErr, err)
	}
	if *retErr == nil && result.IsZero() && !ending.Released && ending.RequeueAfter != nil {
		result.RequeueAfter = ending.RequeueAfter()
	}
	return err
}

// Acknowledge is the first action of a controller on an object it has never reported on (no Ready condition):
// one status write saying that the controller works on the object's generation (Reconciling=True, Ready=Unknown).
// Until it lands, kstatus reads a status-less object as Current; it makes that window as short as the first
// reconcile's start. It reports whether it wrote.
func Acknowledge(ctx context.Context, patcher *Patcher, obj Object) (bool, error) {
	if conditions.Has(obj, flinkv1beta1.ConditionReady) {
		return false, nil
	}
	conditions.MarkReconciling(obj, flinkv1beta1.ReasonProgressing, "working on generation %d", obj.GetGeneration())
	conditions.MarkUnknown(obj, flinkv1beta1.ConditionReady, flinkv1beta1.ReasonProgressing, "working on generation %d", obj.GetGeneration())
	return true, patcher.Patch(ctx, obj)
}
