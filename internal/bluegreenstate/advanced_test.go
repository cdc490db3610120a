package bluegreenstate

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
	base := func(o Observations) Observations {
		o.Advanced, o.TransitionDeadline, o.Reconciled, o.Now, o.Poll = true, deadline, true, t0, time.Second
		if o.AbortAt.IsZero() {
			o.AbortAt = t0.Add(time.Minute)
		}
		return o
	}
	gateAt := func(stage, w string) Gate { return Gate{Exists: true, Active: green, Stage: stage, W: w} }
	kinds := func(effects []Effect) []string {
		out := []string{}
		for _, e := range effects {
			out = append(out, e.String())
		}
		return out
	}
	cases := []struct {
		name    string
		obs     Observations
		effects []string
		final   flinkv1beta1.FlinkBlueGreenDeploymentState
		outcome OutcomeKind
		reason  string
		check   func(g Gomega, d Decision)
	}{
		{name: "first deployment prepares the ConfigMap before blue exists",
			obs:     Observations{State: "", FirstDeployment: true},
			effects: []string{"WriteGate(INITIALIZING)", "ApplyChild(BLUE)"}, outcome: OutcomeReconciling,
			check: func(g Gomega, d Decision) {
				g.Expect(d.Effects[0].Gate.Set).To(HaveKeyWithValue(GateKeyFirstDeployment, "true"))
				g.Expect(d.Effects[0].Gate.Set).To(HaveKeyWithValue(GateKeyActive, "BLUE"))
			}},
		{name: "hand-over savepoint done: prepare for green, reset W, then create green",
			obs: Observations{State: flinkv1beta1.BlueGreenSavepointingBlue, Savepoint: SavepointDone, SavepointLocation: "file:///sp",
				Blue: ready, DeletionDelay: 1500 * time.Millisecond, Gate: Gate{Exists: true, Active: blue, Stage: StageRunning, W: "99"}},
			effects: []string{"WriteGate(INITIALIZING)", "ApplyChild(GREEN)"}, outcome: OutcomeReconciling,
			check: func(g Gomega, d Decision) {
				w := d.Effects[0].Gate
				g.Expect(w.Set).To(Equal(map[string]string{GateKeyFirstDeployment: "false", GateKeyActive: "GREEN",
					GateKeyDeletionDelay: "1500", GateKeyStage: StageInitializing, GateKeyWatermarkStage: WatermarkNotSet}))
				g.Expect(w.Remove).To(ConsistOf(GateKeyWatermark))
			}},
		{name: "green not running yet: its gate holds, blue emits",
			obs:     Observations{State: toGreen, Blue: ready, Green: running, Gate: gateAt(StageInitializing, "")},
			effects: []string{}, outcome: OutcomeReconciling, reason: flinkv1beta1.ReasonWaitingForIncomingJob},
		{name: "a phase already reported draws no second event",
			obs: Observations{State: toGreen, Blue: ready, Green: ready, Gate: gateAt(StageTransitioning, "1700000000000"),
				ReadyAt: t0, Reason: flinkv1beta1.ReasonCutOverAtWatermark},
			effects: []string{}, outcome: OutcomeReconciling, reason: flinkv1beta1.ReasonCutOverAtWatermark,
			check: func(g Gomega, d Decision) { g.Expect(d.Event).To(BeFalse()) }},
		{name: "green not running within the grace period: lossless abort, green's gate keeps holding",
			obs: Observations{State: toGreen, Blue: ready, Green: running, Gate: gateAt(StageInitializing, ""),
				AbortAt: t0.Add(-time.Second)},
			effects: []string{"WriteGate(INITIALIZING)", "SuspendChild(GREEN)"}, final: flinkv1beta1.BlueGreenActiveBlue,
			outcome: OutcomeStalled, reason: flinkv1beta1.ReasonTransitionAborted,
			check: func(g Gomega, d Decision) {
				g.Expect(d.Effects[0].Gate.Set).To(HaveKeyWithValue(GateKeyActive, "GREEN"))
				g.Expect(d.Outcome.Message).To(ContainSubstring("abort grace period"))
			}},
		{name: "green ran late, after the grace period but before TRANSITIONING: the cut-over goes on",
			obs: Observations{State: toGreen, Blue: ready, Green: ready, Gate: gateAt(StageInitializing, ""),
				AbortAt: t0.Add(-time.Second)},
			effects: []string{"WriteGate(TRANSITIONING)"}, outcome: OutcomeReconciling, reason: flinkv1beta1.ReasonWaitingForWatermark},
		{name: "green runs: stage TRANSITIONING, deadline starts",
			obs:     Observations{State: toGreen, Blue: ready, Green: ready, Gate: gateAt(StageInitializing, "")},
			effects: []string{"WriteGate(TRANSITIONING)"}, outcome: OutcomeReconciling, reason: flinkv1beta1.ReasonWaitingForWatermark,
			check: func(g Gomega, d Decision) { g.Expect(d.Intent.SetReady).To(BeTrue()) }},
		{name: "waiting for W within the deadline: nothing deleted",
			obs: Observations{State: toGreen, Blue: ready, Green: ready, Gate: gateAt(StageTransitioning, ""),
				ReadyAt: t0.Add(-time.Minute)},
			effects: []string{}, outcome: OutcomeReconciling, reason: flinkv1beta1.ReasonWaitingForWatermark,
			check: func(g Gomega, d Decision) { g.Expect(d.Wait).To(BeNumerically("~", 4*time.Minute, time.Second)) }},
		{name: "no W by the deadline: abort step 1 (INITIALIZING, W cleared, green still active) and step 2 (suspend green)",
			obs: Observations{State: toGreen, Blue: ready, Green: ready, Gate: gateAt(StageTransitioning, ""),
				ReadyAt: t0.Add(-deadline - time.Second)},
			effects: []string{"WriteGate(INITIALIZING)", "SuspendChild(GREEN)"}, final: flinkv1beta1.BlueGreenActiveBlue,
			outcome: OutcomeStalled, reason: flinkv1beta1.ReasonTransitionAborted,
			check: func(g Gomega, d Decision) {
				g.Expect(d.Effects[0].Gate.Set).To(Equal(map[string]string{GateKeyActive: "GREEN", GateKeyStage: StageInitializing,
					GateKeyWatermarkStage: WatermarkNotSet}))
				g.Expect(d.Effects[0].Gate.Remove).To(ConsistOf(GateKeyWatermark))
				g.Expect(d.Outcome.Message).To(ContainSubstring("transition deadline"))
			}},
		{name: "W set: cut-over, teardown blocked",
			obs: Observations{State: toGreen, Blue: ready, Green: ready, Gate: gateAt(StageTransitioning, "1700000000000"),
				ReadyAt: t0.Add(-time.Minute)},
			effects: []string{}, outcome: OutcomeReconciling, reason: flinkv1beta1.ReasonCutOverAtWatermark,
			check: func(g Gomega, d Decision) {
				g.Expect(d.Outcome.Message).To(ContainSubstring("W=1700000000000 (2023-11-14T22:13:20Z)"))
			}},
		{name: "W set past the deadline: stalled, still waiting, no abort",
			obs: Observations{State: toGreen, Blue: ready, Green: ready, Gate: gateAt(StageTransitioning, "1700000000000"),
				ReadyAt: t0.Add(-deadline - time.Second)},
			effects: []string{}, outcome: OutcomeStalled, reason: flinkv1beta1.ReasonCutOverStalled,
			check: func(g Gomega, d Decision) { g.Expect(d.State).To(BeEmpty()) }},
		{name: "CLEAR_TO_TEARDOWN: stop blue with a savepoint",
			obs:     Observations{State: toGreen, Blue: ready, Green: ready, Gate: gateAt(StageClearTeardown, "1"), ReadyAt: t0},
			effects: []string{"StopChild(BLUE)"}, outcome: OutcomeReconciling, reason: flinkv1beta1.ReasonClearToTeardown,
			check: func(g Gomega, d Decision) { g.Expect(d.Intent.NewTrigger && d.Intent.Teardown).To(BeTrue()) }},
		{name: "stop-with-savepoint in progress",
			obs: Observations{State: toGreen, Blue: ready, Green: ready, Gate: gateAt(StageClearTeardown, "1"), ReadyAt: t0,
				TriggerID: "t", Savepoint: SavepointPending},
			effects: []string{}, outcome: OutcomeReconciling, reason: flinkv1beta1.ReasonClearToTeardown},
		{name: "stop-with-savepoint never sent: send it under the recorded trigger",
			obs: Observations{State: toGreen, Blue: ready, Green: ready, Gate: gateAt(StageClearTeardown, "1"), ReadyAt: t0,
				TriggerID: "t", Savepoint: SavepointUnknown},
			effects: []string{"StopChild(BLUE)"}, outcome: OutcomeReconciling, reason: flinkv1beta1.ReasonClearToTeardown,
			check: func(g Gomega, d Decision) { g.Expect(d.Intent.NewTrigger).To(BeFalse()) }},
		{name: "stop-with-savepoint failed: retried",
			obs: Observations{State: toGreen, Blue: ready, Green: ready, Gate: gateAt(StageClearTeardown, "1"), ReadyAt: t0,
				TriggerID: "t", Savepoint: SavepointFailed, SavepointProblem: "boom"},
			effects: []string{"StopChild(BLUE)"}, outcome: OutcomeReconciling, reason: flinkv1beta1.ReasonRetrying,
			check: func(g Gomega, d Decision) { g.Expect(d.Intent.NewTrigger && d.Retry).To(BeTrue()) }},
		{name: "blue stopped: delete it, settle on green",
			obs: Observations{State: toGreen, Blue: ready, Green: ready, Gate: gateAt(StageClearTeardown, "1"), ReadyAt: t0,
				TriggerID: "t", Savepoint: SavepointDone},
			effects: []string{"SwitchIngress(GREEN)", "DeleteChild(BLUE)", "WriteGate(RUNNING)"}, final: flinkv1beta1.BlueGreenActiveGreen,
			outcome: OutcomeReady, reason: flinkv1beta1.ReasonSucceeded,
			check: func(g Gomega, d Decision) {
				g.Expect(d.Effects[2].Gate.Remove).To(BeEmpty(), "W stays: green emits from W on")
			}},
		{name: "blue's job finished (status unreachable): teardown goes on",
			obs: Observations{State: toGreen, Blue: Child{Exists: true, Finished: true}, Green: ready, Gate: gateAt(StageClearTeardown, "1"),
				ReadyAt: t0, TriggerID: "t", Savepoint: SavepointUnreachable},
			effects: []string{"SwitchIngress(GREEN)", "DeleteChild(BLUE)", "WriteGate(RUNNING)"}, final: flinkv1beta1.BlueGreenActiveGreen,
			outcome: OutcomeReady},
		{name: "blue deleted, ACTIVE_GREEN not recorded: settle",
			obs:     Observations{State: toGreen, Green: ready, Gate: gateAt(StageClearTeardown, "1"), ReadyAt: t0},
			effects: []string{"SwitchIngress(GREEN)", "WriteGate(RUNNING)"}, final: flinkv1beta1.BlueGreenActiveGreen, outcome: OutcomeReady},
		{name: "transition recorded, ConfigMap not prepared: prepare before green",
			obs:     Observations{State: toGreen, Blue: ready, Gate: Gate{Exists: true, Active: blue, Stage: StageRunning}},
			effects: []string{"WriteGate(INITIALIZING)", "ApplyChild(GREEN)"}, outcome: OutcomeReconciling},
		{name: "ConfigMap settled on blue without W past the deadline (an older abort): abort again, in order",
			obs: Observations{State: toGreen, Blue: ready, Green: ready, Gate: Gate{Exists: true, Active: blue, Stage: StageRunning},
				ReadyAt: t0.Add(-deadline - time.Second)},
			effects: []string{"WriteGate(INITIALIZING)", "SuspendChild(GREEN)"}, final: flinkv1beta1.BlueGreenActiveBlue,
			outcome: OutcomeStalled, reason: flinkv1beta1.ReasonTransitionAborted},
		{name: "abort removes the outgoing gates' W candidates (a retry keeps blue's job, so they would count)",
			obs: Observations{State: toGreen, Blue: ready, Green: ready, ReadyAt: t0.Add(-deadline - time.Second),
				Gate: Gate{Exists: true, Active: green, Stage: StageTransitioning, Candidates: []string{"teal.gate-candidate.BLUE.g0.0.1"}}},
			effects: []string{"WriteGate(INITIALIZING)", "SuspendChild(GREEN)"}, final: flinkv1beta1.BlueGreenActiveBlue,
			outcome: OutcomeStalled, reason: flinkv1beta1.ReasonTransitionAborted,
			check: func(g Gomega, d Decision) {
				g.Expect(d.Effects[0].Gate.Remove).To(ConsistOf(GateKeyWatermark, "teal.gate-candidate.BLUE.g0.0.1"))
			}},
		{name: "crash mid-abort after step 1: abort again, never TRANSITIONING again",
			obs: Observations{State: toGreen, Blue: ready, Green: ready, Gate: gateAt(StageInitializing, ""),
				ReadyAt: t0.Add(-deadline - time.Second)},
			effects: []string{"WriteGate(INITIALIZING)", "SuspendChild(GREEN)"}, final: flinkv1beta1.BlueGreenActiveBlue,
			outcome: OutcomeStalled, reason: flinkv1beta1.ReasonTransitionAborted,
			check: func(g Gomega, d Decision) { g.Expect(d.Outcome.Message).To(ContainSubstring("transition deadline")) }},
		{name: "crash mid-abort after step 2 (green suspended in spec, still running): abort again",
			obs: Observations{State: toGreen, Blue: ready, Green: Child{Exists: true, SpecSuspended: true}, Gate: gateAt(StageInitializing, ""),
				ReadyAt: t0.Add(-deadline - time.Second)},
			effects: []string{"WriteGate(INITIALIZING)", "SuspendChild(GREEN)"}, final: flinkv1beta1.BlueGreenActiveBlue,
			outcome: OutcomeStalled, reason: flinkv1beta1.ReasonTransitionAborted},
		{name: "abort step 3 waits: ACTIVE_BLUE recorded, green still runs, ConfigMap keeps green active and holding",
			obs: Observations{State: flinkv1beta1.BlueGreenActiveBlue, Failing: true, Blue: ready,
				Green: Child{Exists: true, SpecSuspended: true}, Gate: gateAt(StageInitializing, "")},
			effects: []string{"SwitchIngress(BLUE)"}, outcome: OutcomeStalled},
		{name: "abort step 3 waits: green being deleted",
			obs: Observations{State: flinkv1beta1.BlueGreenActiveBlue, Failing: true, Blue: ready,
				Green: Child{Terminating: true}, Gate: gateAt(StageInitializing, "")},
			effects: []string{"SwitchIngress(BLUE)"}, outcome: OutcomeStalled},
		{name: "abort step 3: green suspended, ConfigMap settles on blue",
			obs: Observations{State: flinkv1beta1.BlueGreenActiveBlue, Failing: true, Blue: ready,
				Green: Child{Exists: true, Suspended: true, SpecSuspended: true}, Gate: gateAt(StageInitializing, "")},
			effects: []string{"SwitchIngress(BLUE)", "WriteGate(RUNNING)"}, outcome: OutcomeStalled,
			check: func(g Gomega, d Decision) {
				g.Expect(d.Effects[1].Gate.Set).To(HaveKeyWithValue(GateKeyActive, "BLUE"))
				g.Expect(d.Effects[1].Gate.Remove).To(ConsistOf(GateKeyWatermark))
			}},
		{name: "abort step 3: green gone, ConfigMap settles on blue",
			obs:     Observations{State: flinkv1beta1.BlueGreenActiveBlue, Failing: true, Blue: ready, Gate: gateAt(StageInitializing, "")},
			effects: []string{"SwitchIngress(BLUE)", "WriteGate(RUNNING)"}, outcome: OutcomeStalled},
		{name: "past the deadline with the ConfigMap missing: W may have been set, so no abort",
			obs:     Observations{State: toGreen, Blue: ready, Green: ready, ReadyAt: t0.Add(-deadline - time.Second)},
			effects: []string{}, outcome: OutcomeStalled, reason: flinkv1beta1.ReasonCutOverStalled,
			check: func(g Gomega, d Decision) {
				g.Expect(d.State).To(BeEmpty())
				g.Expect(d.Outcome.Message).To(ContainSubstring("missing"))
			}},
		{name: "past the deadline with an odd ConfigMap holding W: no abort",
			obs: Observations{State: toGreen, Blue: ready, Green: ready, Gate: Gate{Exists: true, Active: green, Stage: StageRunning, W: "5"},
				ReadyAt: t0.Add(-deadline - time.Second)},
			effects: []string{}, outcome: OutcomeStalled, reason: flinkv1beta1.ReasonCutOverStalled,
			check: func(g Gomega, d Decision) { g.Expect(d.State).To(BeEmpty()) }},
		{name: "spec change once the cut-over started waits",
			obs: Observations{State: toGreen, Diff: DiffTransition, Blue: ready, Green: ready,
				Gate: gateAt(StageTransitioning, "5"), ReadyAt: t0},
			effects: []string{}, outcome: OutcomeReconciling, reason: flinkv1beta1.ReasonCutOverAtWatermark},
		{name: "spec change before the cut-over goes to green",
			obs:     Observations{State: toGreen, Diff: DiffTransition, Blue: ready, Green: running, Gate: gateAt(StageInitializing, "")},
			effects: []string{"ApplyChild(GREEN)"}, outcome: OutcomeReconciling, reason: flinkv1beta1.ReasonTransitioning},
		{name: "active green, ConfigMap left mid-protocol: settled",
			obs:     Observations{State: flinkv1beta1.BlueGreenActiveGreen, Green: ready, Gate: gateAt(StageClearTeardown, "7")},
			effects: []string{"SwitchIngress(GREEN)", "WriteGate(RUNNING)"}, outcome: OutcomeReady},
		{name: "active green, ConfigMap settled: nothing written",
			obs:     Observations{State: flinkv1beta1.BlueGreenActiveGreen, Green: ready, Gate: gateAt(StageRunning, "7")},
			effects: []string{"SwitchIngress(GREEN)"}, outcome: OutcomeReady},
		{name: "suspend in place: the ConfigMap is left alone",
			obs:     Observations{State: flinkv1beta1.BlueGreenActiveBlue, Diff: DiffSuspend, Blue: ready, Gate: Gate{Exists: true, Active: blue, Stage: StageRunning}},
			effects: []string{"ApplyChild(BLUE)"}, outcome: OutcomeReconciling},
		{name: "suspended in place: finish without the cut-over",
			obs: Observations{State: flinkv1beta1.BlueGreenTransitioningToBlue, ReconciledSuspended: true,
				Blue: Child{Exists: true, Suspended: true, SpecSuspended: true}, Gate: Gate{Exists: true, Active: blue, Stage: StageRunning}},
			effects: []string{"SwitchIngress(BLUE)", "WriteGate(RUNNING)"}, final: flinkv1beta1.BlueGreenActiveBlue,
			outcome: OutcomeReady, reason: flinkv1beta1.ReasonSuspended},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			g := NewWithT(t)
			d := Next(base(tc.obs))
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
