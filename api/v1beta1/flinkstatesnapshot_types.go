package v1beta1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// JobReference points a snapshot at the FlinkDeployment or FlinkSessionJob whose job it snapshots.
type JobReference struct {
	// Kind of the referenced resource.
	// +optional
	Kind JobKind `json:"kind,omitempty"`
	// Name of the referenced resource, in the snapshot's namespace.
	// +optional
	Name string `json:"name,omitempty"`
}

// SavepointSpec asks for a savepoint.
type SavepointSpec struct {
	// Path is the target directory; empty uses state.savepoints.dir. With alreadyExists, the savepoint's path.
	// +optional
	Path string `json:"path,omitempty"`
	// FormatType of the savepoint (default CANONICAL).
	// +optional
	FormatType SavepointFormatType `json:"formatType,omitempty"`
	// DisposeOnDelete disposes the savepoint when this resource is deleted (default true).
	// +optional
	DisposeOnDelete *bool `json:"disposeOnDelete,omitempty"`
	// AlreadyExists records an existing savepoint at Path instead of taking one (default false).
	// +optional
	AlreadyExists *bool `json:"alreadyExists,omitempty"`
}

// CheckpointSpec asks for a checkpoint; it has no options.
type CheckpointSpec struct{}

// FlinkStateSnapshotSpec describes one savepoint or checkpoint.
type FlinkStateSnapshotSpec struct {
	// JobReference is the job to snapshot.
	// +optional
	JobReference *JobReference `json:"jobReference,omitempty"`
	// Savepoint asks for a savepoint; exactly one of savepoint and checkpoint is set.
	// +optional
	Savepoint *SavepointSpec `json:"savepoint,omitempty"`
	// Checkpoint asks for a checkpoint.
	// +optional
	Checkpoint *CheckpointSpec `json:"checkpoint,omitempty"`
	// BackoffLimit is how many failed attempts are retried; -1 (the default) retries without limit.
	// +optional
	BackoffLimit *int32 `json:"backoffLimit,omitempty"`
}

// FlinkStateSnapshotStatus is the observed state of a snapshot.
type FlinkStateSnapshotStatus struct {
	// State of the snapshot.
	// +optional
	State SnapshotState `json:"state,omitempty"`
	// TriggerID of the Flink async operation.
	// +optional
	TriggerID string `json:"triggerId,omitempty"`
	// TriggerTimestamp, RFC 3339.
	// +optional
	TriggerTimestamp string `json:"triggerTimestamp,omitempty"`
	// ResultTimestamp, RFC 3339.
	// +optional
	ResultTimestamp string `json:"resultTimestamp,omitempty"`
	// Path of the completed snapshot.
	// +optional
	Path string `json:"path,omitempty"`
	// Error of the last failed attempt.
	// +optional
	Error string `json:"error,omitempty"`
	// Failures counts failed attempts.
	// +optional
	Failures int32 `json:"failures,omitempty"`
	// ObservedGeneration is the generation the controller reached a terminal outcome for.
	// +optional
	ObservedGeneration int64 `json:"observedGeneration,omitempty"`
	// Conditions are Ready, Reconciling and Stalled (kstatus).
	// +optional
	// +listType=map
	// +listMapKey=type
	Conditions []metav1.Condition `json:"conditions,omitempty"`
}

// FlinkStateSnapshot is a savepoint or checkpoint of a Flink job.
// +kubebuilder:object:root=true
// +kubebuilder:resource:shortName=flinksnp,categories=flink
// +kubebuilder:subresource:status
// +kubebuilder:printcolumn:name="Path",type=string,JSONPath=`.status.path`
// +kubebuilder:printcolumn:name="Result Timestamp",type=string,JSONPath=`.status.resultTimestamp`
// +kubebuilder:printcolumn:name="Snapshot State",type=string,JSONPath=`.status.state`
// +kubebuilder:printcolumn:name="Age",type=date,JSONPath=`.metadata.creationTimestamp`
type FlinkStateSnapshot struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	// +optional
	Spec FlinkStateSnapshotSpec `json:"spec,omitempty"`
	// +optional
	Status FlinkStateSnapshotStatus `json:"status,omitempty"`
}

// FlinkStateSnapshotList is a list of FlinkStateSnapshots.
// +kubebuilder:object:root=true
type FlinkStateSnapshotList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []FlinkStateSnapshot `json:"items"`
}

// GetConditions returns the status conditions.
func (s *FlinkStateSnapshot) GetConditions() []metav1.Condition { return s.Status.Conditions }

// SetConditions replaces the status conditions.
func (s *FlinkStateSnapshot) SetConditions(conditions []metav1.Condition) {
	s.Status.Conditions = conditions
}

func init() {
	SchemeBuilder.Register(&FlinkStateSnapshot{}, &FlinkStateSnapshotList{})
}
