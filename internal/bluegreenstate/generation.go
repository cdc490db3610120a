package bluegreenstate

import (
	"fmt"
	"time"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
)

// ForLatestGeneration keeps a decision's outcome to the generation it is about. A transition's end (complete or
// aborted) is the outcome of the spec the transition rolled out; when a newer commit was deferred until the
// transition is over (a suspend), that commit has not been attempted yet, so the object reports Reconciling
// towards it (observedGeneration stays) instead of Ready or Stalled with the new generation as observed.
func ForLatestGeneration(o Observations, d Decision) Decision {
	inTransition := o.State == flinkv1beta1.BlueGreenTransitioningToBlue || o.State == flinkv1beta1.BlueGreenTransitioningToGreen ||
		o.State == flinkv1beta1.BlueGreenSavepointingBlue || o.State == flinkv1beta1.BlueGreenSavepointingGreen
	pending := o.Reconciled && (o.Diff != DiffIgnore && o.Diff != "" || o.TopLevelChanged) && !d.Intent.RecordSpec
	if !inTransition || !pending || d.Outcome.Kind == OutcomeReconciling {
		return d
	}
	message := "transition complete; "
	if d.Outcome.Kind == OutcomeStalled {
		message = d.Outcome.Message + "; "
	}
	d.Outcome = Outcome{Kind: OutcomeReconciling, Reason: flinkv1beta1.ReasonTransitioning,
		Message: message + fmt.Sprintf("the newer commit (%s) comes next", o.Diff)}
	d.Wait = time.Millisecond
	return d
}
