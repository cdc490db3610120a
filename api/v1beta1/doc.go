// Package v1beta1 holds the flink.apache.org/v1beta1 API served by Teal: FlinkDeployment, FlinkSessionJob,
// FlinkStateSnapshot and FlinkBlueGreenDeployment. Field names, enum values and defaults follow the Apache Flink
// Kubernetes Operator so that its manifests apply unchanged; Teal's additions (conditions, observedGeneration on
// every kind, activeDeployment) are optional status fields.
//
// +kubebuilder:object:generate=true
// +groupName=flink.apache.org
package v1beta1
