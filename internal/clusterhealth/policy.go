package clusterhealth

import (
	"strconv"
	"time"

	"github.com/teal-flink/teal/internal/flinkvalue"
	"github.com/teal-flink/teal/internal/operatorconfig"
)

// Flink's checkpointing options, which size the checkpoint-progress window when it is not set.
const (
	keyCheckpointInterval   = "execution.checkpointing.interval"
	keyCheckpointTimeout    = "execution.checkpointing.timeout"
	keyTolerableFailures    = "execution.checkpointing.tolerable-failed-checkpoints"
	defaultCheckpointTimout = 10 * time.Minute
)

// PolicyFrom reads the health check's configuration. The checkpoint-progress window, when not set, is sized
// from the job's checkpointing: (tolerable failed checkpoints + 2) × max(interval, timeout); without
// checkpointing there is no progress to check.
func PolicyFrom(config *operatorconfig.Config, flinkConfig map[string]string) Policy {
	policy := Policy{
		RestartsWindow:    config.DurationOr(operatorconfig.KeyHealthCheckRestartsWindow),
		RestartsThreshold: int64(config.Int(operatorconfig.KeyHealthCheckRestartsThreshold)),
	}
	if !config.Bool(operatorconfig.KeyHealthCheckCheckpointProgress) {
		return policy
	}
	if config.IsSet(operatorconfig.KeyHealthCheckCheckpointWindow) {
		policy.CheckpointWindow = config.DurationOr(operatorconfig.KeyHealthCheckCheckpointWindow)
		return policy
	}
	policy.CheckpointWindow = CheckpointProgressWindow(flinkConfig)
	return policy
}

// CheckpointProgressWindow derives the window from Flink's checkpointing options; 0 when checkpointing is off.
func CheckpointProgressWindow(flinkConfig map[string]string) time.Duration {
	interval, err := flinkvalue.ParseDuration(flinkConfig[keyCheckpointInterval])
	if err != nil || interval <= 0 {
		return 0
	}
	timeout := defaultCheckpointTimout
	if parsed, err := flinkvalue.ParseDuration(flinkConfig[keyCheckpointTimeout]); err == nil && parsed > 0 {
		timeout = parsed
	}
	tolerable, _ := strconv.Atoi(flinkConfig[keyTolerableFailures])
	return time.Duration(max(tolerable, 0)+2) * max(interval, timeout)
}

// SampleFailurePersists reports whether sampling has failed long enough to report: for at least one reconcile
// interval, so one lost request (a JobManager busy for a moment) is not worth a Warning.
func SampleFailurePersists(since, now time.Time, interval time.Duration) bool {
	return now.Sub(since) >= interval
}
