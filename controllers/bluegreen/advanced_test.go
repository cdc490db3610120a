package bluegreen

import (
	"testing"
	"time"

	. "github.com/onsi/gomega"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
)

// TestNextAdvanced pins the FLIP-504 stage protocol: the next step from the coordination ConfigMap and the
// children's state.
func TestNextAdvanced(t *testing.T) {
	const deadline = 5 * time.Minute
	toGreen := flinkv1beta1.BlueGreenTransitioningToGreen
	base := func(o observations) observations {
		o.Advanced, o.TransitionDeadline, o.Reconciled, o.Now, o.Poll = true, deadline, true, t0, time.Second
		if o.AbortAt.IsZero() {
			o.AbortAt = t0.Add(time.Minute)
		}
		return o
	}
	gateAt := func(stage, w string) gate { return gate{Exists: true, Active: green, Stage: stage, W: w} }
	kinds := func(effects []effect) []string {
		out := []string{}
		for _, e := range effects {
			out = append(out, e.String())
		}
		return out
	}
	cases := []struct {
		name    string
		obs     observations
		effects []string
		final   flinkv1beta1.FlinkBlueGreenDeploymentState
		outcome outcomeKind
		reason  string
		check   func(g Gomega, d decision)
	}{
		{name: "first deployment prepares the ConfigMap before blue exists",
			obs:     observations{State: "", FirstDeployment: true},
			effects: []string{"WriteGate(INITIALIZING)", "ApplyChild(BLUE)"}, outcome: outcomeReconciling,
			check: func(g Gomega, d decision) {
				g.Expect(d.Effects[0].Gate.Set).To(HaveKeyWithValue(gateKeyFirstDeployment, "true"))
				g.Expect(d.Effects[0].Gate.Set).To(HaveKeyWithValue(gateKeyActive, "BLUE"))
			}},
		{name: "hand-over savepoint done: prepare for green, reset W, then create green",
			obs: observations{State: flinkv1beta1.BlueGreenSavepointingBlue, Savepoint: savepointDone, SavepointLocation: "file:///sp",
				Blue: ready, DeletionDelay: 1500 * time.Millisecond, Gate: gate{Exists: true, Active: blue, Stage: stageRunning, W: "99"}},
			effects: []string{"WriteGate(INITIALIZING)", "ApplyChild(GREEN)"}, outcome: outcomeReconciling,
			check: func(g Gomega, d decision) {
				w := d.Effects[0].Gate
				g.Expect(w.Set).To(Equal(map[string]string{gateKeyFirstDeployment: "false", gateKeyActive: "GREEN",
					gateKeyDeletionDelay: "1500", gateKeyStage: stageInitializing, gateKeyWatermarkStage: watermarkNotSet}))
				g.Expect(w.Remove).To(ConsistOf(gateKeyWatermark))
			}},
		{name: "green not running yet: its gate holds, blue emits",
			obs:     observations{State: toGreen, Blue: ready, Green: running, Gate: gateAt(stageInitializing, "")},
			effects: []string{}, outcome: outcomeReconciling, reason: flinkv1beta1.ReasonWaitingForIncomingJob},
		{name: "a phase already reported draws no second event",
			obs: observations{State: toGreen, Blue: ready, Green: ready, Gate: gateAt(stageTransitioning, "1700000000000"),
				ReadyAt: t0, Reason: flinkv1beta1.ReasonCutOverAtWatermark},
			effects: []string{}, outcome: outcomeReconciling, reason: flinkv1beta1.ReasonCutOverAtWatermark,
			check: func(g Gomega, d decision) { g.Expect(d.Event).To(BeFalse()) }},
		{name: "green not running within the grace period: lossless abort, green's gate keeps holding",
			obs: observations{State: toGreen, Blue: ready, Green: running, Gate: gateAt(stageInitializing, ""),
				AbortAt: t0.Add(-time.Second)},
			effects: []string{"WriteGate(INITIALIZING)", "SuspendChild(GREEN)"}, final: flinkv1beta1.BlueGreenActiveBlue,
			outcome: outcomeStalled, reason: flinkv1beta1.ReasonTransitionAborted,
			check: func(g Gomega, d decision) {
				g.Expect(d.Effects[0].Gate.Set).To(HaveKeyWithValue(gateKeyActive, "GREEN"))
				g.Expect(d.Outcome.Message).To(ContainSubstring("abort grace period"))
			}},
		{name: "green ran late, after the grace period but before TRANSITIONING: the cut-over goes on",
			obs: observations{State: toGreen, Blue: ready, Green: ready, Gate: gateAt(stageInitializing, ""),
				AbortAt: t0.Add(-time.Second)},
			effects: []string{"WriteGate(TRANSITIONING)"}, outcome: outcomeReconciling, reason: flinkv1beta1.ReasonWaitingForWatermark},
		{name: "green runs: stage TRANSITIONING, deadline starts",
			obs:     observations{State: toGreen, Blue: ready, Green: ready, Gate: gateAt(stageInitializing, "")},
			effects: []string{"WriteGate(TRANSITIONING)"}, outcome: outcomeReconciling, reason: flinkv1beta1.ReasonWaitingForWatermark,
			check: func(g Gomega, d decision) { g.Expect(d.Intent.SetReady).To(BeTrue()) }},
		{name: "waiting for W within the deadline: nothing deleted",
			obs: observations{State: toGreen, Blue: ready, Green: ready, Gate: gateAt(stageTransitioning, ""),
				ReadyAt: t0.Add(-time.Minute)},
			effects: []string{}, outcome: outcomeReconciling, reason: flinkv1beta1.ReasonWaitingForWatermark,
			check: func(g Gomega, d decision) { g.Expect(d.Wait).To(BeNumerically("~", 4*time.Minute, time.Second)) }},
		{name: "no W by the deadline: abort step 1 (INITIALIZING, W cleared, green still active) and step 2 (suspend green)",
			obs: observations{State: toGreen, Blue: ready, Green: ready, Gate: gateAt(stageTransitioning, ""),
				ReadyAt: t0.Add(-deadline - time.Second)},
			effects: []string{"WriteGate(INITIALIZING)", "SuspendChild(GREEN)"}, final: flinkv1beta1.BlueGreenActiveBlue,
			outcome: outcomeStalled, reason: flinkv1beta1.ReasonTransitionAborted,
			check: func(g Gomega, d decision) {
				g.Expect(d.Effects[0].Gate.Set).To(Equal(map[string]string{gateKeyActive: "GREEN", gateKeyStage: stageInitializing,
					gateKeyWatermarkStage: watermarkNotSet}))
				g.Expect(d.Effects[0].Gate.Remove).To(ConsistOf(gateKeyWatermark))
				g.Expect(d.Outcome.Message).To(ContainSubstring("transition deadline"))
			}},
		{name: "W set: cut-over, teardown blocked",
			obs: observations{State: toGreen, Blue: ready, Green: ready, Gate: gateAt(stageTransitioning, "1700000000000"),
				ReadyAt: t0.Add(-time.Minute)},
			effects: []string{}, outcome: outcomeReconciling, reason: flinkv1beta1.ReasonCutOverAtWatermark,
			check: func(g Gomega, d decision) {
				g.Expect(d.Outcome.Message).To(ContainSubstring("W=1700000000000 (2023-11-14T22:13:20Z)"))
			}},
		{name: "W set past the deadline: stalled, still waiting, no abort",
			obs: observations{State: toGreen, Blue: ready, Green: ready, Gate: gateAt(stageTransitioning, "1700000000000"),
				ReadyAt: t0.Add(-deadline - time.Second)},
			effects: []string{}, outcome: outcomeStalled, reason: flinkv1beta1.ReasonCutOverStalled,
			check: func(g Gomega, d decision) { g.Expect(d.State).To(BeEmpty()) }},
		{name: "CLEAR_TO_TEARDOWN: stop blue with a savepoint",
			obs:     observations{State: toGreen, Blue: ready, Green: ready, Gate: gateAt(stageClearTeardown, "1"), ReadyAt: t0},
			effects: []string{"StopChild(BLUE)"}, outcome: outcomeReconciling, reason: flinkv1beta1.ReasonClearToTeardown,
			check: func(g Gomega, d decision) { g.Expect(d.Intent.NewTrigger && d.Intent.Teardown).To(BeTrue()) }},
		{name: "stop-with-savepoint in progress",
			obs: observations{State: toGreen, Blue: ready, Green: ready, Gate: gateAt(stageClearTeardown, "1"), ReadyAt: t0,
				TriggerID: "t", Savepoint: savepointPending},
			effects: []string{}, outcome: outcomeReconciling, reason: flinkv1beta1.ReasonClearToTeardown},
		{name: "stop-with-savepoint never sent: send it under the recorded trigger",
			obs: observations{State: toGreen, Blue: ready, Green: ready, Gate: gateAt(stageClearTeardown, "1"), ReadyAt: t0,
				TriggerID: "t", Savepoint: savepointUnknown},
			effects: []string{"StopChild(BLUE)"}, outcome: outcomeReconciling, reason: flinkv1beta1.ReasonClearToTeardown,
			check: func(g Gomega, d decision) { g.Expect(d.Intent.NewTrigger).To(BeFalse()) }},
		{name: "stop-with-savepoint failed: retried",
			obs: observations{State: toGreen, Blue: ready, Green: ready, Gate: gateAt(stageClearTeardown, "1"), ReadyAt: t0,
				TriggerID: "t", Savepoint: savepointFailed, SavepointProblem: "boom"},
			effects: []string{"StopChild(BLUE)"}, outcome: outcomeReconciling, reason: flinkv1beta1.ReasonRetrying,
			check: func(g Gomega, d decision) { g.Expect(d.Intent.NewTrigger && d.Retry).To(BeTrue()) }},
		{name: "blue stopped: delete it, settle on green",
			obs: observations{State: toGreen, Blue: ready, Green: ready, Gate: gateAt(stageClearTeardown, "1"), ReadyAt: t0,
				TriggerID: "t", Savepoint: savepointDone},
			effects: []string{"SwitchIngress(GREEN)", "DeleteChild(BLUE)", "WriteGate(RUNNING)"}, final: flinkv1beta1.BlueGreenActiveGreen,
			outcome: outcomeReady, reason: flinkv1beta1.ReasonSucceeded,
			check: func(g Gomega, d decision) {
				g.Expect(d.Effects[2].Gate.Remove).To(BeEmpty(), "W stays: green emits from W on")
			}},
		{name: "blue's job finished (status unreachable): teardown goes on",
			obs: observations{State: toGreen, Blue: child{Exists: true, Finished: true}, Green: ready, Gate: gateAt(stageClearTeardown, "1"),
				ReadyAt: t0, TriggerID: "t", Savepoint: savepointUnreachable},
			effects: []string{"SwitchIngress(GREEN)", "DeleteChild(BLUE)", "WriteGate(RUNNING)"}, final: flinkv1beta1.BlueGreenActiveGreen,
			outcome: outcomeReady},
		{name: "blue deleted, ACTIVE_GREEN not recorded: settle",
			obs:     observations{State: toGreen, Green: ready, Gate: gateAt(stageClearTeardown, "1"), ReadyAt: t0},
			effects: []string{"SwitchIngress(GREEN)", "WriteGate(RUNNING)"}, final: flinkv1beta1.BlueGreenActiveGreen, outcome: outcomeReady},
		{name: "transition recorded, ConfigMap not prepared: prepare before green",
			obs:     observations{State: toGreen, Blue: ready, Gate: gate{Exists: true, Active: blue, Stage: stageRunning}},
			effects: []string{"WriteGate(INITIALIZING)", "ApplyChild(GREEN)"}, outcome: outcomeReconciling},
		{name: "ConfigMap settled on blue without W past the deadline (an older abort): abort again, in order",
			obs: observations{State: toGreen, Blue: ready, Green: ready, Gate: gate{Exists: true, Active: blue, Stage: stageRunning},
				ReadyAt: t0.Add(-deadline - time.Second)},
			effects: []string{"WriteGate(INITIALIZING)", "SuspendChild(GREEN)"}, final: flinkv1beta1.BlueGreenActiveBlue,
			outcome: outcomeStalled, reason: flinkv1beta1.ReasonTransitionAborted},
		{name: "abort removes the outgoing gates' W candidates (a retry keeps blue's job, so they would count)",
			obs: observations{State: toGreen, Blue: ready, Green: ready, ReadyAt: t0.Add(-deadline - time.Second),
				Gate: gate{Exists: true, Active: green, Stage: stageTransitioning, Candidates: []string{"teal.gate-candidate.BLUE.g0.0.1"}}},
			effects: []string{"WriteGate(INITIALIZING)", "SuspendChild(GREEN)"}, final: flinkv1beta1.BlueGreenActiveBlue,
			outcome: outcomeStalled, reason: flinkv1beta1.ReasonTransitionAborted,
			check: func(g Gomega, d decision) {
				g.Expect(d.Effects[0].Gate.Remove).To(ConsistOf(gateKeyWatermark, "teal.gate-candidate.BLUE.g0.0.1"))
			}},
		{name: "crash mid-abort after step 1: abort again, never TRANSITIONING again",
			obs: observations{State: toGreen, Blue: ready, Green: ready, Gate: gateAt(stageInitializing, ""),
				ReadyAt: t0.Add(-deadline - time.Second)},
			effects: []string{"WriteGate(INITIALIZING)", "SuspendChild(GREEN)"}, final: flinkv1beta1.BlueGreenActiveBlue,
			outcome: outcomeStalled, reason: flinkv1beta1.ReasonTransitionAborted,
			check: func(g Gomega, d decision) { g.Expect(d.Outcome.Message).To(ContainSubstring("transition deadline")) }},
		{name: "crash mid-abort after step 2 (green suspended in spec, still running): abort again",
			obs: observations{State: toGreen, Blue: ready, Green: child{Exists: true, SpecSuspended: true}, Gate: gateAt(stageInitializing, ""),
				ReadyAt: t0.Add(-deadline - time.Second)},
			effects: []string{"WriteGate(INITIALIZING)", "SuspendChild(GREEN)"}, final: flinkv1beta1.BlueGreenActiveBlue,
			outcome: outcomeStalled, reason: flinkv1beta1.ReasonTransitionAborted},
		{name: "abort step 3 waits: ACTIVE_BLUE recorded, green still runs, ConfigMap keeps green active and holding",
			obs: observations{State: flinkv1beta1.BlueGreenActiveBlue, Failing: true, Blue: ready,
				Green: child{Exists: true, SpecSuspended: true}, Gate: gateAt(stageInitializing, "")},
			effects: []string{"SwitchIngress(BLUE)"}, outcome: outcomeStalled},
		{name: "abort step 3 waits: green being deleted",
			obs: observations{State: flinkv1beta1.BlueGreenActiveBlue, Failing: true, Blue: ready,
				Green: child{Terminating: true}, Gate: gateAt(stageInitializing, "")},
			effects: []string{"SwitchIngress(BLUE)"}, outcome: outcomeStalled},
		{name: "abort step 3: green suspended, ConfigMap settles on blue",
			obs: observations{State: flinkv1beta1.BlueGreenActiveBlue, Failing: true, Blue: ready,
				Green: child{Exists: true, Suspended: true, SpecSuspended: true}, Gate: gateAt(stageInitializing, "")},
			effects: []string{"SwitchIngress(BLUE)", "WriteGate(RUNNING)"}, outcome: outcomeStalled,
			check: func(g Gomega, d decision) {
				g.Expect(d.Effects[1].Gate.Set).To(HaveKeyWithValue(gateKeyActive, "BLUE"))
				g.Expect(d.Effects[1].Gate.Remove).To(ConsistOf(gateKeyWatermark))
			}},
		{name: "abort step 3: green gone, ConfigMap settles on blue",
			obs:     observations{State: flinkv1beta1.BlueGreenActiveBlue, Failing: true, Blue: ready, Gate: gateAt(stageInitializing, "")},
			effects: []string{"SwitchIngress(BLUE)", "WriteGate(RUNNING)"}, outcome: outcomeStalled},
		{name: "past the deadline with the ConfigMap missing: W may have been set, so no abort",
			obs:     observations{State: toGreen, Blue: ready, Green: ready, ReadyAt: t0.Add(-deadline - time.Second)},
			effects: []string{}, outcome: outcomeStalled, reason: flinkv1beta1.ReasonCutOverStalled,
			check: func(g Gomega, d decision) {
				g.Expect(d.State).To(BeEmpty())
				g.Expect(d.Outcome.Message).To(ContainSubstring("missing"))
			}},
		{name: "past the deadline with an odd ConfigMap holding W: no abort",
			obs: observations{State: toGreen, Blue: ready, Green: ready, Gate: gate{Exists: true, Active: green, Stage: stageRunning, W: "5"},
				ReadyAt: t0.Add(-deadline - time.Second)},
			effects: []string{}, outcome: outcomeStalled, reason: flinkv1beta1.ReasonCutOverStalled,
			check: func(g Gomega, d decision) { g.Expect(d.State).To(BeEmpty()) }},
		{name: "spec change once the cut-over started waits",
			obs: observations{State: toGreen, Diff: diffTransition, Blue: ready, Green: ready,
				Gate: gateAt(stageTransitioning, "5"), ReadyAt: t0},
			effects: []string{}, outcome: outcomeReconciling, reason: flinkv1beta1.ReasonCutOverAtWatermark},
		{name: "spec change before the cut-over goes to green",
			obs:     observations{State: toGreen, Diff: diffTransition, Blue: ready, Green: running, Gate: gateAt(stageInitializing, "")},
			effects: []string{"ApplyChild(GREEN)"}, outcome: outcomeReconciling, reason: flinkv1beta1.ReasonTransitioning},
		{name: "active green, ConfigMap left mid-protocol: settled",
			obs:     observations{State: flinkv1beta1.BlueGreenActiveGreen, Green: ready, Gate: gateAt(stageClearTeardown, "7")},
			effects: []string{"SwitchIngress(GREEN)", "WriteGate(RUNNING)"}, outcome: outcomeReady},
		{name: "active green, ConfigMap settled: nothing written",
			obs:     observations{State: flinkv1beta1.BlueGreenActiveGreen, Green: ready, Gate: gateAt(stageRunning, "7")},
			effects: []string{"SwitchIngress(GREEN)"}, outcome: outcomeReady},
		{name: "suspend in place: the ConfigMap is left alone",
			obs:     observations{State: flinkv1beta1.BlueGreenActiveBlue, Diff: diffSuspend, Blue: ready, Gate: gate{Exists: true, Active: blue, Stage: stageRunning}},
			effects: []string{"ApplyChild(BLUE)"}, outcome: outcomeReconciling},
		{name: "suspended in place: finish without the cut-over",
			obs: observations{State: flinkv1beta1.BlueGreenTransitioningToBlue, ReconciledSuspended: true,
				Blue: child{Exists: true, Suspended: true, SpecSuspended: true}, Gate: gate{Exists: true, Active: blue, Stage: stageRunning}},
			effects: []string{"SwitchIngress(BLUE)", "WriteGate(RUNNING)"}, final: flinkv1beta1.BlueGreenActiveBlue,
			outcome: outcomeReady, reason: flinkv1beta1.ReasonSuspended},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			g := NewWithT(t)
			d := next(base(tc.obs))
			g.Expect(kinds(d.Effects)).To(Equal(tc.effects), "outcome: %+v", d.Outcome)
			g.Expect(d.State).To(Equal(tc.final))
			g.Expect(d.Outcome.Kind).To(Equal(tc.outcome), "outcome: %+v", d.Outcome)
			if tc.reason != "" {
				g.Expect(d.Outcome.Reason).To(Equal(tc.reason), "outcome: %+v", d.Outcome)
			}
			if tc.check != nil {
				tc.check(g, d)
			}
		})
	}
}
