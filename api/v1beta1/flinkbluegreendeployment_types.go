package v1beta1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// FlinkDeploymentTemplateSpec is the template of the child FlinkDeployments of a blue/green deployment.
type FlinkDeploymentTemplateSpec struct {
	// Metadata copied onto both children (labels, annotations).
	// +optional
	metav1.ObjectMeta `json:"metadata,omitempty"`

	// Spec of the children.
	// +optional
	Spec FlinkDeploymentSpec `json:"spec,omitempty"`
}

// FlinkBlueGreenDeploymentSpec describes a job run as two alternating FlinkDeployments, -blue and -green.
type FlinkBlueGreenDeploymentSpec struct {
	// Configuration holds the blue/green options (kubernetes.operator.bluegreen.*).
	// +optional
	Configuration map[string]string `json:"configuration,omitempty"`

	// Ingress to the active child's REST endpoint; switched on every transition.
	// +optional
	Ingress *IngressSpec `json:"ingress,omitempty"`

	// Template of the child deployments.
	// +optional
	Template FlinkDeploymentTemplateSpec `json:"template,omitempty"`

	// TransitionMode is BASIC (default: both children emit while they overlap, at-least-once) or ADVANCED
	// (FLIP-504: a gate in each job hands over at a watermark W, exactly-once; see
	// docs/bluegreen-exactly-once.md). It cannot change after the first deployment.
	// +optional
	TransitionMode TransitionMode `json:"transitionMode,omitempty"`
}

// TransitionMode is how a blue/green transition hands the output over from the outgoing to the incoming child.
// +kubebuilder:validation:Enum=BASIC;ADVANCED
type TransitionMode string

// Transition modes (FLIP-504's TransitionMode).
const (
	// TransitionModeBasic: the children overlap and both emit until the outgoing one is deleted.
	TransitionModeBasic TransitionMode = "BASIC"
	// TransitionModeAdvanced: a gate in each job hands the output over at one event time W.
	TransitionModeAdvanced TransitionMode = "ADVANCED"
)

// EffectiveTransitionMode returns the spec's transition mode, BASIC when unset.
func (s *FlinkBlueGreenDeploymentSpec) EffectiveTransitionMode() TransitionMode {
	if s.TransitionMode == "" {
		return TransitionModeBasic
	}
	return s.TransitionMode
}

// FlinkBlueGreenDeploymentStatus is the observed state of a blue/green deployment.
type FlinkBlueGreenDeploymentStatus struct {
	// JobStatus mirrors the active child's job.
	// +optional
	JobStatus JobStatus `json:"jobStatus,omitempty"`

	// BlueGreenState is the state of the blue/green state machine.
	// +optional
	BlueGreenState FlinkBlueGreenDeploymentState `json:"blueGreenState,omitempty"`

	// LastReconciledSpec is the JSON of the last spec acted on.
	// +optional
	LastReconciledSpec string `json:"lastReconciledSpec,omitempty"`

	// LastReconciledTimestamp is when the spec was last acted on, an ISO-8601 instant (upstream writes Instant#toString).
	// +optional
	LastReconciledTimestamp string `json:"lastReconciledTimestamp,omitempty"`

	// AbortTimestamp is when an in-flight transition gives up, an ISO-8601 instant.
	// +optional
	AbortTimestamp string `json:"abortTimestamp,omitempty"`

	// DeploymentReadyTimestamp is when the incoming child became ready, an ISO-8601 instant.
	// +optional
	DeploymentReadyTimestamp string `json:"deploymentReadyTimestamp,omitempty"`

	// SavepointTriggerID of the hand-over savepoint in flight.
	// +optional
	SavepointTriggerID string `json:"savepointTriggerId,omitempty"`

	// Error is the last error.
	// +optional
	Error string `json:"error,omitempty"`

	// ActiveDeployment names the child FlinkDeployment that serves (Teal addition).
	// +optional
	ActiveDeployment string `json:"activeDeployment,omitempty"`

	// ObservedGeneration is the generation the controller reached a terminal outcome for (Teal addition).
	// +optional
	ObservedGeneration int64 `json:"observedGeneration,omitempty"`

	// Conditions are Ready, Reconciling and Stalled (Teal addition).
	// +optional
	// +listType=map
	// +listMapKey=type
	Conditions []metav1.Condition `json:"conditions,omitempty"`
}

// FlinkBlueGreenDeployment runs a job with zero-downtime blue/green upgrades.
// +kubebuilder:object:root=true
// +kubebuilder:resource:shortName=flinkbgdep,categories=flink
// +kubebuilder:subresource:status
// +kubebuilder:printcolumn:name="State",type=string,JSONPath=`.status.blueGreenState`
// +kubebuilder:printcolumn:name="Active",type=string,JSONPath=`.status.activeDeployment`
// +kubebuilder:printcolumn:name="Ready",type=string,JSONPath=`.status.conditions[?(@.type=="Ready")].status`
// +kubebuilder:printcolumn:name="Job Status",type=string,JSONPath=`.status.jobStatus.state`,priority=1
// +kubebuilder:printcolumn:name="Age",type=date,JSONPath=`.metadata.creationTimestamp`
type FlinkBlueGreenDeployment struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	// +optional
	Spec FlinkBlueGreenDeploymentSpec `json:"spec,omitempty"`
	// +optional
	Status FlinkBlueGreenDeploymentStatus `json:"status,omitempty"`
}

// FlinkBlueGreenDeploymentList is a list of FlinkBlueGreenDeployments.
// +kubebuilder:object:root=true
type FlinkBlueGreenDeploymentList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []FlinkBlueGreenDeployment `json:"items"`
}

// GetConditions returns the status conditions.
func (b *FlinkBlueGreenDeployment) GetConditions() []metav1.Condition { return b.Status.Conditions }

// SetConditions replaces the status conditions.
func (b *FlinkBlueGreenDeployment) SetConditions(conditions []metav1.Condition) {
	b.Status.Conditions = conditions
}

func init() {
	SchemeBuilder.Register(&FlinkBlueGreenDeployment{}, &FlinkBlueGreenDeploymentList{})
}
