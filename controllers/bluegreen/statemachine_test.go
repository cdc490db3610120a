package bluegreen

import (
	"testing"
	"time"

	. "github.com/onsi/gomega"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
)

var (
	t0      = time.Date(2025, 1, 1, 12, 0, 0, 0, time.UTC)
	ready   = child{Exists: true, Ready: true}
	running = child{Exists: true, Problem: "lifecycle DEPLOYED, job RECONCILING"}
	blue    = flinkv1beta1.BlueGreenTypeBlue
	green   = flinkv1beta1.BlueGreenTypeGreen
)

func TestNext(t *testing.T) {
	apply := func(c flinkv1beta1.BlueGreenDeploymentType) effect { return effect{Kind: effectApplyChild, Child: c} }
	cases := []struct {
		name        string
		obs         observations
		intentState flinkv1beta1.FlinkBlueGreenDeploymentState
		finalState  flinkv1beta1.FlinkBlueGreenDeploymentState
		effects     []effect
		outcome     outcomeKind
		reason      string
		check       func(g Gomega, d decision)
	}{
		{name: "first deployment creates blue",
			obs:         observations{State: ""},
			intentState: flinkv1beta1.BlueGreenTransitioningToBlue, effects: []effect{apply(blue)},
			outcome: outcomeReconciling, reason: flinkv1beta1.ReasonDeploying,
			check: func(g Gomega, d decision) {
				g.Expect(d.Intent.Start).To(Equal(startTemplate))
				g.Expect(d.Intent.RecordSpec && d.Intent.SetAbortDeadline).To(BeTrue())
			}},
		{name: "first deployment suspended is blocked",
			obs:         observations{State: "", DesiredSuspended: true},
			intentState: flinkv1beta1.BlueGreenInitializingBlue, outcome: outcomeReady, reason: flinkv1beta1.ReasonSuspended},
		{name: "aborted first deployment waits for a change",
			obs:     observations{State: flinkv1beta1.BlueGreenInitializingBlue, Reconciled: true, Failing: true, Diff: diffIgnore},
			outcome: outcomeStalled},
		{name: "aborted first deployment redeploys on a change",
			obs:         observations{State: flinkv1beta1.BlueGreenInitializingBlue, Reconciled: true, Failing: true, Diff: diffTransition},
			intentState: flinkv1beta1.BlueGreenTransitioningToBlue, effects: []effect{apply(blue)}, outcome: outcomeReconciling},
		{name: "blue ready finishes the first deployment",
			obs:        observations{State: flinkv1beta1.BlueGreenTransitioningToBlue, Blue: ready, AbortAt: t0.Add(time.Minute), Now: t0},
			finalState: flinkv1beta1.BlueGreenActiveBlue, effects: []effect{{Kind: effectSwitchIngress, Child: blue}},
			outcome: outcomeReady, reason: flinkv1beta1.ReasonSucceeded},
		{name: "active and unchanged is ready",
			obs:     observations{State: flinkv1beta1.BlueGreenActiveBlue, Reconciled: true, Blue: ready},
			effects: []effect{{Kind: effectSwitchIngress, Child: blue}}, outcome: outcomeReady, reason: flinkv1beta1.ReasonSucceeded},
		{name: "active child blips: progressing, not stalled",
			obs:     observations{State: flinkv1beta1.BlueGreenActiveGreen, Reconciled: true, Green: running},
			effects: []effect{{Kind: effectSwitchIngress, Child: green}}, outcome: outcomeReconciling, reason: flinkv1beta1.ReasonProgressing},
		{name: "configuration-only change is recorded and ready",
			obs:     observations{State: flinkv1beta1.BlueGreenActiveBlue, Reconciled: true, TopLevelChanged: true, Blue: ready},
			effects: []effect{{Kind: effectSwitchIngress, Child: blue}}, outcome: outcomeReady,
			check: func(g Gomega, d decision) { g.Expect(d.Intent.RecordSpec).To(BeTrue()) }},
		{name: "stateful transition savepoints the active child first",
			obs:         observations{State: flinkv1beta1.BlueGreenActiveBlue, Reconciled: true, Diff: diffTransition, Blue: ready},
			intentState: flinkv1beta1.BlueGreenSavepointingBlue, effects: []effect{{Kind: effectTriggerSavepoint, Child: blue}},
			outcome: outcomeReconciling, reason: flinkv1beta1.ReasonSavepointing,
			check: func(g Gomega, d decision) {
				g.Expect(d.Intent.NewTrigger).To(BeTrue())
				g.Expect(d.Intent.RecordSpec).To(BeFalse(), "the spec is recorded once the savepoint is there")
			}},
		{name: "stateless transition deploys green empty",
			obs:         observations{State: flinkv1beta1.BlueGreenActiveBlue, Reconciled: true, Diff: diffTransition, Stateless: true, Blue: ready},
			intentState: flinkv1beta1.BlueGreenTransitioningToGreen, effects: []effect{apply(green)}, outcome: outcomeReconciling,
			check: func(g Gomega, d decision) { g.Expect(d.Intent.Start).To(Equal(startEmpty)) }},
		{name: "savepoint redeploy uses the template's initialSavepointPath",
			obs:         observations{State: flinkv1beta1.BlueGreenActiveGreen, Reconciled: true, Diff: diffSavepointRedeploy, Green: ready},
			intentState: flinkv1beta1.BlueGreenTransitioningToBlue, effects: []effect{apply(blue)}, outcome: outcomeReconciling,
			check: func(g Gomega, d decision) { g.Expect(d.Intent.Start).To(Equal(startTemplate)) }},
		{name: "suspend in place",
			obs:         observations{State: flinkv1beta1.BlueGreenActiveBlue, Reconciled: true, Diff: diffSuspend, Blue: ready},
			intentState: flinkv1beta1.BlueGreenTransitioningToBlue, effects: []effect{apply(blue)}, outcome: outcomeReconciling,
			check: func(g Gomega, d decision) { g.Expect(d.Intent.Start).To(Equal(startKeep)) }},
		{name: "patch child in place",
			obs:         observations{State: flinkv1beta1.BlueGreenActiveGreen, Reconciled: true, Diff: diffPatchChild, Green: ready},
			intentState: flinkv1beta1.BlueGreenTransitioningToGreen, effects: []effect{apply(green)}, outcome: outcomeReconciling},
		{name: "suspended child finishes the in-place suspend",
			obs:        observations{State: flinkv1beta1.BlueGreenTransitioningToBlue, ReconciledSuspended: true, Blue: child{Exists: true, Suspended: true, SpecSuspended: true}},
			finalState: flinkv1beta1.BlueGreenActiveBlue, effects: []effect{{Kind: effectSwitchIngress, Child: blue}},
			outcome: outcomeReady, reason: flinkv1beta1.ReasonSuspended},
		{name: "transition with the active child not ready waits",
			obs:     observations{State: flinkv1beta1.BlueGreenActiveBlue, Reconciled: true, Diff: diffTransition, Blue: running},
			outcome: outcomeReconciling, reason: flinkv1beta1.ReasonRetrying},
		{name: "transition with the active child stalled is stalled",
			obs:     observations{State: flinkv1beta1.BlueGreenActiveBlue, Reconciled: true, Diff: diffTransition, Blue: child{Exists: true, Stalled: true}},
			outcome: outcomeStalled, reason: flinkv1beta1.ReasonJobFailed},
		{name: "savepoint done deploys green from it",
			obs:         observations{State: flinkv1beta1.BlueGreenSavepointingBlue, TriggerID: "t", Savepoint: savepointDone, SavepointLocation: "file:/sp", Blue: ready},
			intentState: flinkv1beta1.BlueGreenTransitioningToGreen, effects: []effect{apply(green)}, outcome: outcomeReconciling,
			check: func(g Gomega, d decision) {
				g.Expect(d.Intent.Start).To(Equal(startSavepoint))
				g.Expect(d.Intent.RecordSpec).To(BeTrue())
			}},
		{name: "savepoint pending polls",
			obs:     observations{State: flinkv1beta1.BlueGreenSavepointingBlue, TriggerID: "t", Savepoint: savepointPending, Poll: time.Second, Now: t0, AbortAt: t0.Add(time.Minute)},
			outcome: outcomeReconciling, reason: flinkv1beta1.ReasonSavepointing,
			check: func(g Gomega, d decision) { g.Expect(d.Wait).To(Equal(time.Second)) }},
		{name: "savepoint unknown to Flink is re-sent under the same id",
			obs:     observations{State: flinkv1beta1.BlueGreenSavepointingGreen, TriggerID: "t", Savepoint: savepointUnknown},
			effects: []effect{{Kind: effectTriggerSavepoint, Child: green}}, outcome: outcomeReconciling,
			check: func(g Gomega, d decision) { g.Expect(d.Intent.NewTrigger).To(BeFalse()) }},
		{name: "savepoint failure retries with a new trigger and backoff",
			obs:     observations{State: flinkv1beta1.BlueGreenSavepointingBlue, TriggerID: "t", Savepoint: savepointFailed, Now: t0, AbortAt: t0.Add(time.Minute)},
			effects: []effect{{Kind: effectTriggerSavepoint, Child: blue}}, outcome: outcomeReconciling, reason: flinkv1beta1.ReasonRetrying,
			check: func(g Gomega, d decision) {
				g.Expect(d.Intent.NewTrigger).To(BeTrue())
				g.Expect(d.Retry).To(BeTrue())
			}},
		{name: "savepoint fetch error retries with backoff",
			obs:     observations{State: flinkv1beta1.BlueGreenSavepointingBlue, TriggerID: "t", Savepoint: savepointUnreachable, Now: t0, AbortAt: t0.Add(time.Minute)},
			outcome: outcomeReconciling, reason: flinkv1beta1.ReasonRetrying,
			check: func(g Gomega, d decision) { g.Expect(d.Retry).To(BeTrue()) }},
		{name: "savepointing past its deadline stalls",
			obs:         observations{State: flinkv1beta1.BlueGreenSavepointingBlue, TriggerID: "t", Savepoint: savepointPending, Now: t0, AbortAt: t0.Add(-time.Second)},
			intentState: flinkv1beta1.BlueGreenActiveBlue, outcome: outcomeStalled, reason: flinkv1beta1.ReasonSavepointFailed,
			check: func(g Gomega, d decision) { g.Expect(d.Intent.JobState).To(Equal(flinkv1beta1.JobStatusFailing)) }},
		{name: "green not ready within the deadline waits",
			obs:     observations{State: flinkv1beta1.BlueGreenTransitioningToGreen, Blue: ready, Green: running, Now: t0, AbortAt: t0.Add(time.Minute)},
			outcome: outcomeReconciling, reason: flinkv1beta1.ReasonTransitioning,
			check: func(g Gomega, d decision) { g.Expect(d.Wait).To(BeNumerically("~", time.Minute, time.Second)) }},
		{name: "green not ready past the deadline aborts back to blue",
			obs:        observations{State: flinkv1beta1.BlueGreenTransitioningToGreen, Blue: ready, Green: running, Now: t0, AbortAt: t0.Add(-time.Second)},
			finalState: flinkv1beta1.BlueGreenActiveBlue, effects: []effect{{Kind: effectSuspendChild, Child: green}},
			outcome: outcomeStalled, reason: flinkv1beta1.ReasonTransitionAborted,
			check: func(g Gomega, d decision) {
				g.Expect(d.ClearMarkers).To(BeTrue(), "the ready timestamp is reset so no later transition deletes early")
				g.Expect(d.JobState).To(Equal(flinkv1beta1.JobStatusFailing))
			}},
		{name: "first deployment not ready past the deadline aborts to INITIALIZING_BLUE",
			obs:        observations{State: flinkv1beta1.BlueGreenTransitioningToBlue, FirstDeployment: true, Blue: running, Now: t0, AbortAt: t0.Add(-time.Second)},
			finalState: flinkv1beta1.BlueGreenInitializingBlue, effects: []effect{{Kind: effectSuspendChild, Child: blue}},
			outcome: outcomeStalled, reason: flinkv1beta1.ReasonTransitionAborted},
		{name: "green ready records the ready time and waits for the deletion delay",
			obs:     observations{State: flinkv1beta1.BlueGreenTransitioningToGreen, Blue: ready, Green: ready, Now: t0, AbortAt: t0.Add(time.Minute), DeletionDelay: 5 * time.Second},
			outcome: outcomeReconciling,
			check: func(g Gomega, d decision) {
				g.Expect(d.Intent.SetReady).To(BeTrue())
				g.Expect(d.Wait).To(Equal(5 * time.Second))
			}},
		{name: "green ready without delay switches the ingress and deletes blue",
			obs:        observations{State: flinkv1beta1.BlueGreenTransitioningToGreen, Blue: ready, Green: ready, Now: t0, AbortAt: t0.Add(time.Minute)},
			finalState: flinkv1beta1.BlueGreenActiveGreen,
			effects:    []effect{{Kind: effectSwitchIngress, Child: green}, {Kind: effectDeleteChild, Child: blue}},
			outcome:    outcomeReady, reason: flinkv1beta1.ReasonSucceeded},
		{name: "green ready after the delay deletes blue",
			obs:        observations{State: flinkv1beta1.BlueGreenTransitioningToGreen, Blue: ready, Green: ready, Now: t0, ReadyAt: t0.Add(-6 * time.Second), DeletionDelay: 5 * time.Second},
			finalState: flinkv1beta1.BlueGreenActiveGreen,
			effects:    []effect{{Kind: effectSwitchIngress, Child: green}, {Kind: effectDeleteChild, Child: blue}}, outcome: outcomeReady},
		{name: "green blipping after ready is not aborted before its deadline",
			obs:     observations{State: flinkv1beta1.BlueGreenTransitioningToGreen, Blue: ready, Green: running, Now: t0, ReadyAt: t0.Add(-time.Second), AbortAt: t0.Add(time.Minute), DeletionDelay: time.Minute},
			outcome: outcomeReconciling},
		{name: "blue deleted before the final patch: finishing again is safe",
			obs:        observations{State: flinkv1beta1.BlueGreenTransitioningToGreen, Green: ready, Now: t0, ReadyAt: t0},
			finalState: flinkv1beta1.BlueGreenActiveGreen, effects: []effect{{Kind: effectSwitchIngress, Child: green}}, outcome: outcomeReady},
		{name: "green missing after the intent was recorded is created",
			obs:     observations{State: flinkv1beta1.BlueGreenTransitioningToGreen, Blue: ready, Now: t0, AbortAt: t0.Add(time.Minute)},
			effects: []effect{apply(green)}, outcome: outcomeReconciling},
		{name: "spec change during the transition goes to green",
			obs:     observations{State: flinkv1beta1.BlueGreenTransitioningToGreen, Diff: diffTransition, Blue: ready, Green: running, Now: t0, AbortAt: t0.Add(time.Minute)},
			effects: []effect{apply(green)}, outcome: outcomeReconciling,
			check: func(g Gomega, d decision) {
				g.Expect(d.Intent.RecordSpec && d.Intent.SetAbortDeadline).To(BeTrue())
				g.Expect(d.Intent.Start).To(Equal(startKeep), "green keeps blue's savepoint")
			}},
		{name: "suspend during the transition is deferred",
			obs:     observations{State: flinkv1beta1.BlueGreenTransitioningToGreen, Diff: diffSuspend, Blue: ready, Green: running, Now: t0, AbortAt: t0.Add(time.Minute)},
			outcome: outcomeReconciling,
			check:   func(g Gomega, d decision) { g.Expect(d.Intent.RecordSpec).To(BeFalse()) }},
		{name: "after an abort the deployment stays stalled",
			obs:     observations{State: flinkv1beta1.BlueGreenActiveBlue, Reconciled: true, Failing: true, Blue: ready, Green: child{Exists: true, SpecSuspended: true}},
			effects: []effect{{Kind: effectSwitchIngress, Child: blue}}, outcome: outcomeStalled},
		{name: "the retry annotation re-attempts the transition",
			obs:         observations{State: flinkv1beta1.BlueGreenActiveBlue, Reconciled: true, Failing: true, Retry: true, Blue: ready, Green: child{Exists: true, SpecSuspended: true}},
			intentState: flinkv1beta1.BlueGreenSavepointingBlue, effects: []effect{{Kind: effectTriggerSavepoint, Child: blue}}, outcome: outcomeReconciling},
		{name: "a running idle child next to an active one is suspended",
			obs:     observations{State: flinkv1beta1.BlueGreenActiveBlue, Reconciled: true, Blue: ready, Green: running},
			effects: []effect{{Kind: effectSuspendChild, Child: green}, {Kind: effectSwitchIngress, Child: blue}}, outcome: outcomeReady},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			g := NewWithT(t)
			d := next(tc.obs)
			g.Expect(d.Intent.State).To(Equal(tc.intentState))
			g.Expect(d.State).To(Equal(tc.finalState))
			if tc.effects == nil {
				g.Expect(d.Effects).To(BeEmpty())
			} else {
				g.Expect(d.Effects).To(Equal(tc.effects))
			}
			g.Expect(d.Outcome.Kind).To(Equal(tc.outcome), "outcome %+v", d.Outcome)
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
		want   diffType
	}{
		{"identical", func(*flinkv1beta1.FlinkDeploymentSpec) {}, diffIgnore},
		{"image", func(s *flinkv1beta1.FlinkDeploymentSpec) { s.Image = "flink:1.20.1" }, diffTransition},
		{"parallelism", func(s *flinkv1beta1.FlinkDeploymentSpec) { s.Job.Parallelism = 4 }, diffTransition},
		{"flink option", func(s *flinkv1beta1.FlinkDeploymentSpec) {
			s.FlinkConfiguration = flinkv1beta1.NewConfigObject(map[string]string{"taskmanager.numberOfTaskSlots": "4"})
		}, diffTransition},
		{"restartNonce", func(s *flinkv1beta1.FlinkDeploymentSpec) { s.RestartNonce = &nonce }, diffTransition},
		{"operator option", func(s *flinkv1beta1.FlinkDeploymentSpec) {
			s.FlinkConfiguration = flinkv1beta1.NewConfigObject(map[string]string{"taskmanager.numberOfTaskSlots": "2", "kubernetes.operator.savepoint.format.type": "NATIVE"})
		}, diffPatchChild},
		{"upgradeMode", func(s *flinkv1beta1.FlinkDeploymentSpec) { s.Job.UpgradeMode = flinkv1beta1.UpgradeModeLastState }, diffPatchChild},
		{"allowNonRestoredState", func(s *flinkv1beta1.FlinkDeploymentSpec) { v := true; s.Job.AllowNonRestoredState = &v }, diffPatchChild},
		{"initialSavepointPath", func(s *flinkv1beta1.FlinkDeploymentSpec) { s.Job.InitialSavepointPath = "file:/sp" }, diffPatchChild},
		{"savepointRedeployNonce", func(s *flinkv1beta1.FlinkDeploymentSpec) { s.Job.SavepointRedeployNonce = &nonce }, diffSavepointRedeploy},
		{"suspend wins over other changes", func(s *flinkv1beta1.FlinkDeploymentSpec) {
			s.Job.State = flinkv1beta1.JobStateSuspended
			s.Image = "flink:2.0"
		}, diffSuspend},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			g := NewWithT(t)
			desired := base()
			tc.change(desired)
			got, err := templateDiff(base(), desired)
			g.Expect(err).NotTo(HaveOccurred())
			g.Expect(got).To(Equal(tc.want))
		})
	}
	t.Run("resume", func(t *testing.T) {
		g := NewWithT(t)
		suspended := base()
		suspended.Job.State = flinkv1beta1.JobStateSuspended
		got, err := templateDiff(suspended, base())
		g.Expect(err).NotTo(HaveOccurred())
		g.Expect(got).To(Equal(diffResume))
	})
}

func TestTimestampsRoundTripInUpstreamFormat(t *testing.T) {
	g := NewWithT(t)
	g.Expect(formatTimestamp(time.Time{})).To(Equal("1970-01-01T00:00:00Z"))
	g.Expect(parseTimestamp("1970-01-01T00:00:00Z").IsZero()).To(BeTrue())
	g.Expect(parseTimestamp(formatTimestamp(t0)).Equal(t0)).To(BeTrue())
	g.Expect(parseTimestamp("1735732800000").Equal(t0)).To(BeTrue())
}
