package gitops

import (
	"context"
	"errors"
	"time"

	"github.com/fluxcd/pkg/runtime/conditions"
	"github.com/fluxcd/pkg/runtime/patch"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	ctrl "sigs.k8s.io/controller-runtime"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
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

// IntermediatePatchOptions are the options of a patch in the middle of a reconcile, which records intent before
// an action: the outcome is not known yet, so observedGeneration stays where it is.
func IntermediatePatchOptions(fieldOwner string) []patch.Option {
	return []patch.Option{
		patch.WithOwnedConditions{Conditions: ownedConditions},
		patch.WithFieldOwner(fieldOwner),
	}
}

var ownedConditions = []string{
	flinkv1beta1.ConditionReady, flinkv1beta1.ConditionReconciling, flinkv1beta1.ConditionStalled, flinkv1beta1.ConditionRunning,
}

// PatchOptions are the options of the one status patch a reconcile ends with: Teal owns its conditions, and
// status.observedGeneration advances only when the outcome is terminal.
func PatchOptions(obj Object, fieldOwner string) []patch.Option {
	options := IntermediatePatchOptions(fieldOwner)
	if Current(obj).Terminal() {
		options = append(options, patch.WithStatusObservedGeneration{})
	}
	return options
}

// Ending is how a reconcile ends, for FinishReconcile.
type Ending struct {
	// Released: the finalizer is gone, so the object may already be deleted (a NotFound patch is expected) and
	// is not requeued.
	Released bool
	// RequeueAfter is when a successful reconcile that asked for nothing else runs again.
	RequeueAfter func() time.Duration
}

// FinishReconcile is the deferred end of a reconcile: the one final patch of obj (status, owned conditions and,
// on a terminal outcome, observedGeneration), its error joined to *retErr, and the requeue of a successful
// reconcile that asked for none.
func FinishReconcile(ctx context.Context, patcher *patch.SerialPatcher, obj Object, fieldOwner string, ending Ending,
	result *ctrl.Result, retErr *error) {
	if err := patcher.Patch(ctx, obj, PatchOptions(obj, fieldOwner)...); err != nil && !(ending.Released && apierrors.IsNotFound(err)) {
		*retErr = errors.Join(*retErr, err)
	}
	if *retErr == nil && result.IsZero() && !ending.Released && ending.RequeueAfter != nil {
		result.RequeueAfter = ending.RequeueAfter()
	}
}
