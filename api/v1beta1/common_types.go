package v1beta1

import (
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// Labels and annotations shared with the Apache Flink Kubernetes Operator.
const (
	// LabelBlueGreenDeploymentType marks a child FlinkDeployment of a FlinkBlueGreenDeployment as BLUE or GREEN.
	LabelBlueGreenDeploymentType = "flink/blue-green-deployment-type"
	// LabelTargetSession names the session cluster a FlinkSessionJob runs on.
	LabelTargetSession = "target.session"
)

// JobSpec describes the Flink job of an application cluster or a session job.
type JobSpec struct {
	// JarURI locates the job jar: local:// inside the image for application clusters; https:// (or another
	// allowed scheme) for session jobs.
	// +optional
	JarURI string `json:"jarURI,omitempty"`

	// Parallelism of the job.
	// +optional
	Parallelism int32 `json:"parallelism,omitempty"`

	// EntryClass is the fully qualified main class; empty uses the jar manifest's.
	// +optional
	EntryClass string `json:"entryClass,omitempty"`

	// Args are passed to the job's main method.
	// +optional
	Args []string `json:"args,omitempty"`

	// State is the desired state of the job; suspended stops it and keeps its state for a later resume.
	// +optional
	State JobState `json:"state,omitempty"`

	// SavepointTriggerNonce: a new value triggers a manual savepoint.
	// +optional
	SavepointTriggerNonce *int64 `json:"savepointTriggerNonce,omitempty"`

	// InitialSavepointPath is restored from on the first deployment (and by savepointRedeployNonce).
	// +optional
	InitialSavepointPath string `json:"initialSavepointPath,omitempty"`

	// CheckpointTriggerNonce: a new value triggers a manual checkpoint.
	// +optional
	CheckpointTriggerNonce *int64 `json:"checkpointTriggerNonce,omitempty"`

	// UpgradeMode says how state is carried over an upgrade or a suspend.
	// +optional
	UpgradeMode UpgradeMode `json:"upgradeMode,omitempty"`

	// AllowNonRestoredState lets a restore skip state that no operator of the new job claims.
	// +optional
	AllowNonRestoredState *bool `json:"allowNonRestoredState,omitempty"`

	// SavepointRedeployNonce: a new value redeploys the job from initialSavepointPath.
	// +optional
	SavepointRedeployNonce *int64 `json:"savepointRedeployNonce,omitempty"`

	// AutoscalerResetNonce: a new value resets the autoscaler's parallelism overrides.
	// +optional
	AutoscalerResetNonce *int64 `json:"autoscalerResetNonce,omitempty"`
}

// Resource is the shorthand resource description of a JobManager or TaskManager pod.
type Resource struct {
	// CPU cores, fractional allowed.
	// +optional
	CPU *float64 `json:"cpu,omitempty"`

	// Memory as a Kubernetes quantity (2048m, 2Gi).
	// +optional
	Memory string `json:"memory,omitempty"`

	// EphemeralStorage as a Kubernetes quantity.
	// +optional
	EphemeralStorage string `json:"ephemeralStorage,omitempty"`
}

// Pod is a pod template as upstream accepts it: a whole Pod object, of which metadata and spec are used.
// Required fields of the core Pod schema are not required here, so a template can set only what it changes.
type Pod struct {
	metav1.TypeMeta `json:",inline"`

	// Metadata of the pods: labels and annotations are merged onto the generated pods.
	// +optional
	Metadata metav1.ObjectMeta `json:"metadata,omitempty"`

	// +optional
	Spec corev1.PodSpec `json:"spec,omitzero"`
}

// JobManagerSpec describes the JobManager pods.
type JobManagerSpec struct {
	// Resource is the shorthand for cpu, memory and ephemeral storage.
	// +optional
	Resource *Resource `json:"resource,omitempty"`

	// Resources are full Kubernetes resource requirements; they take precedence over Resource.
	// +optional
	Resources *corev1.ResourceRequirements `json:"resources,omitempty"`

	// Replicas of the JobManager; more than one needs high availability.
	// +optional
	Replicas *int32 `json:"replicas,omitempty"`

	// PodTemplate is merged over spec.podTemplate for the JobManager pods.
	// +optional
	PodTemplate *Pod `json:"podTemplate,omitempty"`
}

// TaskManagerSpec describes the TaskManager pods.
type TaskManagerSpec struct {
	// Resource is the shorthand for cpu, memory and ephemeral storage.
	// +optional
	Resource *Resource `json:"resource,omitempty"`

	// Resources are full Kubernetes resource requirements; they take precedence over Resource.
	// +optional
	Resources *corev1.ResourceRequirements `json:"resources,omitempty"`

	// Replicas of TaskManagers; when set it fixes the cluster size and the job parallelism follows from it.
	// +optional
	Replicas *int32 `json:"replicas,omitempty"`

	// PodTemplate is merged over spec.podTemplate for the TaskManager pods.
	// +optional
	PodTemplate *Pod `json:"podTemplate,omitempty"`
}

// IngressSpec asks for an Ingress to the Flink REST endpoint and web UI.
type IngressSpec struct {
	// Template is the host and path of the ingress, with {{name}} and {{namespace}} placeholders,
	// e.g. "{{name}}.flink.example.com" or "/{{namespace}}/{{name}}(/|$)(.*)".
	// +optional
	Template string `json:"template,omitempty"`

	// ClassName is the IngressClass to use.
	// +optional
	ClassName string `json:"className,omitempty"`

	// Annotations added to the Ingress.
	// +optional
	Annotations map[string]string `json:"annotations,omitempty"`

	// Labels added to the Ingress.
	// +optional
	Labels map[string]string `json:"labels,omitempty"`

	// TLS configuration of the Ingress.
	// +optional
	TLS []IngressTLS `json:"tls,omitempty"`
}

// IngressTLS is the TLS configuration of one set of hosts, as in networking.k8s.io/v1.
type IngressTLS struct {
	// +optional
	Hosts []string `json:"hosts,omitempty"`
	// +optional
	SecretName string `json:"secretName,omitempty"`
}

// JobStatus is the observed state of a Flink job.
type JobStatus struct {
	// JobName as Flink reports it.
	// +optional
	JobName string `json:"jobName,omitempty"`

	// JobID of the running (or last) job.
	// +optional
	JobID string `json:"jobId,omitempty"`

	// State of the job.
	// +optional
	State JobStatusState `json:"state,omitempty"`

	// StartTime in epoch milliseconds, as a string (upstream's format).
	// +optional
	StartTime string `json:"startTime,omitempty"`

	// UpdateTime in epoch milliseconds, as a string.
	// +optional
	UpdateTime string `json:"updateTime,omitempty"`

	// UpgradeSavepointPath is the savepoint the next deployment restores from.
	// +optional
	UpgradeSavepointPath string `json:"upgradeSavepointPath,omitempty"`

	// SavepointInfo is the legacy savepoint record, used when snapshot resources are disabled.
	// +optional
	SavepointInfo *SavepointInfo `json:"savepointInfo,omitempty"`

	// CheckpointInfo is the legacy checkpoint record, used when snapshot resources are disabled.
	// +optional
	CheckpointInfo *CheckpointInfo `json:"checkpointInfo,omitempty"`
}

// Savepoint is one savepoint taken by the operator.
type Savepoint struct {
	// TimeStamp in epoch milliseconds.
	// +optional
	TimeStamp int64 `json:"timeStamp,omitempty"`
	// Location of the savepoint.
	// +optional
	Location string `json:"location,omitempty"`
	// +optional
	TriggerType SnapshotTriggerType `json:"triggerType,omitempty"`
	// +optional
	FormatType SavepointFormatType `json:"formatType,omitempty"`
	// TriggerNonce is the savepointTriggerNonce that asked for it, for manual savepoints.
	// +optional
	TriggerNonce *int64 `json:"triggerNonce,omitempty"`
}

// SavepointInfo records pending and past savepoints (upstream's legacy, status-based savepoint path).
type SavepointInfo struct {
	// +optional
	LastSavepoint *Savepoint `json:"lastSavepoint,omitempty"`
	// TriggerID of the savepoint in flight.
	// +optional
	TriggerID string `json:"triggerId,omitempty"`
	// TriggerTimestamp of the savepoint in flight, epoch milliseconds.
	// +optional
	TriggerTimestamp *int64 `json:"triggerTimestamp,omitempty"`
	// +optional
	TriggerType SnapshotTriggerType `json:"triggerType,omitempty"`
	// +optional
	FormatType SavepointFormatType `json:"formatType,omitempty"`
	// SavepointHistory lists completed savepoints, oldest first.
	// +optional
	SavepointHistory []Savepoint `json:"savepointHistory,omitempty"`
	// LastPeriodicSavepointTimestamp in epoch milliseconds.
	// +optional
	LastPeriodicSavepointTimestamp int64 `json:"lastPeriodicSavepointTimestamp,omitempty"`
}

// Checkpoint is one checkpoint triggered by the operator.
type Checkpoint struct {
	// TimeStamp in epoch milliseconds.
	// +optional
	TimeStamp int64 `json:"timeStamp,omitempty"`
	// +optional
	TriggerType SnapshotTriggerType `json:"triggerType,omitempty"`
	// +optional
	FormatType CheckpointType `json:"formatType,omitempty"`
	// +optional
	TriggerNonce *int64 `json:"triggerNonce,omitempty"`
}

// CheckpointInfo records pending and past manual or periodic checkpoints (legacy, status-based path).
type CheckpointInfo struct {
	// +optional
	LastCheckpoint *Checkpoint `json:"lastCheckpoint,omitempty"`
	// +optional
	TriggerID string `json:"triggerId,omitempty"`
	// +optional
	TriggerTimestamp *int64 `json:"triggerTimestamp,omitempty"`
	// +optional
	TriggerType SnapshotTriggerType `json:"triggerType,omitempty"`
	// +optional
	FormatType CheckpointType `json:"formatType,omitempty"`
	// +optional
	LastPeriodicCheckpointTimestamp int64 `json:"lastPeriodicCheckpointTimestamp,omitempty"`
}

// ReconciliationStatus records what the operator last deployed, in upstream's serialized form so a resource
// managed by the Apache operator can be taken over without a restart.
type ReconciliationStatus struct {
	// ReconciliationTimestamp of the last deployment, epoch milliseconds.
	// +optional
	ReconciliationTimestamp int64 `json:"reconciliationTimestamp,omitempty"`

	// LastReconciledSpec is the JSON of the last deployed spec with resource_metadata.
	// +optional
	LastReconciledSpec string `json:"lastReconciledSpec,omitempty"`

	// LastStableSpec is the JSON of the last spec that became stable.
	// +optional
	LastStableSpec string `json:"lastStableSpec,omitempty"`

	// State of the last reconciled spec.
	// +optional
	State ReconciliationState `json:"state,omitempty"`
}

// CommonStatus holds the status fields FlinkDeployment and FlinkSessionJob share with upstream, plus Teal's
// conditions.
type CommonStatus struct {
	// JobStatus is the observed state of the job.
	// +optional
	JobStatus JobStatus `json:"jobStatus,omitempty"`

	// Error is the last error, as upstream reports it (JSON of type, message and stack trace, or text).
	// +optional
	Error string `json:"error,omitempty"`

	// ObservedGeneration is the generation the controller reached a terminal outcome for (Ready or Stalled).
	// +optional
	ObservedGeneration int64 `json:"observedGeneration,omitempty"`

	// LifecycleState summarises the resource's state.
	// +optional
	LifecycleState ResourceLifecycleState `json:"lifecycleState,omitempty"`

	// ReconciliationStatus records the last deployed and last stable specs.
	// +optional
	ReconciliationStatus ReconciliationStatus `json:"reconciliationStatus,omitempty"`

	// Conditions are Ready, Reconciling and Stalled (kstatus), plus upstream's Running on FlinkDeployment.
	// +optional
	// +listType=map
	// +listMapKey=type
	Conditions []metav1.Condition `json:"conditions,omitempty"`
}
