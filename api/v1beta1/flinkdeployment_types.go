package v1beta1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// FlinkDeploymentSpec describes a Flink cluster: an application cluster when Job is set, a session cluster
// otherwise.
type FlinkDeploymentSpec struct {
	// Job runs in an application cluster; absent for a session cluster.
	// +optional
	Job *JobSpec `json:"job,omitempty"`

	// RestartNonce: a new value restarts the cluster (and job) with the current spec.
	// +optional
	RestartNonce *int64 `json:"restartNonce,omitempty"`

	// FlinkConfiguration is Flink's configuration, flat or nested keys.
	// +optional
	FlinkConfiguration *ConfigObject `json:"flinkConfiguration,omitempty"`

	// Image is the Flink container image.
	// +optional
	Image string `json:"image,omitempty"`

	// ImagePullPolicy of the Flink containers.
	// +optional
	ImagePullPolicy string `json:"imagePullPolicy,omitempty"`

	// ServiceAccount the Flink pods run as.
	// +optional
	ServiceAccount string `json:"serviceAccount,omitempty"`

	// FlinkVersion of the image.
	// +optional
	FlinkVersion FlinkVersion `json:"flinkVersion,omitempty"`

	// Ingress to the REST endpoint and web UI.
	// +optional
	Ingress *IngressSpec `json:"ingress,omitempty"`

	// PodTemplate is the base template for JobManager and TaskManager pods.
	// +optional
	PodTemplate *Pod `json:"podTemplate,omitempty"`

	// JobManager describes the JobManager pods.
	// +optional
	JobManager *JobManagerSpec `json:"jobManager,omitempty"`

	// TaskManager describes the TaskManager pods.
	// +optional
	TaskManager *TaskManagerSpec `json:"taskManager,omitempty"`

	// LogConfiguration maps log4j-console.properties / logback-console.xml to their contents.
	// +optional
	LogConfiguration map[string]string `json:"logConfiguration,omitempty"`

	// Mode is native (Flink creates TaskManagers) or standalone (the operator does).
	// +optional
	Mode KubernetesDeploymentMode `json:"mode,omitempty"`
}

// TaskManagerInfo feeds the scale subresource.
type TaskManagerInfo struct {
	// LabelSelector of the TaskManager pods.
	// +optional
	LabelSelector string `json:"labelSelector,omitempty"`
	// Replicas of TaskManagers observed.
	// +optional
	Replicas int32 `json:"replicas,omitempty"`
}

// FlinkDeploymentStatus is the observed state of a FlinkDeployment.
type FlinkDeploymentStatus struct {
	CommonStatus `json:",inline"`

	// ClusterInfo has facts about the running cluster (flink-version, flink-revision, total-cpu, total-memory…).
	// +optional
	ClusterInfo map[string]string `json:"clusterInfo,omitempty"`

	// JobManagerDeploymentStatus is the observed state of the JobManager Deployment.
	// +optional
	JobManagerDeploymentStatus JobManagerDeploymentStatus `json:"jobManagerDeploymentStatus,omitempty"`

	// TaskManager feeds the scale subresource.
	// +optional
	TaskManager *TaskManagerInfo `json:"taskManager,omitempty"`

	// LastSavepointRedeployNonce is the job.savepointRedeployNonce whose redeploy Teal has carried out (Teal
	// addition). While the spec's nonce differs, an upgrade ends the old job without a savepoint and starts from
	// job.initialSavepointPath, even if the operator restarts in between.
	// +optional
	LastSavepointRedeployNonce *int64 `json:"lastSavepointRedeployNonce,omitempty"`

	// ClusterHealth is what the cluster health check (kubernetes.operator.cluster.health-check.*) and
	// kubernetes.operator.job.restart.failed keep between observations (Teal addition).
	// +optional
	ClusterHealth *ClusterHealthStatus `json:"clusterHealth,omitempty"`

	// ClusterRemovedJobID is the jobStatus.jobId of the job whose cluster Teal removed itself (an upgrade, a
	// suspend, the shutdown TTL of a finished job), recorded after the job's state was taken over (Teal
	// addition). jobStatus.jobId stays, as upstream keeps it, to find the job's retained checkpoints under
	// <checkpoints dir>/<jobId>. A cluster that goes missing while jobStatus.jobId names another job was lost, not
	// removed. Cleared when a new cluster is deployed.
	// +optional
	ClusterRemovedJobID string `json:"clusterRemovedJobId,omitempty"`
}

// ClusterHealthStatus records the job restarts the operator made and the samples the health check judges.
type ClusterHealthStatus struct {
	// Restarts counts the restarts of the job from its last state that the operator made because the job was
	// unhealthy or failed.
	// +optional
	Restarts int64 `json:"restarts,omitempty"`
	// LastRestartReason says why the last restart was made.
	// +optional
	LastRestartReason string `json:"lastRestartReason,omitempty"`
	// Samples is the health check's record of the current job (JSON: job id, restart and checkpoint counts
	// within the window).
	// +optional
	Samples string `json:"samples,omitempty"`
}

// FlinkDeployment is a Flink application or session cluster.
// +kubebuilder:object:root=true
// +kubebuilder:resource:shortName=flinkdep,categories=flink
// +kubebuilder:subresource:status
// +kubebuilder:subresource:scale:specpath=.spec.taskManager.replicas,statuspath=.status.taskManager.replicas,selectorpath=.status.taskManager.labelSelector
// +kubebuilder:printcolumn:name="Job Status",type=string,JSONPath=`.status.jobStatus.state`
// +kubebuilder:printcolumn:name="Lifecycle State",type=string,JSONPath=`.status.lifecycleState`
// +kubebuilder:printcolumn:name="Ready",type=string,JSONPath=`.status.conditions[?(@.type=="Ready")].status`
// +kubebuilder:printcolumn:name="Age",type=date,JSONPath=`.metadata.creationTimestamp`
type FlinkDeployment struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	// +optional
	Spec FlinkDeploymentSpec `json:"spec,omitempty"`
	// +optional
	Status FlinkDeploymentStatus `json:"status,omitempty"`
}

// FlinkDeploymentList is a list of FlinkDeployments.
// +kubebuilder:object:root=true
type FlinkDeploymentList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []FlinkDeployment `json:"items"`
}

// GetConditions returns the status conditions (internal/conditions.Getter).
func (d *FlinkDeployment) GetConditions() []metav1.Condition { return d.Status.Conditions }

// SetConditions replaces the status conditions (internal/conditions.Setter).
func (d *FlinkDeployment) SetConditions(conditions []metav1.Condition) {
	d.Status.Conditions = conditions
}

// IsSessionCluster reports whether the deployment runs a session cluster (no job).
func (d *FlinkDeployment) IsSessionCluster() bool { return d.Spec.Job == nil }

func init() {
	SchemeBuilder.Register(&FlinkDeployment{}, &FlinkDeploymentList{})
}
