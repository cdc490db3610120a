package upgradeplan

import (
	"time"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
	"github.com/teal-flink/teal/internal/reconciled"
)

// RollbackInput is what the rollback decision depends on.
type RollbackInput struct {
	// Enabled is kubernetes.operator.deployment.rollback.enabled.
	Enabled bool
	// Timeout is kubernetes.operator.deployment.readiness.timeout.
	Timeout time.Duration
	// Reconciliation is status.reconciliationStatus.
	Reconciliation flinkv1beta1.ReconciliationStatus
	// Target is the last reconciled spec, stable the last stable spec (nil when none).
	Target, Stable *flinkv1beta1.FlinkDeploymentSpec
	// Ready: the target already runs as asked (it becomes the stable spec in this reconcile).
	Ready bool
	// Now is the current time.
	Now time.Time
}

// RollbackDue reports whether a deployed spec that never became stable has run out of time and must be rolled
// back; when not yet, wait is how long until it would be (0 when it never will).
func RollbackDue(in RollbackInput) (due bool, wait time.Duration) {
	status := in.Reconciliation
	switch {
	case !in.Enabled, in.Ready, in.Target == nil, in.Stable == nil,
		status.State != flinkv1beta1.ReconciliationStateDeployed,
		reconciled.SameSpec(status.LastReconciledSpec, status.LastStableSpec),
		// A suspend cannot fail to become ready, and a suspended stable spec has nothing to return to.
		JobState(in.Target) == flinkv1beta1.JobStateSuspended, JobState(in.Stable) == flinkv1beta1.JobStateSuspended:
		return false, 0
	}
	deadline := time.UnixMilli(status.ReconciliationTimestamp).Add(in.Timeout)
	if in.Now.Before(deadline) {
		return false, deadline.Sub(in.Now)
	}
	return true, 0
}

// RunsAsAsked reports whether the deployed spec runs as asked: its job RUNNING, or a session cluster's JobManager
// ready (nil deployed: nothing asked yet). A deployed spec that runs as asked becomes the stable one.
func RunsAsAsked(deployed *flinkv1beta1.FlinkDeploymentSpec, jobManager flinkv1beta1.JobManagerDeploymentStatus, job flinkv1beta1.JobStatusState) bool {
	if jobManager != flinkv1beta1.JobManagerDeploymentReady {
		return false
	}
	return deployed == nil || deployed.Job == nil || job == flinkv1beta1.JobStatusRunning
}

// RunsStableSpec reports whether the cluster runs (or is being brought back to) the last stable spec rather than
// the last reconciled one.
func RunsStableSpec(state flinkv1beta1.ReconciliationState) bool {
	return state == flinkv1beta1.ReconciliationStateRollingBack || state == flinkv1beta1.ReconciliationStateRolledBack
}

// DeployedState is the reconciliation state once the cluster of the deployed spec exists: ROLLED_BACK when that
// spec is the last stable one (a rollback), DEPLOYED otherwise.
func DeployedState(rollingBack bool) flinkv1beta1.ReconciliationState {
	if rollingBack {
		return flinkv1beta1.ReconciliationStateRolledBack
	}
	return flinkv1beta1.ReconciliationStateDeployed
}

// RecordDeployed is what status records once the cluster of the deployed spec is created: DeployedState, the
// savepoint redeploy carried out (target's nonce; a rollback redeploys the stable spec, not target's request),
// a JobManager being deployed and a job not yet observed, and no error left from the old cluster.
func RecordDeployed(status *flinkv1beta1.FlinkDeploymentStatus, target *flinkv1beta1.FlinkDeploymentSpec, rollingBack bool) {
	status.ReconciliationStatus.State = DeployedState(rollingBack)
	if !rollingBack && target.Job != nil && target.Job.SavepointRedeployNonce != nil {
		nonce := *target.Job.SavepointRedeployNonce
		status.LastSavepointRedeployNonce = &nonce
	}
	status.JobManagerDeploymentStatus = flinkv1beta1.JobManagerDeploymentDeploying
	status.JobStatus.State, status.JobStatus.JobID = flinkv1beta1.JobStatusReconciling, ""
	status.ClusterRemovedJobID, status.Error = "", ""
}
