// Package resources builds the Kubernetes objects of a Flink cluster from a FlinkDeployment: the effective Flink
// configuration and its ConfigMap, the JobManager Deployment, the internal and REST Services, the TaskManager
// Deployment in standalone mode, and the Ingress. The objects match what Flink's native Kubernetes integration
// creates (names, labels, ports, entrypoint arguments), so a real Flink image runs under them unchanged. Builders
// are pure: the controller decides when to apply them.
package resources
