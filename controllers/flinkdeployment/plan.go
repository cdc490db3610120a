package flinkdeployment

import (
	"time"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
	"github.com/teal-flink/teal/internal/flink"
	"github.com/teal-flink/teal/internal/specdiff"
)

// step is the next thing the controller does to bring the cluster to the desired spec.
type step int

const (
	// stepNone: the cluster runs the desired spec; only observe.
	stepNone step = iota
	// stepBeginUpgrade records the desired spec as the target (lastReconciledSpec, state UPGRADING).
	stepBeginUpgrade
	// stepRecordIgnorable records a change that needs no restart (upgrade mode, nonces, operator options).
	stepRecordIgnorable
	// stepScale resizes a standalone cluster's TaskManagers in place.
	stepScale
	// stepStopWithSavepoint stops the old job with a savepoint (trigger id recorded first).
	stepStopWithSavepoint
	// stepAwaitSavepoint polls the savepoint in flight.
	stepAwaitSavepoint
	// stepCheckpointAndCancel records the latest checkpoint of the old job, then cancels it (last-state without HA).
	stepCheckpointAndCancel
	// stepCancel cancels the old job without keeping state (stateless, or a savepoint redeploy).
	stepCancel
	// stepAwaitJobEnd waits for a cancelling job to end.
	stepAwaitJobEnd
	// stepAwaitJobRunning waits for a starting job to run: its state can only be taken from a running job.
	stepAwaitJobRunning
	// stepDeleteCluster deletes the old JobManager (and TaskManager) Deployment.
	stepDeleteCluster
	// stepDeploy creates the cluster for the target spec.
	stepDeploy
	// stepMarkDeployed records that the cluster for the target spec exists (after a restart mid-deploy).
	stepMarkDeployed
	// stepMarkSuspended records that the job is suspended as asked.
	stepMarkSuspended
	// stepRecoverJobManager redeploys a JobManager Deployment that went missing.
	stepRecoverJobManager
	// stepManualRestore reports that a lost JobManager cannot be recovered without losing state.
	stepManualRestore
	// stepBeginRollback records that the cluster returns to the last stable spec (state ROLLING_BACK).
	stepBeginRollback
	// stepBeginRestart records a restart of an unhealthy or failed job from its last state.
	stepBeginRestart
	// stepLostCluster reports that the cluster went missing mid-upgrade with a job whose state the operator had
	// not recorded: deploying from the recorded restore point would rewind the job.
	stepLostCluster
	// stepAwaitCheckpoint waits for a checkpoint in progress before a last-state upgrade, because the latest
	// completed one is older than last-state.max.allowed.checkpoint.age.
	stepAwaitCheckpoint
	// stepShutDownFinished removes the cluster of a job that finished jm-deployment.shutdown-ttl ago.
	stepShutDownFinished
)

var stepNames = map[step]string{
	stepNone: "None", stepBeginUpgrade: "BeginUpgrade", stepRecordIgnorable: "RecordIgnorable", stepScale: "Scale",
	stepStopWithSavepoint: "StopWithSavepoint", stepAwaitSavepoint: "AwaitSavepoint",
	stepCheckpointAndCancel: "CheckpointAndCancel", stepCancel: "Cancel", stepAwaitJobEnd: "AwaitJobEnd",
	stepAwaitJobRunning: "AwaitJobRunning",
	stepDeleteCluster:   "DeleteCluster", stepDeploy: "Deploy", stepMarkDeployed: "MarkDeployed",
	stepMarkSuspended: "MarkSuspended", stepRecoverJobManager: "RecoverJobManager", stepManualRestore: "ManualRestore",
	stepBeginRollback: "BeginRollback", stepBeginRestart: "BeginRestart", stepLostCluster: "LostCluster",
	stepAwaitCheckpoint: "AwaitCheckpoint", stepShutDownFinished: "ShutDownFinished",
}

func (s step) String() string { return stepNames[s] }

// observation is everything the next step depends on.
type observation struct {
	// desired is the spec of the current generation.
	desired *flinkv1beta1.FlinkDeploymentSpec
	// target is the last reconciled spec (the one deployed, or being deployed while upgrading); nil before the
	// first deployment.
	target *flinkv1beta1.FlinkDeploymentSpec
	// reconciliation is status.reconciliationStatus.state.
	reconciliation flinkv1beta1.ReconciliationState
	// diff compares target with desired.
	diff specdiff.Type
	// specChanged: target and desired differ at all (an ignorable change still needs recording).
	specChanged bool
	// clusterExists: the JobManager Deployment exists.
	clusterExists bool
	// clusterIsTarget: the existing JobManager Deployment was built from target.
	clusterIsTarget bool
	// job is the job the JobManager reports; nil when none is known or the JobManager cannot be reached.
	job *JobInfo
	// savepointInFlight: an upgrade savepoint's trigger id is recorded in status.
	savepointInFlight bool
	// highAvailability: Flink HA is configured, so a new JobManager recovers the job by itself.
	highAvailability bool
	// recoveryEnabled is kubernetes.operator.jm-deployment-recovery.enabled.
	recoveryEnabled bool
	// savepointRedeploy: target asks for a redeploy from initialSavepointPath not yet carried out.
	savepointRedeploy bool
	// scaleInPlace: a scale-only change can be applied to the running cluster (standalone TaskManagers, or
	// the adaptive scheduler of Flink 1.18+).
	scaleInPlace bool
	// rollbackDue: target did not become ready within the readiness timeout and rollback is enabled.
	rollbackDue bool
	// restartDue: the deployed job is unhealthy or failed and is to be restarted from its last state.
	restartDue bool
	// restarting: a recorded restart has not replaced the cluster yet.
	restarting bool
	// rollingBack: the cluster is being returned to (or runs) the last stable spec rather than target.
	rollingBack bool
	// jobOnRecord: status.jobStatus.jobId names a job whose cluster the operator has not removed itself (it
	// clears the id when it does, after recording the job's state). If that cluster is gone, so is the only
	// source of the job's newest state.
	jobOnRecord bool
	// haDataAvailable: Flink's HA ConfigMaps of the cluster exist, so a new JobManager resumes the job from them.
	haDataAvailable bool
	// lastStateFallback is kubernetes.operator.job.upgrade.last-state-fallback.enabled: a savepoint upgrade of a
	// job that cannot take a savepoint may use its HA metadata instead.
	lastStateFallback bool
	// checkpointAge judges the running job's latest checkpoint against
	// kubernetes.operator.job.upgrade.last-state.max.allowed.checkpoint.age (checkpointRecent when unset).
	checkpointAge checkpointAge
	// finished: the job ran to its end (status.jobStatus.state FINISHED).
	finished bool
	// shutdownDue: the job finished at least kubernetes.operator.jm-deployment.shutdown-ttl ago.
	shutdownDue bool
}

// checkpointAge is how the latest checkpoint of a running job compares with the maximum age a last-state
// upgrade accepts.
type checkpointAge int

const (
	// checkpointRecent: recent enough (or no maximum set, or the job started within it).
	checkpointRecent checkpointAge = iota
	// checkpointPending: too old, but a checkpoint triggered within the maximum age is in progress.
	checkpointPending
	// checkpointTooOld: too old, and nothing newer is in progress: the state is handed over by a savepoint.
	checkpointTooOld
)

func jobState(spec *flinkv1beta1.FlinkDeploymentSpec) flinkv1beta1.JobState {
	if spec == nil || spec.Job == nil || spec.Job.State == "" {
		return flinkv1beta1.JobStateRunning
	}
	return spec.Job.State
}

func upgradeMode(spec *flinkv1beta1.FlinkDeploymentSpec) flinkv1beta1.UpgradeMode {
	if spec == nil || spec.Job == nil || spec.Job.UpgradeMode == "" {
		return flinkv1beta1.UpgradeModeStateless
	}
	return spec.Job.UpgradeMode
}

// jobIsActive reports whether a job still runs (or is about to) and so must be stopped before its cluster goes.
func jobIsActive(job *JobInfo) bool {
	if job == nil {
		return false
	}
	switch job.State {
	case flinkv1beta1.JobStatusFinished, flinkv1beta1.JobStatusCanceled, flinkv1beta1.JobStatusFailed,
		flinkv1beta1.JobStatusSuspended, flinkv1beta1.JobStatusCancelling:
		return false
	}
	return true
}

// jobIsStarting reports whether a job is about to run but cannot be snapshotted yet.
func jobIsStarting(job *JobInfo) bool {
	switch job.State {
	case flinkv1beta1.JobStatusCreated, flinkv1beta1.JobStatusInitializing, flinkv1beta1.JobStatusReconciling:
		return true
	}
	return false
}

// nextStep decides what to do next. It is pure: every input is in the observation.
func nextStep(o observation) step {
	if o.target == nil {
		return stepBeginUpgrade
	}
	if o.reconciliation != flinkv1beta1.ReconciliationStateUpgrading && o.reconciliation != flinkv1beta1.ReconciliationStateRollingBack {
		switch {
		case o.reconciliation == flinkv1beta1.ReconciliationStateRolledBack && o.specChanged:
			// The cluster runs the stable spec, not target: any change is a full upgrade from it.
			return stepBeginUpgrade
		case o.diff >= specdiff.Upgrade:
			return stepBeginUpgrade
		case o.diff == specdiff.Scale && o.scaleInPlace:
			return stepScale
		case o.diff == specdiff.Scale:
			// Flink cannot apply this change to the running job: a full upgrade applies it.
			return stepBeginUpgrade
		case o.specChanged:
			return stepRecordIgnorable
		case o.rollbackDue:
			return stepBeginRollback
		case o.restartDue && o.clusterExists:
			return stepBeginRestart
		case o.shutdownDue && o.clusterExists:
			return stepShutDownFinished
		}
		if jobState(o.target) == flinkv1beta1.JobStateSuspended || o.clusterExists || o.finished {
			// A finished job's cluster is not recovered: it was shut down after the TTL, or has nothing to run.
			return stepNone
		}
		if o.recoveryEnabled && (upgradeMode(o.target) == flinkv1beta1.UpgradeModeStateless || o.target.Job == nil) {
			return stepRecoverJobManager
		}
		if o.highAvailability && (o.haDataAvailable || !o.jobOnRecord) {
			// A new JobManager resumes the job from its HA metadata, which its ConfigMaps prove to exist.
			if o.recoveryEnabled {
				return stepRecoverJobManager
			}
			return stepManualRestore
		}
		if o.highAvailability {
			// HA is configured but its metadata is gone: a new JobManager would start the job from the last
			// recorded savepoint, rewinding it (upstream: "HA metadata not available").
			return stepLostCluster
		}
		return stepManualRestore
	}

	// Upgrading towards target (or rolling back to the stable spec): a newer desired spec retargets first.
	if o.specChanged {
		return stepBeginUpgrade
	}
	if o.clusterExists && o.clusterIsTarget {
		return stepMarkDeployed
	}
	if o.clusterExists {
		if o.savepointInFlight {
			return stepAwaitSavepoint
		}
		if o.job != nil && o.job.State == flinkv1beta1.JobStatusCancelling {
			return stepAwaitJobEnd
		}
		if jobIsActive(o.job) {
			next := stopStep(o)
			if (next == stepStopWithSavepoint || next == stepCheckpointAndCancel) && jobIsStarting(o.job) {
				return stepAwaitJobRunning
			}
			return next
		}
		return stepDeleteCluster
	}
	if clusterLostWithState(o) {
		return stepLostCluster
	}
	if jobState(o.target) == flinkv1beta1.JobStateSuspended && !o.rollingBack {
		return stepMarkSuspended
	}
	return stepDeploy
}

// stopStep chooses how the old job ends, from the target's upgrade mode.
func stopStep(o observation) step {
	if o.savepointRedeploy {
		// The new job starts from a chosen savepoint: the old job's state is not wanted.
		return stepCancel
	}
	if o.rollingBack {
		return rollbackStopStep(o)
	}
	if o.restarting {
		// Where the job restarts from was recorded when the restart began (or HA keeps it).
		if o.highAvailability {
			return stepDeleteCluster
		}
		return stepCancel
	}
	switch upgradeMode(o.target) {
	case flinkv1beta1.UpgradeModeSavepoint:
		if o.highAvailability && o.lastStateFallback && o.job != nil && o.job.State != flinkv1beta1.JobStatusRunning && !jobIsStarting(o.job) {
			// A job that is not running (RESTARTING, FAILING) cannot take a savepoint; its HA metadata holds
			// its latest checkpoint, which a new JobManager resumes from (upstream's last-state fallback).
			return stepDeleteCluster
		}
		return stepStopWithSavepoint
	case flinkv1beta1.UpgradeModeLastState:
		switch o.checkpointAge {
		case checkpointPending:
			return stepAwaitCheckpoint
		case checkpointTooOld:
			return stepStopWithSavepoint
		}
		if o.highAvailability {
			// The new JobManager recovers the job from HA metadata; only the old cluster must go.
			return stepDeleteCluster
		}
		return stepCheckpointAndCancel
	default:
		return stepCancel
	}
}

// rollbackStopStep chooses how a job that failed to become ready ends before the stable spec returns. It takes
// no savepoint (an unhealthy job may never complete one): the stable spec restores the state the upgrade handed
// over, or a newer checkpoint of the failed job when it runs and has one, or its HA metadata.
func rollbackStopStep(o observation) step {
	switch {
	case upgradeMode(o.target) == flinkv1beta1.UpgradeModeStateless:
		return stepCancel
	case o.highAvailability:
		return stepDeleteCluster
	case o.job != nil && o.job.State == flinkv1beta1.JobStatusRunning:
		return stepCheckpointAndCancel
	default:
		return stepCancel
	}
}

// clusterLostWithState reports whether the cluster went missing during an upgrade while it ran a job whose
// state the operator never recorded (it did not remove the cluster itself): the recorded restore point is then
// older than the job's state, and deploying from it would rewind the job. Only Flink's HA metadata proves a
// newer state; without it a person chooses the state to restore (upstream's "Manual restore required").
func clusterLostWithState(o observation) bool {
	if o.clusterExists || o.rollingBack || !o.jobOnRecord || o.savepointRedeploy || o.target == nil || o.target.Job == nil {
		return false
	}
	mode := upgradeMode(o.target)
	if mode == flinkv1beta1.UpgradeModeStateless {
		return false
	}
	if o.highAvailability && o.haDataAvailable && (mode == flinkv1beta1.UpgradeModeLastState || o.lastStateFallback) {
		return false
	}
	return true
}

// checkpointAgeOf judges a running job's latest completed checkpoint against maxAge as upstream does: a job
// started within maxAge, or a checkpoint completed within it, is recent; otherwise a checkpoint triggered within
// it and still in progress is waited for; otherwise the checkpoint is too old. maxAge 0 means no maximum.
func checkpointAgeOf(now time.Time, maxAge time.Duration, jobStart int64, statistics flink.CheckpointStatistics) checkpointAge {
	if maxAge <= 0 {
		return checkpointRecent
	}
	within := func(millis int64) bool { return millis > 0 && now.Sub(time.UnixMilli(millis)) < maxAge }
	if within(jobStart) {
		return checkpointRecent
	}
	if completed := statistics.Latest.Completed; completed != nil && !completed.IsSavepoint &&
		within(max(completed.LatestAckTimestamp, completed.TriggerTimestamp)) {
		return checkpointRecent
	}
	for _, entry := range statistics.History {
		if entry.Status == flink.CheckpointStatusCompleted && !entry.IsSavepoint && !entry.Discarded &&
			within(max(entry.LatestAckTimestamp, entry.TriggerTimestamp)) {
			return checkpointRecent
		}
	}
	for _, entry := range statistics.History {
		if entry.Status == flink.CheckpointStatusInProgress && within(entry.TriggerTimestamp) {
			return checkpointPending
		}
	}
	return checkpointTooOld
}
