package upgradeplan

import (
	"time"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
	"github.com/teal-flink/teal/internal/flink"
	"github.com/teal-flink/teal/internal/flinkapi"
	"github.com/teal-flink/teal/internal/specdiff"
)

// Step is the next thing the controller does to bring the cluster to the desired spec.
type Step int

const (
	// StepNone: the cluster runs the desired spec; only observe.
	StepNone Step = iota
	// StepBeginUpgrade records the desired spec as the target (lastReconciledSpec, state UPGRADING).
	StepBeginUpgrade
	// StepRecordIgnorable records a change that needs no restart (upgrade mode, nonces, operator options).
	StepRecordIgnorable
	// StepScale resizes a standalone cluster's TaskManagers in place.
	StepScale
	// StepStopWithSavepoint stops the old job with a savepoint (trigger id recorded first).
	StepStopWithSavepoint
	// StepAwaitSavepoint polls the savepoint in flight.
	StepAwaitSavepoint
	// StepCheckpointAndCancel records the latest checkpoint of the old job, then cancels it (last-state without HA).
	StepCheckpointAndCancel
	// StepCancel cancels the old job without keeping state (stateless, or a savepoint redeploy).
	StepCancel
	// StepAwaitJobEnd waits for a cancelling job to end.
	StepAwaitJobEnd
	// StepAwaitJobRunning waits for a starting job to run: its state can only be taken from a running job.
	StepAwaitJobRunning
	// StepDeleteCluster deletes the old JobManager (and TaskManager) Deployment.
	StepDeleteCluster
	// StepDeploy creates the cluster for the target spec.
	StepDeploy
	// StepMarkDeployed records that the cluster for the target spec exists (after a restart mid-deploy).
	StepMarkDeployed
	// StepMarkSuspended records that the job is suspended as asked.
	StepMarkSuspended
	// StepRecoverJobManager redeploys a JobManager Deployment that went missing.
	StepRecoverJobManager
	// StepManualRestore reports that a lost JobManager cannot be recovered without losing state.
	StepManualRestore
	// StepBeginRollback records that the cluster returns to the last stable spec (state ROLLING_BACK).
	StepBeginRollback
	// StepBeginRestart records a restart of an unhealthy or failed job from its last state.
	StepBeginRestart
	// StepLostCluster reports that the cluster went missing mid-upgrade with a job whose state the operator had
	// not recorded: deploying from the recorded restore point would rewind the job.
	StepLostCluster
	// StepAwaitCheckpoint waits for a checkpoint in progress before a last-state upgrade, because the latest
	// completed one is older than last-state.max.allowed.checkpoint.age.
	StepAwaitCheckpoint
	// StepShutDownFinished removes the cluster of a job that finished jm-deployment.shutdown-ttl ago.
	StepShutDownFinished
)

var stepNames = map[Step]string{
	StepNone: "None", StepBeginUpgrade: "BeginUpgrade", StepRecordIgnorable: "RecordIgnorable", StepScale: "Scale",
	StepStopWithSavepoint: "StopWithSavepoint", StepAwaitSavepoint: "AwaitSavepoint",
	StepCheckpointAndCancel: "CheckpointAndCancel", StepCancel: "Cancel", StepAwaitJobEnd: "AwaitJobEnd",
	StepAwaitJobRunning: "AwaitJobRunning",
	StepDeleteCluster:   "DeleteCluster", StepDeploy: "Deploy", StepMarkDeployed: "MarkDeployed",
	StepMarkSuspended: "MarkSuspended", StepRecoverJobManager: "RecoverJobManager", StepManualRestore: "ManualRestore",
	StepBeginRollback: "BeginRollback", StepBeginRestart: "BeginRestart", StepLostCluster: "LostCluster",
	StepAwaitCheckpoint: "AwaitCheckpoint", StepShutDownFinished: "ShutDownFinished",
}

// String names the step (step hooks, crash tests and messages use the names).
func (s Step) String() string { return stepNames[s] }

// Observation is everything the next step depends on.
type Observation struct {
	// Desired is the spec of the current generation.
	Desired *flinkv1beta1.FlinkDeploymentSpec
	// Target is the last reconciled spec (the one deployed, or being deployed while upgrading); nil before the
	// first deployment.
	Target *flinkv1beta1.FlinkDeploymentSpec
	// Reconciliation is status.reconciliationStatus.state.
	Reconciliation flinkv1beta1.ReconciliationState
	// Diff compares target with desired.
	Diff specdiff.Type
	// SpecChanged: target and desired differ at all (an ignorable change still needs recording).
	SpecChanged bool
	// ClusterExists: the JobManager Deployment exists.
	ClusterExists bool
	// ClusterIsTarget: the existing JobManager Deployment was built from target.
	ClusterIsTarget bool
	// Job is the job the JobManager reports; nil when none is known or the JobManager cannot be reached.
	Job *flinkapi.JobInfo
	// SavepointInFlight: an upgrade savepoint's trigger id is recorded in status.
	SavepointInFlight bool
	// HighAvailability: Flink HA is configured, so a new JobManager recovers the job by itself.
	HighAvailability bool
	// RecoveryEnabled is kubernetes.operator.jm-deployment-recovery.enabled.
	RecoveryEnabled bool
	// SavepointRedeploy: target asks for a redeploy from initialSavepointPath not yet carried out.
	SavepointRedeploy bool
	// ScaleInPlace: a scale-only change can be applied to the running cluster (standalone TaskManagers, or
	// the adaptive scheduler of Flink 1.18+).
	ScaleInPlace bool
	// RollbackDue: target did not become ready within the readiness timeout and rollback is enabled.
	RollbackDue bool
	// RestartDue: the deployed job is unhealthy or failed and is to be restarted from its last state.
	RestartDue bool
	// Restarting: a recorded restart has not replaced the cluster yet.
	Restarting bool
	// RollingBack: the cluster is being returned to (or runs) the last stable spec rather than target.
	RollingBack bool
	// JobOnRecord: status.jobStatus.jobId names a job whose cluster the operator has not removed itself (when it
	// does, after recording the job's state, status.clusterRemovedJobId names that job; a SUSPENDED job's cluster
	// was removed too). If that cluster is gone, so is the only source of the job's newest state.
	JobOnRecord bool
	// HADataAvailable: Flink's HA ConfigMaps of the cluster exist, so a new JobManager resumes the job from them.
	HADataAvailable bool
	// LastStateFallback is kubernetes.operator.job.upgrade.last-state-fallback.enabled: a savepoint upgrade of a
	// Job that cannot take a savepoint may use its HA metadata instead.
	LastStateFallback bool
	// CheckpointAge judges the running job's latest checkpoint against
	// kubernetes.operator.job.upgrade.last-state.max.allowed.checkpoint.age (checkpointRecent when unset).
	CheckpointAge CheckpointAge
	// Finished: the job ran to its end (status.jobStatus.state FINISHED).
	Finished bool
	// ShutdownDue: the job finished at least kubernetes.operator.jm-deployment.shutdown-ttl ago.
	ShutdownDue bool
}

// CheckpointAge is how the latest checkpoint of a running job compares with the maximum age a last-state
// upgrade accepts.
type CheckpointAge int

const (
	// CheckpointRecent: recent enough (or no maximum set, or the job started within it).
	CheckpointRecent CheckpointAge = iota
	// CheckpointPending: too old, but a checkpoint triggered within the maximum age is in progress.
	CheckpointPending
	// CheckpointTooOld: too old, and nothing newer is in progress: the state is handed over by a savepoint.
	CheckpointTooOld
)

// JobState is the job state a spec asks for (running when unset).
func JobState(spec *flinkv1beta1.FlinkDeploymentSpec) flinkv1beta1.JobState {
	if spec == nil || spec.Job == nil || spec.Job.State == "" {
		return flinkv1beta1.JobStateRunning
	}
	return spec.Job.State
}

// UpgradeMode is the upgrade mode of a spec (stateless when unset).
func UpgradeMode(spec *flinkv1beta1.FlinkDeploymentSpec) flinkv1beta1.UpgradeMode {
	if spec == nil || spec.Job == nil || spec.Job.UpgradeMode == "" {
		return flinkv1beta1.UpgradeModeStateless
	}
	return spec.Job.UpgradeMode
}

// JobIsActive reports whether a job still runs (or is about to) and so must be stopped before its cluster goes.
func JobIsActive(job *flinkapi.JobInfo) bool {
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
func jobIsStarting(job *flinkapi.JobInfo) bool {
	switch job.State {
	case flinkv1beta1.JobStatusCreated, flinkv1beta1.JobStatusInitializing, flinkv1beta1.JobStatusReconciling:
		return true
	}
	return false
}

// NextStep decides what to do next. It is pure: every input is in the observation.
func NextStep(o Observation) Step {
	if o.Target == nil {
		return StepBeginUpgrade
	}
	if o.Reconciliation != flinkv1beta1.ReconciliationStateUpgrading && o.Reconciliation != flinkv1beta1.ReconciliationStateRollingBack {
		switch {
		case o.Reconciliation == flinkv1beta1.ReconciliationStateRolledBack && o.SpecChanged:
			// The cluster runs the stable spec, not target: any change is a full upgrade from it.
			return StepBeginUpgrade
		case o.Diff >= specdiff.Upgrade:
			return StepBeginUpgrade
		case o.Diff == specdiff.Scale && o.ScaleInPlace:
			return StepScale
		case o.Diff == specdiff.Scale:
			// Flink cannot apply this change to the running job: a full upgrade applies it.
			return StepBeginUpgrade
		case o.SpecChanged:
			return StepRecordIgnorable
		case o.RollbackDue:
			return StepBeginRollback
		case o.RestartDue && o.ClusterExists:
			return StepBeginRestart
		case o.ShutdownDue && o.ClusterExists:
			return StepShutDownFinished
		}
		if JobState(o.Target) == flinkv1beta1.JobStateSuspended || o.ClusterExists || o.Finished {
			// A finished job's cluster is not recovered: it was shut down after the TTL, or has nothing to run.
			return StepNone
		}
		if o.RecoveryEnabled && (UpgradeMode(o.Target) == flinkv1beta1.UpgradeModeStateless || o.Target.Job == nil) {
			return StepRecoverJobManager
		}
		if o.HighAvailability && (o.HADataAvailable || !o.JobOnRecord) {
			// A new JobManager resumes the job from its HA metadata, which its ConfigMaps prove to exist.
			if o.RecoveryEnabled {
				return StepRecoverJobManager
			}
			return StepManualRestore
		}
		if o.HighAvailability {
			// HA is configured but its metadata is gone: a new JobManager would start the job from the last
			// recorded savepoint, rewinding it (upstream: "HA metadata not available").
			return StepLostCluster
		}
		return StepManualRestore
	}

	// Upgrading towards target (or rolling back to the stable spec): a newer desired spec retargets first.
	if o.SpecChanged {
		return StepBeginUpgrade
	}
	if o.ClusterExists && o.ClusterIsTarget {
		return StepMarkDeployed
	}
	if o.ClusterExists {
		if o.SavepointInFlight {
			return StepAwaitSavepoint
		}
		if o.Job != nil && o.Job.State == flinkv1beta1.JobStatusCancelling {
			return StepAwaitJobEnd
		}
		if JobIsActive(o.Job) {
			next := stopStep(o)
			if (next == StepStopWithSavepoint || next == StepCheckpointAndCancel) && jobIsStarting(o.Job) {
				return StepAwaitJobRunning
			}
			return next
		}
		return StepDeleteCluster
	}
	if clusterLostWithState(o) {
		return StepLostCluster
	}
	if JobState(o.Target) == flinkv1beta1.JobStateSuspended && !o.RollingBack {
		return StepMarkSuspended
	}
	return StepDeploy
}

// stopStep chooses how the old job ends, from the target's upgrade mode.
func stopStep(o Observation) Step {
	if o.SavepointRedeploy {
		// The new job starts from a chosen savepoint: the old job's state is not wanted.
		return StepCancel
	}
	if o.RollingBack {
		return rollbackStopStep(o)
	}
	if o.Restarting {
		// Where the job restarts from was recorded when the restart began (or HA keeps it).
		if o.HighAvailability {
			return StepDeleteCluster
		}
		return StepCancel
	}
	switch UpgradeMode(o.Target) {
	case flinkv1beta1.UpgradeModeSavepoint:
		if o.HighAvailability && o.LastStateFallback && o.Job != nil && o.Job.State != flinkv1beta1.JobStatusRunning && !jobIsStarting(o.Job) {
			// A job that is not running (RESTARTING, FAILING) cannot take a savepoint; its HA metadata holds
			// its latest checkpoint, which a new JobManager resumes from (upstream's last-state fallback).
			return StepDeleteCluster
		}
		return StepStopWithSavepoint
	case flinkv1beta1.UpgradeModeLastState:
		switch o.CheckpointAge {
		case CheckpointPending:
			return StepAwaitCheckpoint
		case CheckpointTooOld:
			return StepStopWithSavepoint
		}
		if o.HighAvailability {
			// The new JobManager recovers the job from HA metadata; only the old cluster must go.
			return StepDeleteCluster
		}
		return StepCheckpointAndCancel
	default:
		return StepCancel
	}
}

// rollbackStopStep chooses how a job that failed to become ready ends before the stable spec returns. It takes
// no savepoint (an unhealthy job may never complete one): the stable spec restores the state the upgrade handed
// over, or a newer checkpoint of the failed job when it runs and has one, or its HA metadata.
func rollbackStopStep(o Observation) Step {
	switch {
	case UpgradeMode(o.Target) == flinkv1beta1.UpgradeModeStateless:
		return StepCancel
	case o.HighAvailability:
		return StepDeleteCluster
	case o.Job != nil && o.Job.State == flinkv1beta1.JobStatusRunning:
		return StepCheckpointAndCancel
	default:
		return StepCancel
	}
}

// clusterLostWithState reports whether the cluster went missing during an upgrade while it ran a job whose
// state the operator never recorded (it did not remove the cluster itself): the recorded restore point is then
// older than the job's state, and deploying from it would rewind the job. Only Flink's HA metadata proves a
// newer state; without it a person chooses the state to restore (upstream's "Manual restore required").
func clusterLostWithState(o Observation) bool {
	if o.ClusterExists || o.RollingBack || !o.JobOnRecord || o.SavepointRedeploy || o.Target == nil || o.Target.Job == nil {
		return false
	}
	mode := UpgradeMode(o.Target)
	if mode == flinkv1beta1.UpgradeModeStateless {
		return false
	}
	if o.HighAvailability && o.HADataAvailable && (mode == flinkv1beta1.UpgradeModeLastState || o.LastStateFallback) {
		return false
	}
	return true
}

// CheckpointAgeOf judges a running job's latest completed checkpoint against maxAge as upstream does: a job
// started within maxAge, or a checkpoint completed within it, is recent; otherwise a checkpoint triggered within
// it and still in progress is waited for; otherwise the checkpoint is too old. maxAge 0 means no maximum.
func CheckpointAgeOf(now time.Time, maxAge time.Duration, jobStart int64, statistics flink.CheckpointStatistics) CheckpointAge {
	if maxAge <= 0 {
		return CheckpointRecent
	}
	within := func(millis int64) bool { return millis > 0 && now.Sub(time.UnixMilli(millis)) < maxAge }
	if within(jobStart) {
		return CheckpointRecent
	}
	if completed := statistics.Latest.Completed; completed != nil && !completed.IsSavepoint &&
		within(max(completed.LatestAckTimestamp, completed.TriggerTimestamp)) {
		return CheckpointRecent
	}
	for _, entry := range statistics.History {
		if entry.Status == flink.CheckpointStatusCompleted && !entry.IsSavepoint && !entry.Discarded &&
			within(max(entry.LatestAckTimestamp, entry.TriggerTimestamp)) {
			return CheckpointRecent
		}
	}
	for _, entry := range statistics.History {
		if entry.Status == flink.CheckpointStatusInProgress && within(entry.TriggerTimestamp) {
			return CheckpointPending
		}
	}
	return CheckpointTooOld
}
