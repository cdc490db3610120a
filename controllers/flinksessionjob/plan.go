package flinksessionjob

import (
	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
)

// step is the next thing the controller does for a session job.
type step int

const (
	stepNone step = iota
	// stepBeginUpgrade records the desired spec as the target (state UPGRADING) under a new job id.
	stepBeginUpgrade
	// stepRecordIgnorable records a change that needs no resubmission.
	stepRecordIgnorable
	// stepStopWithSavepoint stops the old job with a savepoint (trigger id recorded first).
	stepStopWithSavepoint
	// stepAwaitSavepoint polls that savepoint.
	stepAwaitSavepoint
	// stepCheckpointAndCancel records the old job's latest checkpoint, then cancels it (last-state).
	stepCheckpointAndCancel
	// stepCancel cancels the old job without keeping state.
	stepCancel
	// stepAwaitJobEnd waits for a cancelling job to end.
	stepAwaitJobEnd
	// stepSubmit uploads the jar and runs the target's job (its id recorded first).
	stepSubmit
	// stepMarkDeployed records that the target's job was submitted.
	stepMarkDeployed
	// stepMarkSuspended records that the job is suspended as asked.
	stepMarkSuspended
	// stepResubmit records a new submission of a job the session cluster lost, from its last known state.
	stepResubmit
)

var stepNames = map[step]string{
	stepNone: "None", stepBeginUpgrade: "BeginUpgrade", stepRecordIgnorable: "RecordIgnorable",
	stepStopWithSavepoint: "StopWithSavepoint", stepAwaitSavepoint: "AwaitSavepoint",
	stepCheckpointAndCancel: "CheckpointAndCancel", stepCancel: "Cancel", stepAwaitJobEnd: "AwaitJobEnd",
	stepSubmit: "Submit", stepMarkDeployed: "MarkDeployed", stepMarkSuspended: "MarkSuspended", stepResubmit: "Resubmit",
}

func (s step) String() string { return stepNames[s] }

// observation is everything the next step depends on.
type observation struct {
	// target is the last reconciled spec; nil before the first submission.
	target *flinkv1beta1.FlinkSessionJobSpec
	// reconciliation is status.reconciliationStatus.state.
	reconciliation flinkv1beta1.ReconciliationState
	// upgrade: desired differs from target in a way that needs a resubmission; changed: it differs at all.
	upgrade, changed bool
	// oldJob is the job of an earlier target still known to the cluster; nil when none.
	oldJob *jobInfo
	// targetJobFound: the cluster knows the target's job (its id is the one recorded for target).
	targetJobFound bool
	// savepointInFlight: an upgrade savepoint's trigger id is recorded in status.
	savepointInFlight bool
	// jobLost: the session cluster answered and does not know the job recorded in status.
	jobLost bool
}

// jobInfo is what the planner reads about a job.
type jobInfo struct {
	id    string
	state flinkv1beta1.JobStatusState
}

func (j *jobInfo) active() bool {
	return j != nil && !j.state.IsGloballyTerminal() && j.state != flinkv1beta1.JobStatusCancelling &&
		j.state != flinkv1beta1.JobStatusSuspended
}

func desiredState(spec *flinkv1beta1.FlinkSessionJobSpec) flinkv1beta1.JobState {
	if spec == nil || spec.Job == nil || spec.Job.State == "" {
		return flinkv1beta1.JobStateRunning
	}
	return spec.Job.State
}

func upgradeMode(spec *flinkv1beta1.FlinkSessionJobSpec) flinkv1beta1.UpgradeMode {
	if spec == nil || spec.Job == nil || spec.Job.UpgradeMode == "" {
		return flinkv1beta1.UpgradeModeStateless
	}
	return spec.Job.UpgradeMode
}

// nextStep decides what to do next; it is pure.
func nextStep(o observation) step {
	if o.target == nil {
		return stepBeginUpgrade
	}
	if o.reconciliation != flinkv1beta1.ReconciliationStateUpgrading {
		switch {
		case o.upgrade:
			return stepBeginUpgrade
		case o.changed:
			return stepRecordIgnorable
		case o.jobLost && o.reconciliation == flinkv1beta1.ReconciliationStateDeployed && desiredState(o.target) == flinkv1beta1.JobStateRunning:
			return stepResubmit
		}
		return stepNone
	}
	if o.changed {
		return stepBeginUpgrade
	}
	if o.savepointInFlight {
		return stepAwaitSavepoint
	}
	if o.oldJob != nil && o.oldJob.state == flinkv1beta1.JobStatusCancelling {
		return stepAwaitJobEnd
	}
	if o.oldJob.active() {
		switch upgradeMode(o.target) {
		case flinkv1beta1.UpgradeModeSavepoint:
			return stepStopWithSavepoint
		case flinkv1beta1.UpgradeModeLastState:
			return stepCheckpointAndCancel
		}
		return stepCancel
	}
	if desiredState(o.target) == flinkv1beta1.JobStateSuspended {
		return stepMarkSuspended
	}
	if o.targetJobFound {
		return stepMarkDeployed
	}
	return stepSubmit
}
