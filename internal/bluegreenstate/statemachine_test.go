package bluegreenstate

import (
	"testing"
	"time"

	. "github.com/onsi/gomega"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
)

var (
	t0      = time.Date(2025, 1, 1, 12, 0, 0, 0, time.UTC)
	ready   = Child{Exists: true, Ready: true}
	running = Child{Exists: true, Problem: "lifecycle DEPLOYED, job RECONCILING"}
	blue    = flinkv1beta1.BlueGreenTypeBlue
	green   = flinkv1beta1.BlueGreenTypeGreen
)

func TestNext(t *testing.T) {
	apply := func(c flinkv1beta1.BlueGreenDeploymentType) Effect { return Effect{Kind: EffectApplyChild, Child: c} }
	cases := []struct {
		name        string
		obs         Observations
		intentState flinkv1beta1.FlinkBlueGreenDeploymentState
		finalState  flinkv1beta1.FlinkBlueGreenDeploymentState
		effects     []Effect
		Outcome     OutcomeKind
		reason      string
		check       func(g Gomega, d Decision)
	}{
		{name: "first deployment creates blue",
			obs:         Observations{State: ""},
			intentState: flinkv1beta1.BlueGreenTransitioningToBlue, effects: []Effect{apply(blue)},
			Outcome: OutcomeReconciling, reason: flinkv1beta1.ReasonDeploying,
			check: func(g Gomega, d Decision) {
				g.Expect(d.Intent.Start).To(Equal(StartTemplate))
				g.Expect(d.Intent.RecordSpec && d.Intent.SetAbortDeadline).To(BeTrue())
			}},
		{name: "first deployment suspended is blocked",
			obs:         Observations{State: "", DesiredSuspended: true},
			intentState: flinkv1beta1.BlueGreenInitializingBlue, Outcome: OutcomeReady, reason: flinkv1beta1.ReasonSuspended},
		{name: "aborted first deployment waits for a change",
			obs:     Observations{State: flinkv1beta1.BlueGreenInitializingBlue, Reconciled: true, Failing: true, Diff: DiffIgnore},
			Outcome: OutcomeStalled},
		{name: "aborted first deployment redeploys on a change",
			obs:         Observations{State: flinkv1beta1.BlueGreenInitializingBlue, Reconciled: true, Failing: true, Diff: DiffTransition},
			intentState: flinkv1beta1.BlueGreenTransitioningToBlue, effects: []Effect{apply(blue)}, Outcome: OutcomeReconciling},
		{name: "blue ready finishes the first deployment",
			obs:        Observations{State: flinkv1beta1.BlueGreenTransitioningToBlue, Blue: ready, AbortAt: t0.Add(time.Minute), Now: t0},
			finalState: flinkv1beta1.BlueGreenActiveBlue, effects: []Effect{{Kind: EffectSwitchIngress, Child: blue}},
			Outcome: OutcomeReady, reason: flinkv1beta1.ReasonSucceeded},
		{name: "active and unchanged is ready",
			obs:     Observations{State: flinkv1beta1.BlueGreenActiveBlue, Reconciled: true, Blue: ready},
			effects: []Effect{{Kind: EffectSwitchIngress, Child: blue}}, Outcome: OutcomeReady, reason: flinkv1beta1.ReasonSucceeded},
		{name: "active child blips: progressing, not stalled",
			obs:     Observations{State: flinkv1beta1.BlueGreenActiveGreen, Reconciled: true, Green: running},
			effects: []Effect{{Kind: EffectSwitchIngress, Child: green}}, Outcome: OutcomeReconciling, reason: flinkv1beta1.ReasonProgressing},
		{name: "configuration-only change is recorded and ready",
			obs:     Observations{State: flinkv1beta1.BlueGreenActiveBlue, Reconciled: true, TopLevelChanged: true, Blue: ready},
			effects: []Effect{{Kind: EffectSwitchIngress, Child: blue}}, Outcome: OutcomeReady,
			check: func(g Gomega, d Decision) { g.Expect(d.Intent.RecordSpec).To(BeTrue()) }},
		{name: "stateful transition savepoints the active child first",
			obs:         Observations{State: flinkv1beta1.BlueGreenActiveBlue, Reconciled: true, Diff: DiffTransition, Blue: ready},
			intentState: flinkv1beta1.BlueGreenSavepointingBlue, effects: []Effect{{Kind: EffectTriggerSavepoint, Child: blue}},
			Outcome: OutcomeReconciling, reason: flinkv1beta1.ReasonSavepointing,
			check: func(g Gomega, d Decision) {
				g.Expect(d.Intent.NewTrigger).To(BeTrue())
				g.Expect(d.Intent.RecordSpec).To(BeFalse(), "the spec is recorded once the savepoint is there")
			}},
		{name: "stateless transition deploys green empty",
			obs:         Observations{State: flinkv1beta1.BlueGreenActiveBlue, Reconciled: true, Diff: DiffTransition, Stateless: true, Blue: ready},
			intentState: flinkv1beta1.BlueGreenTransitioningToGreen, effects: []Effect{apply(green)}, Outcome: OutcomeReconciling,
			check: func(g Gomega, d Decision) { g.Expect(d.Intent.Start).To(Equal(StartEmpty)) }},
		{name: "savepoint redeploy uses the template's initialSavepointPath",
			obs:         Observations{State: flinkv1beta1.BlueGreenActiveGreen, Reconciled: true, Diff: DiffSavepointRedeploy, Green: ready},
			intentState: flinkv1beta1.BlueGreenTransitioningToBlue, effects: []Effect{apply(blue)}, Outcome: OutcomeReconciling,
			check: func(g Gomega, d Decision) { g.Expect(d.Intent.Start).To(Equal(StartTemplate)) }},
		{name: "suspend in place",
			obs:         Observations{State: flinkv1beta1.BlueGreenActiveBlue, Reconciled: true, Diff: DiffSuspend, Blue: ready},
			intentState: flinkv1beta1.BlueGreenTransitioningToBlue, effects: []Effect{apply(blue)}, Outcome: OutcomeReconciling,
			check: func(g Gomega, d Decision) { g.Expect(d.Intent.Start).To(Equal(StartKeep)) }},
		{name: "patch child in place",
			obs:         Observations{State: flinkv1beta1.BlueGreenActiveGreen, Reconciled: true, Diff: DiffPatchChild, Green: ready},
			intentState: flinkv1beta1.BlueGreenTransitioningToGreen, effects: []Effect{apply(green)}, Outcome: OutcomeReconciling},
		{name: "suspended child finishes the in-place suspend",
			obs:        Observations{State: flinkv1beta1.BlueGreenTransitioningToBlue, ReconciledSuspended: true, Blue: Child{Exists: true, Suspended: true, SpecSuspended: true}},
			finalState: flinkv1beta1.BlueGreenActiveBlue, effects: []Effect{{Kind: EffectSwitchIngress, Child: blue}},
			Outcome: OutcomeReady, reason: flinkv1beta1.ReasonSuspended},
		{name: "transition with the active child not ready waits",
			obs:     Observations{State: flinkv1beta1.BlueGreenActiveBlue, Reconciled: true, Diff: DiffTransition, Blue: running},
			Outcome: OutcomeReconciling, reason: flinkv1beta1.ReasonRetrying},
		{name: "transition with the active child stalled is stalled",
			obs:     Observations{State: flinkv1beta1.BlueGreenActiveBlue, Reconciled: true, Diff: DiffTransition, Blue: Child{Exists: true, Stalled: true}},
			Outcome: OutcomeStalled, reason: flinkv1beta1.ReasonJobFailed},
		{name: "savepoint done deploys green from it",
			obs:         Observations{State: flinkv1beta1.BlueGreenSavepointingBlue, TriggerID: "t", Savepoint: SavepointDone, SavepointLocation: "file:/sp", Blue: ready},
			intentState: flinkv1beta1.BlueGreenTransitioningToGreen, effects: []Effect{apply(green)}, Outcome: OutcomeReconciling,
			check: func(g Gomega, d Decision) {
				g.Expect(d.Intent.Start).To(Equal(StartSavepoint))
				g.Expect(d.Intent.RecordSpec).To(BeTrue())
			}},
		{name: "savepoint pending polls",
			obs:     Observations{State: flinkv1beta1.BlueGreenSavepointingBlue, TriggerID: "t", Savepoint: SavepointPending, Poll: time.Second, Now: t0, AbortAt: t0.Add(time.Minute)},
			Outcome: OutcomeReconciling, reason: flinkv1beta1.ReasonSavepointing,
			check: func(g Gomega, d Decision) { g.Expect(d.Wait).To(Equal(time.Second)) }},
		{name: "savepoint unknown to Flink is re-sent under the same id",
			obs:     Observations{State: flinkv1beta1.BlueGreenSavepointingGreen, TriggerID: "t", Savepoint: SavepointUnknown},
			effects: []Effect{{Kind: EffectTriggerSavepoint, Child: green}}, Outcome: OutcomeReconciling,
			check: func(g Gomega, d Decision) { g.Expect(d.Intent.NewTrigger).To(BeFalse()) }},
		{name: "savepoint failure retries with a new trigger and backoff",
			obs:     Observations{State: flinkv1beta1.BlueGreenSavepointingBlue, TriggerID: "t", Savepoint: SavepointFailed, Now: t0, AbortAt: t0.Add(time.Minute)},
			effects: []Effect{{Kind: EffectTriggerSavepoint, Child: blue}}, Outcome: OutcomeReconciling, reason: flinkv1beta1.ReasonRetrying,
			check: func(g Gomega, d Decision) {
				g.Expect(d.Intent.NewTrigger).To(BeTrue())
				g.Expect(d.Retry).To(BeTrue())
			}},
		{name: "savepoint fetch error retries with backoff",
			obs:     Observations{State: flinkv1beta1.BlueGreenSavepointingBlue, TriggerID: "t", Savepoint: SavepointUnreachable, Now: t0, AbortAt: t0.Add(time.Minute)},
			Outcome: OutcomeReconciling, reason: flinkv1beta1.ReasonRetrying,
			check: func(g Gomega, d Decision) { g.Expect(d.Retry).To(BeTrue()) }},
		{name: "savepointing past its deadline stalls",
			obs:         Observations{State: flinkv1beta1.BlueGreenSavepointingBlue, TriggerID: "t", Savepoint: SavepointPending, Now: t0, AbortAt: t0.Add(-time.Second)},
			intentState: flinkv1beta1.BlueGreenActiveBlue, Outcome: OutcomeStalled, reason: flinkv1beta1.ReasonSavepointFailed,
			check: func(g Gomega, d Decision) { g.Expect(d.Intent.JobState).To(Equal(flinkv1beta1.JobStatusFailing)) }},
		{name: "green not ready within the deadline waits",
			obs:     Observations{State: flinkv1beta1.BlueGreenTransitioningToGreen, Blue: ready, Green: running, Now: t0, AbortAt: t0.Add(time.Minute)},
			Outcome: OutcomeReconciling, reason: flinkv1beta1.ReasonTransitioning,
			check: func(g Gomega, d Decision) { g.Expect(d.Wait).To(BeNumerically("~", time.Minute, time.Second)) }},
		{name: "green not ready past the deadline aborts back to blue",
			obs:        Observations{State: flinkv1beta1.BlueGreenTransitioningToGreen, Blue: ready, Green: running, Now: t0, AbortAt: t0.Add(-time.Second)},
			finalState: flinkv1beta1.BlueGreenActiveBlue, effects: []Effect{{Kind: EffectSuspendChild, Child: green}},
			Outcome: OutcomeStalled, reason: flinkv1beta1.ReasonTransitionAborted,
			check: func(g Gomega, d Decision) {
				g.Expect(d.ClearMarkers).To(BeTrue(), "the ready timestamp is reset so no later transition deletes early")
				g.Expect(d.JobState).To(Equal(flinkv1beta1.JobStatusFailing))
			}},
		{name: "first deployment not ready past the deadline aborts to INITIALIZING_BLUE",
			obs:        Observations{State: flinkv1beta1.BlueGreenTransitioningToBlue, FirstDeployment: true, Blue: running, Now: t0, AbortAt: t0.Add(-time.Second)},
			finalState: flinkv1beta1.BlueGreenInitializingBlue, effects: []Effect{{Kind: EffectSuspendChild, Child: blue}},
			Outcome: OutcomeStalled, reason: flinkv1beta1.ReasonTransitionAborted},
		{name: "green ready records the ready time and waits for the deletion delay",
			obs:     Observations{State: flinkv1beta1.BlueGreenTransitioningToGreen, Blue: ready, Green: ready, Now: t0, AbortAt: t0.Add(time.Minute), DeletionDelay: 5 * time.Second},
			Outcome: OutcomeReconciling,
			check: func(g Gomega, d Decision) {
				g.Expect(d.Intent.SetReady).To(BeTrue())
				g.Expect(d.Wait).To(Equal(5 * time.Second))
			}},
		{name: "green ready without delay switches the ingress and deletes blue",
			obs:        Observations{State: flinkv1beta1.BlueGreenTransitioningToGreen, Blue: ready, Green: ready, Now: t0, AbortAt: t0.Add(time.Minute)},
			finalState: flinkv1beta1.BlueGreenActiveGreen,
			effects:    []Effect{{Kind: EffectSwitchIngress, Child: green}, {Kind: EffectDeleteChild, Child: blue}},
			Outcome:    OutcomeReady, reason: flinkv1beta1.ReasonSucceeded},
		{name: "green ready after the delay deletes blue",
			obs:        Observations{State: flinkv1beta1.BlueGreenTransitioningToGreen, Blue: ready, Green: ready, Now: t0, ReadyAt: t0.Add(-6 * time.Second), DeletionDelay: 5 * time.Second},
			finalState: flinkv1beta1.BlueGreenActiveGreen,
			effects:    []Effect{{Kind: EffectSwitchIngress, Child: green}, {Kind: EffectDeleteChild, Child: blue}}, Outcome: OutcomeReady},
		{name: "green blipping after ready is not aborted before its deadline",
			obs:     Observations{State: flinkv1beta1.BlueGreenTransitioningToGreen, Blue: ready, Green: running, Now: t0, ReadyAt: t0.Add(-time.Second), AbortAt: t0.Add(time.Minute), DeletionDelay: time.Minute},
			Outcome: OutcomeReconciling},
		{name: "blue deleted before the final patch: finishing again is safe",
			obs:        Observations{State: flinkv1beta1.BlueGreenTransitioningToGreen, Green: ready, Now: t0, ReadyAt: t0},
			finalState: flinkv1beta1.BlueGreenActiveGreen, effects: []Effect{{Kind: EffectSwitchIngress, Child: green}}, Outcome: OutcomeReady},
		{name: "green missing after the intent was recorded is created",
			obs:     Observations{State: flinkv1beta1.BlueGreenTransitioningToGreen, Blue: ready, Now: t0, AbortAt: t0.Add(time.Minute)},
			effects: []Effect{apply(green)}, Outcome: OutcomeReconciling},
		{name: "spec change during the transition goes to green",
			obs:     Observations{State: flinkv1beta1.BlueGreenTransitioningToGreen, Diff: DiffTransition, Blue: ready, Green: running, Now: t0, AbortAt: t0.Add(time.Minute)},
			effects: []Effect{apply(green)}, Outcome: OutcomeReconciling,
			check: func(g Gomega, d Decision) {
				g.Expect(d.Intent.RecordSpec && d.Intent.SetAbortDeadline).To(BeTrue())
				g.Expect(d.Intent.Start).To(Equal(StartKeep), "green keeps blue's savepoint")
			}},
		{name: "suspend during the transition is deferred",
			obs:     Observations{State: flinkv1beta1.BlueGreenTransitioningToGreen, Diff: DiffSuspend, Blue: ready, Green: running, Now: t0, AbortAt: t0.Add(time.Minute)},
			Outcome: OutcomeReconciling,
			check:   func(g Gomega, d Decision) { g.Expect(d.Intent.RecordSpec).To(BeFalse()) }},
		{name: "after an abort the deployment stays stalled",
			obs:     Observations{State: flinkv1beta1.BlueGreenActiveBlue, Reconciled: true, Failing: true, Blue: ready, Green: Child{Exists: true, SpecSuspended: true}},
			effects: []Effect{{Kind: EffectSwitchIngress, Child: blue}}, Outcome: OutcomeStalled},
		{name: "the retry annotation re-attempts the transition",
			obs:         Observations{State: flinkv1beta1.BlueGreenActiveBlue, Reconciled: true, Failing: true, Retry: true, Blue: ready, Green: Child{Exists: true, SpecSuspended: true}},
			intentState: flinkv1beta1.BlueGreenSavepointingBlue, effects: []Effect{{Kind: EffectTriggerSavepoint, Child: blue}}, Outcome: OutcomeReconciling},
		{name: "a running idle child next to an active one is suspended",
			obs:     Observations{State: flinkv1beta1.BlueGreenActiveBlue, Reconciled: true, Blue: ready, Green: running},
			effects: []Effect{{Kind: EffectSuspendChild, Child: green}, {Kind: EffectSwitchIngress, Child: blue}}, Outcome: OutcomeReady},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			g := NewWithT(t)
			d := Next(tc.obs)
			g.Expect(d.Intent.State).To(Equal(tc.intentState))
			g.Expect(d.State).To(Equal(tc.finalState))
			if tc.effects == nil {
				g.Expect(d.Effects).To(BeEmpty())
			} else {
				g.Expect(d.Effects).To(Equal(tc.effects))
			}
			g.Expect(d.Outcome.Kind).To(Equal(tc.Outcome), "outcome %+v", d.Outcome)
			if tc.reason != "" {
				g.Expect(d.Outcome.Reason).To(Equal(tc.reason))
			}
			if tc.check != nil {
				tc.check(g, d)
			}
		})
	}
}

func TestTemplateDiff(t *testing.T) {
	base := func() *flinkv1beta1.FlinkDeploymentSpec {
		return &flinkv1beta1.FlinkDeploymentSpec{
			Image: "flink:1.20", FlinkVersion: flinkv1beta1.FlinkVersionV1_20,
			FlinkConfiguration: flinkv1beta1.NewConfigObject(map[string]string{"taskmanager.numberOfTaskSlots": "2"}),
			Job:                &flinkv1beta1.JobSpec{JarURI: "local:///job.jar", Parallelism: 2, UpgradeMode: flinkv1beta1.UpgradeModeSavepoint},
		}
	}
	nonce := int64(7)
	cases := []struct {
		name   string
		change func(s *flinkv1beta1.FlinkDeploymentSpec)
		want   DiffType
	}{
		{"identical", func(*flinkv1beta1.FlinkDeploymentSpec) {}, DiffIgnore},
		{"image", func(s *flinkv1beta1.FlinkDeploymentSpec) { s.Image = "flink:1.20.1" }, DiffTransition},
		{"parallelism", func(s *flinkv1beta1.FlinkDeploymentSpec) { s.Job.Parallelism = 4 }, DiffTransition},
		{"flink option", func(s *flinkv1beta1.FlinkDeploymentSpec) {
			s.FlinkConfiguration = flinkv1beta1.NewConfigObject(map[string]string{"taskmanager.numberOfTaskSlots": "4"})
		}, DiffTransition},
		{"restartNonce", func(s *flinkv1beta1.FlinkDeploymentSpec) { s.RestartNonce = &nonce }, DiffTransition},
		{"operator option", func(s *flinkv1beta1.FlinkDeploymentSpec) {
			s.FlinkConfiguration = flinkv1beta1.NewConfigObject(map[string]string{"taskmanager.numberOfTaskSlots": "2", "kubernetes.operator.savepoint.format.type": "NATIVE"})
		}, DiffPatchChild},
		{"upgradeMode", func(s *flinkv1beta1.FlinkDeploymentSpec) { s.Job.UpgradeMode = flinkv1beta1.UpgradeModeLastState }, DiffPatchChild},
		{"allowNonRestoredState", func(s *flinkv1beta1.FlinkDeploymentSpec) { v := true; s.Job.AllowNonRestoredState = &v }, DiffPatchChild},
		{"initialSavepointPath", func(s *flinkv1beta1.FlinkDeploymentSpec) { s.Job.InitialSavepointPath = "file:/sp" }, DiffPatchChild},
		{"savepointRedeployNonce", func(s *flinkv1beta1.FlinkDeploymentSpec) { s.Job.SavepointRedeployNonce = &nonce }, DiffSavepointRedeploy},
		{"suspend wins over other changes", func(s *flinkv1beta1.FlinkDeploymentSpec) {
			s.Job.State = flinkv1beta1.JobStateSuspended
			s.Image = "flink:2.0"
		}, DiffSuspend},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			g := NewWithT(t)
			desired := base()
			tc.change(desired)
			got, err := TemplateDiff(base(), desired)
			g.Expect(err).NotTo(HaveOccurred())
			g.Expect(got).To(Equal(tc.want))
		})
	}
	t.Run("resume", func(t *testing.T) {
		g := NewWithT(t)
		suspended := base()
		suspended.Job.State = flinkv1beta1.JobStateSuspended
		got, err := TemplateDiff(suspended, base())
		g.Expect(err).NotTo(HaveOccurred())
		g.Expect(got).To(Equal(DiffResume))
	})
}
