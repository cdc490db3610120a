package flinkdeployment

import (
	"time"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
	"github.com/teal-flink/teal/internal/flink"
	"github.com/teal-flink/teal/internal/specdiff"
	"github.com/teal-flink/teal/internal/upgradeplan"
)

// The upgrade plan (which step comes next, how old a checkpoint may be, when a rollback is due) is decided in
// internal/upgradeplan; the names below keep the reconciler's phases reading as before.

// step is the next thing the controller does (upgradeplan.Step).
type step = upgradeplan.Step

// checkpointAge judges a running job's latest checkpoint (upgradeplan.CheckpointAge).
type checkpointAge = upgradeplan.CheckpointAge

const (
	checkpointRecent  = upgradeplan.CheckpointRecent
	checkpointPending = upgradeplan.CheckpointPending
)

// observation is what the phases gathered for the planner (upgradeplan.NextStep takes it as an
// upgradeplan.Observation, see plan).
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
	// jobOnRecord: status.jobStatus.jobId names a job whose cluster the operator has not removed itself (when it
	// does, after recording the job's state, status.clusterRemovedJobId names that job; a SUSPENDED job's cluster
	// was removed too). If that cluster is gone, so is the only source of the job's newest state.
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

// plan is the planner's view of the observation.
func (o observation) plan() upgradeplan.Observation {
	return upgradeplan.Observation{
		Desired:           o.desired,
		Target:            o.target,
		Reconciliation:    o.reconciliation,
		Diff:              o.diff,
		SpecChanged:       o.specChanged,
		ClusterExists:     o.clusterExists,
		ClusterIsTarget:   o.clusterIsTarget,
		Job:               o.job,
		SavepointInFlight: o.savepointInFlight,
		HighAvailability:  o.highAvailability,
		RecoveryEnabled:   o.recoveryEnabled,
		SavepointRedeploy: o.savepointRedeploy,
		ScaleInPlace:      o.scaleInPlace,
		RollbackDue:       o.rollbackDue,
		RestartDue:        o.restartDue,
		Restarting:        o.restarting,
		RollingBack:       o.rollingBack,
		JobOnRecord:       o.jobOnRecord,
		HADataAvailable:   o.haDataAvailable,
		LastStateFallback: o.lastStateFallback,
		CheckpointAge:     o.checkpointAge,
		Finished:          o.finished,
		ShutdownDue:       o.shutdownDue,
	}
}

// nextStep decides what to do next (upgradeplan.NextStep).
func nextStep(o observation) step { return upgradeplan.NextStep(o.plan()) }

func jobState(spec *flinkv1beta1.FlinkDeploymentSpec) flinkv1beta1.JobState {
	return upgradeplan.JobState(spec)
}

func upgradeMode(spec *flinkv1beta1.FlinkDeploymentSpec) flinkv1beta1.UpgradeMode {
	return upgradeplan.UpgradeMode(spec)
}

func checkpointAgeOf(now time.Time, maxAge time.Duration, jobStart int64, statistics flink.CheckpointStatistics) checkpointAge {
	return upgradeplan.CheckpointAgeOf(now, maxAge, jobStart, statistics)
}
