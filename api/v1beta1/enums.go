package v1beta1

// FlinkVersion names a Flink release line as upstream spells it (v1_20, v2_1, …).
// +kubebuilder:validation:Enum=v1_13;v1_14;v1_15;v1_16;v1_17;v1_18;v1_19;v1_20;v2_0;v2_1;v2_2;v2_3;v2_4
type FlinkVersion string

// Flink release lines, oldest first. Upstream's enum keeps lines the operator no longer deploys so that old
// manifests still parse; the validators decide which ones are supported.
const (
	FlinkVersionV1_13 FlinkVersion = "v1_13"
	FlinkVersionV1_14 FlinkVersion = "v1_14"
	FlinkVersionV1_15 FlinkVersion = "v1_15"
	FlinkVersionV1_16 FlinkVersion = "v1_16"
	FlinkVersionV1_17 FlinkVersion = "v1_17"
	FlinkVersionV1_18 FlinkVersion = "v1_18"
	FlinkVersionV1_19 FlinkVersion = "v1_19"
	FlinkVersionV1_20 FlinkVersion = "v1_20"
	FlinkVersionV2_0  FlinkVersion = "v2_0"
	FlinkVersionV2_1  FlinkVersion = "v2_1"
	FlinkVersionV2_2  FlinkVersion = "v2_2"
	FlinkVersionV2_3  FlinkVersion = "v2_3"
	FlinkVersionV2_4  FlinkVersion = "v2_4"
)

// FlinkVersions lists every known release line in order, so callers can compare versions by index.
var FlinkVersions = []FlinkVersion{
	FlinkVersionV1_13, FlinkVersionV1_14, FlinkVersionV1_15, FlinkVersionV1_16, FlinkVersionV1_17,
	FlinkVersionV1_18, FlinkVersionV1_19, FlinkVersionV1_20, FlinkVersionV2_0, FlinkVersionV2_1,
	FlinkVersionV2_2, FlinkVersionV2_3, FlinkVersionV2_4,
}

// Ordinal returns the position of v in FlinkVersions, or -1 for an unknown version.
func (v FlinkVersion) Ordinal() int {
	for i, known := range FlinkVersions {
		if known == v {
			return i
		}
	}
	return -1
}

// IsEqualOrNewer reports whether v is a known version at or after other.
func (v FlinkVersion) IsEqualOrNewer(other FlinkVersion) bool {
	return v.Ordinal() >= 0 && v.Ordinal() >= other.Ordinal()
}

// KubernetesDeploymentMode says who creates the TaskManagers: Flink's native Kubernetes integration or the
// operator (standalone).
// +kubebuilder:validation:Enum=native;standalone
type KubernetesDeploymentMode string

// Deployment modes.
const (
	DeploymentModeNative     KubernetesDeploymentMode = "native"
	DeploymentModeStandalone KubernetesDeploymentMode = "standalone"
)

// JobState is the desired state of a job.
// +kubebuilder:validation:Enum=running;suspended
type JobState string

// Desired job states.
const (
	JobStateRunning   JobState = "running"
	JobStateSuspended JobState = "suspended"
)

// UpgradeMode says how a running job is carried over a spec change.
// +kubebuilder:validation:Enum=savepoint;last-state;stateless
type UpgradeMode string

// Upgrade modes.
const (
	UpgradeModeSavepoint UpgradeMode = "savepoint"
	UpgradeModeLastState UpgradeMode = "last-state"
	UpgradeModeStateless UpgradeMode = "stateless"
)

// JobStatusState is the state of a Flink job as the JobManager reports it (Flink's JobStatus), plus the
// operator's own RECONCILING and SUSPENDED.
// +kubebuilder:validation:Enum=INITIALIZING;CREATED;RUNNING;FAILING;FAILED;CANCELLING;CANCELED;FINISHED;RESTARTING;SUSPENDED;RECONCILING
type JobStatusState string

// Job states.
const (
	JobStatusInitializing JobStatusState = "INITIALIZING"
	JobStatusCreated      JobStatusState = "CREATED"
	JobStatusRunning      JobStatusState = "RUNNING"
	JobStatusFailing      JobStatusState = "FAILING"
	JobStatusFailed       JobStatusState = "FAILED"
	JobStatusCancelling   JobStatusState = "CANCELLING"
	JobStatusCanceled     JobStatusState = "CANCELED"
	JobStatusFinished     JobStatusState = "FINISHED"
	JobStatusRestarting   JobStatusState = "RESTARTING"
	JobStatusSuspended    JobStatusState = "SUSPENDED"
	JobStatusReconciling  JobStatusState = "RECONCILING"
)

// IsGloballyTerminal reports whether a job in state s will never run again (Flink's globally terminal states).
func (s JobStatusState) IsGloballyTerminal() bool {
	return s == JobStatusFailed || s == JobStatusCanceled || s == JobStatusFinished
}

// ResourceLifecycleState summarises where a FlinkDeployment or FlinkSessionJob is in its life.
// +kubebuilder:validation:Enum=CREATED;SUSPENDED;UPGRADING;DEPLOYED;STABLE;ROLLING_BACK;ROLLED_BACK;FAILED;DELETING;DELETED
type ResourceLifecycleState string

// Lifecycle states.
const (
	LifecycleStateCreated     ResourceLifecycleState = "CREATED"
	LifecycleStateSuspended   ResourceLifecycleState = "SUSPENDED"
	LifecycleStateUpgrading   ResourceLifecycleState = "UPGRADING"
	LifecycleStateDeployed    ResourceLifecycleState = "DEPLOYED"
	LifecycleStateStable      ResourceLifecycleState = "STABLE"
	LifecycleStateRollingBack ResourceLifecycleState = "ROLLING_BACK"
	LifecycleStateRolledBack  ResourceLifecycleState = "ROLLED_BACK"
	LifecycleStateFailed      ResourceLifecycleState = "FAILED"
	LifecycleStateDeleting    ResourceLifecycleState = "DELETING"
	LifecycleStateDeleted     ResourceLifecycleState = "DELETED"
)

// ReconciliationState is the state of the last reconciled spec.
// +kubebuilder:validation:Enum=DEPLOYED;UPGRADING;ROLLING_BACK;ROLLED_BACK
type ReconciliationState string

// Reconciliation states.
const (
	ReconciliationStateDeployed    ReconciliationState = "DEPLOYED"
	ReconciliationStateUpgrading   ReconciliationState = "UPGRADING"
	ReconciliationStateRollingBack ReconciliationState = "ROLLING_BACK"
	ReconciliationStateRolledBack  ReconciliationState = "ROLLED_BACK"
)

// JobManagerDeploymentStatus is the observed state of the JobManager Deployment.
// +kubebuilder:validation:Enum=READY;DEPLOYED_NOT_READY;DEPLOYING;MISSING;ERROR
type JobManagerDeploymentStatus string

// JobManager deployment states.
const (
	JobManagerDeploymentReady            JobManagerDeploymentStatus = "READY"
	JobManagerDeploymentDeployedNotReady JobManagerDeploymentStatus = "DEPLOYED_NOT_READY"
	JobManagerDeploymentDeploying        JobManagerDeploymentStatus = "DEPLOYING"
	JobManagerDeploymentMissing          JobManagerDeploymentStatus = "MISSING"
	JobManagerDeploymentError            JobManagerDeploymentStatus = "ERROR"
)

// SavepointFormatType is the on-disk format of a savepoint.
// +kubebuilder:validation:Enum=CANONICAL;NATIVE;UNKNOWN
type SavepointFormatType string

// Savepoint formats.
const (
	SavepointFormatCanonical SavepointFormatType = "CANONICAL"
	SavepointFormatNative    SavepointFormatType = "NATIVE"
	SavepointFormatUnknown   SavepointFormatType = "UNKNOWN"
)

// CheckpointType is the kind of a checkpoint.
// +kubebuilder:validation:Enum=FULL;INCREMENTAL;UNKNOWN
type CheckpointType string

// Checkpoint kinds.
const (
	CheckpointTypeFull        CheckpointType = "FULL"
	CheckpointTypeIncremental CheckpointType = "INCREMENTAL"
	CheckpointTypeUnknown     CheckpointType = "UNKNOWN"
)

// SnapshotTriggerType says why a snapshot was taken.
// +kubebuilder:validation:Enum=MANUAL;PERIODIC;UPGRADE;UNKNOWN
type SnapshotTriggerType string

// Snapshot trigger types.
const (
	SnapshotTriggerManual   SnapshotTriggerType = "MANUAL"
	SnapshotTriggerPeriodic SnapshotTriggerType = "PERIODIC"
	SnapshotTriggerUpgrade  SnapshotTriggerType = "UPGRADE"
	SnapshotTriggerUnknown  SnapshotTriggerType = "UNKNOWN"
)

// SnapshotState is the state of a FlinkStateSnapshot.
// +kubebuilder:validation:Enum=TRIGGER_PENDING;IN_PROGRESS;COMPLETED;FAILED;ABANDONED
type SnapshotState string

// Snapshot states.
const (
	SnapshotStateTriggerPending SnapshotState = "TRIGGER_PENDING"
	SnapshotStateInProgress     SnapshotState = "IN_PROGRESS"
	SnapshotStateCompleted      SnapshotState = "COMPLETED"
	SnapshotStateFailed         SnapshotState = "FAILED"
	SnapshotStateAbandoned      SnapshotState = "ABANDONED"
)

// JobKind names the kind a FlinkStateSnapshot's jobReference points at.
// +kubebuilder:validation:Enum=FlinkDeployment;FlinkSessionJob
type JobKind string

// Job kinds a snapshot can reference.
const (
	JobKindFlinkDeployment JobKind = "FlinkDeployment"
	JobKindFlinkSessionJob JobKind = "FlinkSessionJob"
)

// FlinkBlueGreenDeploymentState is a state of the blue/green state machine.
// +kubebuilder:validation:Enum=INITIALIZING_BLUE;ACTIVE_BLUE;SAVEPOINTING_BLUE;TRANSITIONING_TO_GREEN;ACTIVE_GREEN;SAVEPOINTING_GREEN;TRANSITIONING_TO_BLUE
type FlinkBlueGreenDeploymentState string

// Blue/green states.
const (
	BlueGreenInitializingBlue     FlinkBlueGreenDeploymentState = "INITIALIZING_BLUE"
	BlueGreenActiveBlue           FlinkBlueGreenDeploymentState = "ACTIVE_BLUE"
	BlueGreenSavepointingBlue     FlinkBlueGreenDeploymentState = "SAVEPOINTING_BLUE"
	BlueGreenTransitioningToGreen FlinkBlueGreenDeploymentState = "TRANSITIONING_TO_GREEN"
	BlueGreenActiveGreen          FlinkBlueGreenDeploymentState = "ACTIVE_GREEN"
	BlueGreenSavepointingGreen    FlinkBlueGreenDeploymentState = "SAVEPOINTING_GREEN"
	BlueGreenTransitioningToBlue  FlinkBlueGreenDeploymentState = "TRANSITIONING_TO_BLUE"
)

// BlueGreenDeploymentType names one of the two children of a FlinkBlueGreenDeployment; it is the value of the
// child label LabelBlueGreenDeploymentType.
type BlueGreenDeploymentType string

// Blue/green child types.
const (
	BlueGreenTypeBlue  BlueGreenDeploymentType = "BLUE"
	BlueGreenTypeGreen BlueGreenDeploymentType = "GREEN"
)
