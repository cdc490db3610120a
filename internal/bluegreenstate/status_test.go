package bluegreenstate

import (
	"testing"

	. "github.com/onsi/gomega"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
)

// TestForLatestGeneration: a transition's outcome is reported as the latest generation's only when no newer
// commit waits behind it (defect 2 of issue 15: an abort stamped a deferred suspend Failed).
func TestForLatestGeneration(t *testing.T) {
	aborted := Decision{State: flinkv1beta1.BlueGreenActiveBlue, Outcome: Outcome{Kind: OutcomeStalled, Reason: flinkv1beta1.ReasonTransitionAborted, Message: "aborting"}}
	finished := Decision{State: flinkv1beta1.BlueGreenActiveGreen, Outcome: Outcome{Kind: OutcomeReady, Reason: flinkv1beta1.ReasonSucceeded}}
	validation := Decision{Outcome: Outcome{Kind: OutcomeStalled, Reason: flinkv1beta1.ReasonValidationError}}
	recorded := Decision{Intent: Intent{RecordSpec: true}, Outcome: Outcome{Kind: OutcomeStalled, Reason: flinkv1beta1.ReasonSavepointFailed}}
	transitioning := Observations{State: flinkv1beta1.BlueGreenTransitioningToGreen, Reconciled: true}
	cases := []struct {
		name string
		obs  func(Observations) Observations
		d    Decision
		want OutcomeKind
	}{
		{"abort, nothing newer", func(o Observations) Observations { o.Diff = DiffIgnore; return o }, aborted, OutcomeStalled},
		{"abort with a suspend waiting", func(o Observations) Observations { o.Diff = DiffSuspend; return o }, aborted, OutcomeReconciling},
		{"finished with a suspend waiting", func(o Observations) Observations { o.Diff = DiffSuspend; return o }, finished, OutcomeReconciling},
		{"finished with top-level options waiting", func(o Observations) Observations { o.Diff, o.TopLevelChanged = DiffIgnore, true; return o }, finished, OutcomeReconciling},
		{"the decision records the new spec", func(o Observations) Observations { o.Diff = DiffSuspend; return o }, recorded, OutcomeStalled},
		{"not in a transition", func(o Observations) Observations {
			o.State, o.Diff = flinkv1beta1.BlueGreenActiveBlue, DiffSuspend
			return o
		}, validation, OutcomeStalled},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			g := NewWithT(t)
			got := ForLatestGeneration(tc.obs(transitioning), tc.d)
			g.Expect(got.Outcome.Kind).To(Equal(tc.want))
			if tc.want == OutcomeReconciling {
				g.Expect(got.Wait).To(BeNumerically(">", 0))
				g.Expect(got.State).To(Equal(tc.d.State), "the transition still ends")
			}
		})
	}
}
