package operatorconfig

import (
	"time"
)

// Keys of snapshots, session jobs, rollback and the cluster health check (upstream names and defaults).
const (
	// KeyPeriodicSavepointInterval is a duration or a Quartz cron expression; empty or zero disables it.
	KeyPeriodicSavepointInterval = "kubernetes.operator.periodic.savepoint.interval"
	// KeyPeriodicCheckpointInterval is a duration or a Quartz cron expression; empty or zero disables it.
	KeyPeriodicCheckpointInterval = "kubernetes.operator.periodic.checkpoint.interval"
	KeySavepointHistoryMaxCount   = "kubernetes.operator.savepoint.history.max.count"
	KeySavepointHistoryMaxAge     = "kubernetes.operator.savepoint.history.max.age"
	KeySavepointCleanupEnabled    = "kubernetes.operator.savepoint.cleanup.enabled"
	KeySavepointDisposeOnDelete   = "kubernetes.operator.savepoint.dispose-on-delete"

	KeyHealthCheckEnabled            = "kubernetes.operator.cluster.health-check.enabled"
	KeyHealthCheckRestartsWindow     = "kubernetes.operator.cluster.health-check.restarts.window"
	KeyHealthCheckRestartsThreshold  = "kubernetes.operator.cluster.health-check.restarts.threshold"
	KeyHealthCheckCheckpointProgress = "kubernetes.operator.cluster.health-check.checkpoint-progress.enabled"
	KeyHealthCheckCheckpointWindow   = "kubernetes.operator.cluster.health-check.checkpoint-progress.window"
	KeyJobRestartFailed              = "kubernetes.operator.job.restart.failed"
)

func init() {
	intDefaults[KeySavepointHistoryMaxCount] = 10
	intDefaults[KeyHealthCheckRestartsThreshold] = 64
	durationDefaults[KeySavepointHistoryMaxAge] = 24 * time.Hour
	durationDefaults[KeyHealthCheckRestartsWindow] = 2 * time.Minute
	boolDefaults[KeySavepointCleanupEnabled] = true
	boolDefaults[KeySavepointDisposeOnDelete] = false
	boolDefaults[KeyHealthCheckEnabled] = false
	boolDefaults[KeyHealthCheckCheckpointProgress] = true
	boolDefaults[KeyJobRestartFailed] = false
}
