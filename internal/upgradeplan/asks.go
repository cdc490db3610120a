package upgradeplan

import (
	"fmt"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
	"github.com/teal-flink/teal/internal/operatorconfig"
)

// Some observations cost a request (to Kubernetes or to Flink) and matter to NextStep only in one situation; the
// rules below say when the controller gathers them, and are decisions like the plan itself.

// AsksHAData reports whether NextStep needs to know whether Flink's HA metadata of the cluster survives: the
// cluster went missing with a job on record, under HA (upstream asks the same before it lets a new JobManager
// resume a job it cannot see).
func AsksHAData(o Observation) bool {
	return !o.ClusterExists && o.HighAvailability && o.JobOnRecord && o.Target != nil
}

// AsksCheckpointAge reports whether a last-state upgrade is about to hand a running job's state over through its
// latest checkpoint, so that checkpoint's age matters (when a maximum age is set).
func AsksCheckpointAge(o Observation) bool {
	return o.Reconciliation == flinkv1beta1.ReconciliationStateUpgrading && o.ClusterExists && !o.ClusterIsTarget &&
		!o.Restarting && !o.RollingBack && !o.SavepointRedeploy && !o.SavepointInFlight && !o.SpecChanged &&
		UpgradeMode(o.Target) == flinkv1beta1.UpgradeModeLastState && o.Job != nil && o.Job.State == flinkv1beta1.JobStatusRunning
}

// FinishedClusterRuns reports whether the cluster of a job that ran to its end still runs the recorded spec, so
// kubernetes.operator.jm-deployment.shutdown-ttl counts down for it.
func FinishedClusterRuns(o Observation) bool {
	return o.Reconciliation == flinkv1beta1.ReconciliationStateDeployed && o.ClusterExists && !o.SpecChanged &&
		o.Target != nil && o.Target.Job != nil && o.Job != nil && o.Job.State == flinkv1beta1.JobStatusFinished
}

// LostCluster describes a cluster that went missing with a job whose newest state nobody recorded (StepLostCluster).
type LostCluster struct {
	// Name is the deployment's name (its HA ConfigMaps carry app=<name>).
	Name string
	// Target is the last reconciled spec.
	Target *flinkv1beta1.FlinkDeploymentSpec
	// HighAvailability and LastStateFallback are as in Observation.
	HighAvailability, LastStateFallback bool
	// Upgrading: the cluster went missing during an upgrade.
	Upgrading bool
	// JobID, JobState and Recorded are status.jobStatus.jobId, .state and .upgradeSavepointPath.
	JobID    string
	JobState flinkv1beta1.JobStatusState
	Recorded string
}

// Message says why the lost cluster's job cannot be resumed and what a person does about it; suffix is appended
// (upstream's "Manual restore required.", which lifecycleState reads).
func (l LostCluster) Message(suffix string) string {
	why := "HA is off"
	switch {
	case l.HighAvailability && UpgradeMode(l.Target) == flinkv1beta1.UpgradeModeSavepoint && !l.LastStateFallback:
		why = operatorconfig.KeyLastStateFallback + " is false, so a savepoint upgrade does not resume from HA metadata"
	case l.HighAvailability:
		why = "its HA metadata (ConfigMaps app=" + l.Name + ",configmap-type=high-availability) is gone"
	}
	recorded, during, state := l.Recorded, "", string(l.JobState)
	if recorded == "" {
		recorded = "none"
	}
	if state == "" {
		state = "unknown"
	}
	if l.Upgrading {
		during = " during the upgrade"
	}
	return fmt.Sprintf("the JobManager Deployment went missing%s while job %s (%s) ran, and %s: "+
		"its newest state cannot be proven, and restoring from the last recorded savepoint (%s) would rewind the job. "+
		"Set spec.job.initialSavepointPath to the newest retained checkpoint or savepoint and change "+
		"spec.job.savepointRedeployNonce. %s", during, l.JobID, state, why, recorded, suffix)
}

// NeedsTerminalState reports whether deleting the cluster of an upgrade (StepDeleteCluster) must first record the
// newest state its ended job left behind (it FAILED, was cancelled, finished after its upgrade savepoint, or is
// missing): the new job must carry the state on (a stateful upgrade mode), HA does not recover it by itself, and
// neither a rollback, a restart (they recorded their restore point when they began) nor a redeploy from a chosen
// savepoint decides the restore point otherwise.
func NeedsTerminalState(o Observation) bool {
	if o.Target == nil || o.Target.Job == nil || o.RollingBack || o.Restarting || o.HighAvailability || o.SavepointRedeploy {
		return false
	}
	return UpgradeMode(o.Target) != flinkv1beta1.UpgradeModeStateless && o.Reconciliation == flinkv1beta1.ReconciliationStateUpgrading
}
