// Package flinkstatesnapshot reconciles FlinkStateSnapshots: it triggers a savepoint or checkpoint of the job
// of the referenced FlinkDeployment or FlinkSessionJob through Flink's REST API, follows it through upstream's
// states (TRIGGER_PENDING, IN_PROGRESS, COMPLETED, FAILED after backoffLimit retries, ABANDONED when the job
// does not run), and disposes a savepoint's data when its resource is deleted and asks for it.
package flinkstatesnapshot
