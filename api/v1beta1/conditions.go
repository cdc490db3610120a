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
	// ConditionHealthCheck is a FlinkDeployment condition (Teal addition): False, with reason
	// ReasonHealthSampleFailed, while the cluster health check (kubernetes.operator.cluster.health-check.*)
	// cannot sample the job because its REST calls keep failing, so it could not restart an unhealthy job;
	// absent otherwise.
	ConditionHealthCheck = "HealthCheck"
	// ConditionTaskManagers is a FlinkDeployment condition (Teal addition): False, with reason
	// ReasonTaskManagerFailed and the failing pod's reason in the message, while the cluster's TaskManager pods
	// cannot run (image, crash, configuration, scheduling, volumes); its lastTransitionTime is when that was first
	// seen. Absent otherwise: no TaskManager pod at all (an idle session cluster) is not a failure.
	ConditionTaskManagers = "TaskManagers"
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
	// ReasonHealthSampleFailed: sampling the job's health failed for at least the reconcile interval; the reason
	// of a False ConditionHealthCheck and of the Warning event that says so.
	ReasonHealthSampleFailed = "HealthSampleFailed"
	// ReasonTaskManagerFailed: the cluster's TaskManager pods cannot run; Ready False (Reconciling) at once,
	// Stalled once it has lasted kubernetes.operator.deployment.readiness.timeout.
	ReasonTaskManagerFailed = "TaskManagerFailed"

	// The phases of an ADVANCED (FLIP-504) blue/green cut-over, in order (docs/bluegreen-exactly-once.md).
	// ReasonWaitingForIncomingJob: the incoming child is deployed, its gate holds until its job runs; Reconciling.
	ReasonWaitingForIncomingJob = "WaitingForIncomingJob"
	// ReasonWaitingForWatermark: stage TRANSITIONING, the gates are agreeing on the toggle watermark W;
	// Reconciling.
	ReasonWaitingForWatermark = "WaitingForWatermark"
	// ReasonCutOverAtWatermark: W is set; the outgoing job emits below W, the incoming from W, until the outgoing
	// watermark passes W; Reconciling (Stalled with ReasonCutOverStalled past the transition deadline).
	ReasonCutOverAtWatermark = "CutOverAtWatermark"
	// ReasonCutOverStalled: W is set but the outgoing job did not pass it within the transition deadline; both
	// children keep running (an abort after W would lose records) until it does or a person steps in; Stalled.
	ReasonCutOverStalled = "CutOverStalled"
	// ReasonClearToTeardown: the gates wrote CLEAR_TO_TEARDOWN; the outgoing job is stopped with a savepoint and
	// removed; Reconciling.
	ReasonClearToTeardown = "ClearToTeardown"
)
