package v1beta1

// Condition types shared by every kind (see the GitOps contract in docs/gitops.md).
const (
	// ConditionReady is True when the latest generation is fully applied and healthy.
	ConditionReady = "Ready"
	// ConditionReconciling is present, and True, only while the controller works towards the latest generation.
	ConditionReconciling = "Reconciling"
	// ConditionStalled is present, and True, only while progress needs a person.
	ConditionStalled = "Stalled"
	// ConditionRunning is upstream's condition on FlinkDeployment: True while the job (or session cluster) runs.
	ConditionRunning = "Running"
)

// Condition reasons. Events use the same reasons.
const (
	ReasonSucceeded         = "Succeeded"
	ReasonSuspended         = "Suspended"
	ReasonProgressing       = "Progressing"
	ReasonDeploying         = "Deploying"
	ReasonUpgrading         = "Upgrading"
	ReasonSavepointing      = "Savepointing"
	ReasonTransitioning     = "Transitioning"
	ReasonRetrying          = "Retrying"
	ReasonValidationError   = "ValidationError"
	ReasonDeploymentFailed  = "DeploymentFailed"
	ReasonJobFailed         = "JobFailed"
	ReasonRollingBack       = "RollingBack"
	ReasonRestarting        = "Restarting"
	ReasonRolledBack        = "RolledBack"
	ReasonTransitionAborted = "TransitionAborted"
	ReasonSavepointFailed   = "SavepointFailed"
	ReasonManualRestore     = "ManualRestoreRequired"
	ReasonSnapshotFailed    = "SnapshotFailed"
	ReasonSnapshotAbandoned = "SnapshotAbandoned"
	ReasonSessionNotFound   = "SessionClusterNotFound"
	ReasonDeletionBlocked   = "DeletionBlocked"
	// ReasonFinished: a bounded job ran to its end; Ready, the terminal outcome it was committed for.
	ReasonFinished = "Finished"
	// ReasonJobCancelled: the job was cancelled outside the operator (Flink web UI or CLI); Stalled.
	ReasonJobCancelled = "JobCancelled"
	// ReasonScheduleInvalid: a periodic snapshot schedule cannot be parsed; Stalled for the snapshot feature.
	ReasonScheduleInvalid = "ScheduleInvalid"
)
