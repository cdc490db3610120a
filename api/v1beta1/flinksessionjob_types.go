package v1beta1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// FlinkSessionJobSpec describes a job submitted to a session cluster.
type FlinkSessionJobSpec struct {
	// DeploymentName is the FlinkDeployment (a session cluster) in the same namespace that runs the job.
	// +optional
	DeploymentName string `json:"deploymentName,omitempty"`

	// Job to run.
	// +optional
	Job *JobSpec `json:"job,omitempty"`

	// RestartNonce: a new value restarts the job with the current spec.
	// +optional
	RestartNonce *int64 `json:"restartNonce,omitempty"`

	// FlinkConfiguration is job-level Flink configuration, flat or nested keys.
	// +optional
	FlinkConfiguration *ConfigObject `json:"flinkConfiguration,omitempty"`
}

// FlinkSessionJobStatus is the observed state of a FlinkSessionJob.
type FlinkSessionJobStatus struct {
	CommonStatus `json:",inline"`
}

// FlinkSessionJob is a job on a session cluster.
// +kubebuilder:object:root=true
// +kubebuilder:resource:shortName=sessionjob,categories=flink
// +kubebuilder:subresource:status
// +kubebuilder:printcolumn:name="Job Status",type=string,JSONPath=`.status.jobStatus.state`
// +kubebuilder:printcolumn:name="Lifecycle State",type=string,JSONPath=`.status.lifecycleState`
// +kubebuilder:printcolumn:name="Ready",type=string,JSONPath=`.status.conditions[?(@.type=="Ready")].status`
// +kubebuilder:printcolumn:name="Age",type=date,JSONPath=`.metadata.creationTimestamp`
type FlinkSessionJob struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	// +optional
	Spec FlinkSessionJobSpec `json:"spec,omitempty"`
	// +optional
	Status FlinkSessionJobStatus `json:"status,omitempty"`
}

// FlinkSessionJobList is a list of FlinkSessionJobs.
// +kubebuilder:object:root=true
type FlinkSessionJobList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []FlinkSessionJob `json:"items"`
}

// GetConditions returns the status conditions.
func (j *FlinkSessionJob) GetConditions() []metav1.Condition { return j.Status.Conditions }

// SetConditions replaces the status conditions.
func (j *FlinkSessionJob) SetConditions(conditions []metav1.Condition) {
	j.Status.Conditions = conditions
}

func init() {
	SchemeBuilder.Register(&FlinkSessionJob{}, &FlinkSessionJobList{})
}
