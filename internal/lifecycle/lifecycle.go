// Package lifecycle derives status.lifecycleState of FlinkDeployments and FlinkSessionJobs from the rest of
// their status, by upstream's rules, so that dashboards and scripts written for the Apache operator read the
// same states from Teal.
package lifecycle

import (
	"strings"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
	"github.com/teal-flink/teal/internal/reconciled"
)

// Messages whose presence in status.error marks a cluster that cannot recover by itself (upstream's).
const (
	MsgManualRestoreRequired  = "Manual restore required."
	MsgJobFinishedOrCMDeleted = "It is possible that the job has finished or terminally failed, or the configmaps have been deleted."
	MsgHAMetadataNotAvailable = "HA metadata is not available"
)

// Observation is what the derivation reads.
type Observation struct {
	// Current is the lifecycle state recorded so far; DELETING and DELETED stick.
	Current flinkv1beta1.ResourceLifecycleState
	// Reconciliation is status.reconciliationStatus.
	Reconciliation flinkv1beta1.ReconciliationStatus
	// LastReconciledJobState is job.state of the last reconciled spec ("" for session clusters).
	LastReconciledJobState flinkv1beta1.JobState
	// JobState is status.jobStatus.state.
	JobState flinkv1beta1.JobStatusState
	// Error is status.error.
	Error string
	// JobManager is status.jobManagerDeploymentStatus ("" for session jobs).
	JobManager flinkv1beta1.JobManagerDeploymentStatus
}

// Derive returns the lifecycle state for an observation.
func Derive(o Observation) flinkv1beta1.ResourceLifecycleState {
	if o.Current == flinkv1beta1.LifecycleStateDeleting || o.Current == flinkv1beta1.LifecycleStateDeleted {
		return o.Current
	}
	if o.Reconciliation.LastReconciledSpec == "" {
		if o.Error == "" {
			return flinkv1beta1.LifecycleStateCreated
		}
		return flinkv1beta1.LifecycleStateFailed
	}
	switch o.Reconciliation.State {
	case flinkv1beta1.ReconciliationStateUpgrading:
		return flinkv1beta1.LifecycleStateUpgrading
	case flinkv1beta1.ReconciliationStateRollingBack:
		return flinkv1beta1.LifecycleStateRollingBack
	}
	if o.LastReconciledJobState == flinkv1beta1.JobStateSuspended {
		return flinkv1beta1.LifecycleStateSuspended
	}
	if o.JobState == flinkv1beta1.JobStatusFailed {
		return flinkv1beta1.LifecycleStateFailed
	}
	if (o.JobManager == flinkv1beta1.JobManagerDeploymentMissing || o.JobManager == flinkv1beta1.JobManagerDeploymentError) &&
		containsAny(o.Error, MsgManualRestoreRequired, MsgJobFinishedOrCMDeleted, MsgHAMetadataNotAvailable) {
		return flinkv1beta1.LifecycleStateFailed
	}
	if o.Reconciliation.State == flinkv1beta1.ReconciliationStateRolledBack {
		return flinkv1beta1.LifecycleStateRolledBack
	}
	if o.Reconciliation.LastStableSpec != "" && reconciled.SameSpec(o.Reconciliation.LastReconciledSpec, o.Reconciliation.LastStableSpec) {
		return flinkv1beta1.LifecycleStateStable
	}
	return flinkv1beta1.LifecycleStateDeployed
}

func containsAny(text string, needles ...string) bool {
	for _, needle := range needles {
		if strings.Contains(text, needle) {
			return true
		}
	}
	return false
}

// Recorded is the recorded lifecycle state as far as it belongs to the object that exists: DELETING and DELETED
// stick only while the object is being deleted. On an object that is not, they were written for a deleted object
// of the same name, and the state is derived afresh ("" is returned).
func Recorded(state flinkv1beta1.ResourceLifecycleState, beingDeleted bool) flinkv1beta1.ResourceLifecycleState {
	if !beingDeleted && (state == flinkv1beta1.LifecycleStateDeleting || state == flinkv1beta1.LifecycleStateDeleted) {
		return ""
	}
	return state
}
