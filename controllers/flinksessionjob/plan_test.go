package flinksessionjob

import (
	"testing"

	. "github.com/onsi/gomega"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
)

func jobSpec(mode flinkv1beta1.UpgradeMode, state flinkv1beta1.JobState) *flinkv1beta1.FlinkSessionJobSpec {
	return &flinkv1beta1.FlinkSessionJobSpec{DeploymentName: "session", Job: &flinkv1beta1.JobSpec{UpgradeMode: mode, State: state}}
}

func TestNextStep(t *testing.T) {
	savepoint := jobSpec(flinkv1beta1.UpgradeModeSavepoint, "")
	upgrading, deployed := flinkv1beta1.ReconciliationStateUpgrading, flinkv1beta1.ReconciliationStateDeployed
	running := &jobInfo{id: "old", state: flinkv1beta1.JobStatusRunning}
	cases := []struct {
		name string
		obs  observation
		want step
	}{
		{"first submission", observation{}, stepBeginUpgrade},
		{"in sync", observation{target: savepoint, reconciliation: deployed, targetJobFound: true}, stepNone},
		{"a job the session cluster lost is resubmitted", observation{target: savepoint, reconciliation: deployed, jobLost: true}, stepResubmit},
		{"a lost job is not resubmitted while suspended", observation{target: &flinkv1beta1.FlinkSessionJobSpec{Job: &flinkv1beta1.JobSpec{State: flinkv1beta1.JobStateSuspended}},
			reconciliation: deployed, jobLost: true}, stepNone},
		{"a change wins over a resubmission", observation{target: savepoint, reconciliation: deployed, jobLost: true, changed: true, upgrade: true}, stepBeginUpgrade},
		{"a resubmission submits", observation{target: savepoint, reconciliation: upgrading, jobLost: true}, stepSubmit},
		{"ignorable change", observation{target: savepoint, reconciliation: deployed, changed: true}, stepRecordIgnorable},
		{"upgrade", observation{target: savepoint, reconciliation: deployed, changed: true, upgrade: true}, stepBeginUpgrade},
		{"savepoint mode stops with a savepoint", observation{target: savepoint, reconciliation: upgrading, oldJob: running}, stepStopWithSavepoint},
		{"savepoint in flight is polled", observation{target: savepoint, reconciliation: upgrading, oldJob: running, savepointInFlight: true}, stepAwaitSavepoint},
		{"last-state cancels after recording a checkpoint", observation{target: jobSpec(flinkv1beta1.UpgradeModeLastState, ""), reconciliation: upgrading, oldJob: running}, stepCheckpointAndCancel},
		{"stateless cancels", observation{target: jobSpec("", ""), reconciliation: upgrading, oldJob: running}, stepCancel},
		{"cancelling job is awaited", observation{target: savepoint, reconciliation: upgrading, oldJob: &jobInfo{state: flinkv1beta1.JobStatusCancelling}}, stepAwaitJobEnd},
		{"old job ended: submit", observation{target: savepoint, reconciliation: upgrading, oldJob: &jobInfo{state: flinkv1beta1.JobStatusFinished}}, stepSubmit},
		{"first submission goes ahead", observation{target: savepoint, reconciliation: upgrading}, stepSubmit},
		{"restart after the submission", observation{target: savepoint, reconciliation: upgrading, targetJobFound: true}, stepMarkDeployed},
		{"suspend ends without a job", observation{target: jobSpec(flinkv1beta1.UpgradeModeSavepoint, flinkv1beta1.JobStateSuspended), reconciliation: upgrading}, stepMarkSuspended},
		{"a newer spec while upgrading retargets", observation{target: savepoint, reconciliation: upgrading, changed: true, upgrade: true, oldJob: running}, stepBeginUpgrade},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			g := NewWithT(t)
			g.Expect(nextStep(tc.obs).String()).To(Equal(tc.want.String()))
		})
	}
}
