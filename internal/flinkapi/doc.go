// Package flinkapi is the one way every controller reaches a JobManager: the API interface (the part of
// Flink's REST API the operator uses, implemented by internal/flink's Client), the factory that makes clients
// with a resource's timeouts, the REST address of a FlinkDeployment, and the small conversions the controllers
// read jobs through. Every controller takes the same interface, so no feature is switched on or off by what a
// client happens to implement.
package flinkapi
