package jobops

import (
	"strings"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
)

// KeyCheckpointRetention is Flink's execution.checkpointing.externalized-checkpoint-retention.
const KeyCheckpointRetention = "execution.checkpointing.externalized-checkpoint-retention"

// The values of KeyCheckpointRetention.
const (
	// RetentionNone is Flink's own default: every checkpoint is deleted when the job ends.
	RetentionNone = "NO_EXTERNALIZED_CHECKPOINTS"
	// RetentionOnCancellation keeps the checkpoints of a cancelled or failed job (the operator's default, as
	// upstream's).
	RetentionOnCancellation = "RETAIN_ON_CANCELLATION"
	// RetentionDeleteOnCancellation keeps the checkpoints of a failed job only.
	RetentionDeleteOnCancellation = "DELETE_ON_CANCELLATION"
)

// retention reads the effective retention from a Flink configuration; absent means Flink's default.
func retention(flinkConfig map[string]string) string {
	value := strings.ToUpper(strings.TrimSpace(flinkConfig[KeyCheckpointRetention]))
	if value == "" {
		return RetentionNone
	}
	return value
}

// CheckpointsSurviveCancel reports whether a job's retained checkpoints still exist after the operator cancels
// it. When they do not, a restore point taken from the job's checkpoints before the cancel is a path Flink is
// about to delete: the job's state must be handed over another way (a savepoint, or HA).
func CheckpointsSurviveCancel(flinkConfig map[string]string) bool {
	return retention(flinkConfig) == RetentionOnCancellation
}

// CheckpointsSurviveFailure reports whether a job that ended FAILED kept its retained checkpoints.
func CheckpointsSurviveFailure(flinkConfig map[string]string) bool {
	switch retention(flinkConfig) {
	case RetentionOnCancellation, RetentionDeleteOnCancellation:
		return true
	}
	return false
}

// CheckpointsSurviveEnd reports whether a job that ended in state (FAILED, or CANCELED by the operator) still has
// its retained checkpoints; a FINISHED job's are deleted whatever the retention.
func CheckpointsSurviveEnd(state flinkv1beta1.JobStatusState, flinkConfig map[string]string) bool {
	switch state {
	case flinkv1beta1.JobStatusFailed:
		return CheckpointsSurviveFailure(flinkConfig)
	case flinkv1beta1.JobStatusCanceled:
		return CheckpointsSurviveCancel(flinkConfig)
	}
	return false
}
