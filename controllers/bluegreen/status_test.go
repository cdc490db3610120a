package bluegreen

import (
	"testing"

	. "github.com/onsi/gomega"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
)

// TestForLatestGeneration: a transition's outcome is reported as the latest generation's only when no newer
// commit waits behind it (defect 2 of issue 15: an abort stamped a deferred suspend Failed).
func TestForLatestGeneration(t *testing.T) {
	aborted := decision{State: flinkv1beta1.BlueGreenActiveBlue, Outcome: outcome{Kind: outcomeStalled, Reason: flinkv1beta1.ReasonTransitionAborted, Message: "aborting"}}
	finished := decision{State: flinkv1beta1.BlueGreenActiveGreen, Outcome: outcome{Kind: outcomeReady, Reason: flinkv1beta1.ReasonSucceeded}}
	validation := decision{Outcome: outcome{Kind: outcomeStalled, Reason: flinkv1beta1.ReasonValidationError}}
	recorded := decision{Intent: intent{RecordSpec: true}, Outcome: outcome{Kind: outcomeStalled, Reason: flinkv1beta1.ReasonSavepointFailed}}
	transitioning := observations{State: flinkv1beta1.BlueGreenTransitioningToGreen, Reconciled: true}
	cases := []struct {
		name string
		obs  func(observations) observations
		d    decision
		want outcomeKind
	}{
		{"abort, nothing newer", func(o observations) observations { o.Diff = diffIgnore; return o }, aborted, outcomeStalled},
		{"abort with a suspend waiting", func(o observations) observations { o.Diff = diffSuspend; return o }, aborted, outcomeReconciling},
		{"finished with a suspend waiting", func(o observations) observations { o.Diff = diffSuspend; return o }, finished, outcomeReconciling},
		{"finished with top-level options waiting", func(o observations) observations { o.Diff, o.TopLevelChanged = diffIgnore, true; return o }, finished, outcomeReconciling},
		{"the decision records the new spec", func(o observations) observations { o.Diff = diffSuspend; return o }, recorded, outcomeStalled},
		{"not in a transition", func(o observations) observations {
			o.State, o.Diff = flinkv1beta1.BlueGreenActiveBlue, diffSuspend
			return o
		}, validation, outcomeStalled},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			g := NewWithT(t)
			got := forLatestGeneration(tc.obs(transitioning), tc.d)
			g.Expect(got.Outcome.Kind).To(Equal(tc.want))
			if tc.want == outcomeReconciling {
				g.Expect(got.Wait).To(BeNumerically(">", 0))
				g.Expect(got.State).To(Equal(tc.d.State), "the transition still ends")
			}
		})
	}
}
