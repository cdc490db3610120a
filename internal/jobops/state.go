package jobops

import (
	"github.com/teal-flink/teal/internal/flink"
)

// NewestState is the newest state a job that is no longer running left behind, which a new job may restore
// from: the newest of its retained checkpoint (only when checkpointsSurvive: the job's retention kept them when
// it ended), its latest savepoint (Flink never deletes savepoints) and, when it took neither since, the
// snapshot it restored from. Checkpoint IDs only grow across a restore, so the highest ID is the newest state.
// It returns "" when the job has no state to hand over.
func NewestState(statistics flink.CheckpointStatistics, checkpointsSurvive bool) string {
	path, newest := "", int64(-1)
	consider := func(id int64, location string) {
		if location != "" && id > newest {
			path, newest = location, id
		}
	}
	if checkpointsSurvive {
		if retained := statistics.LatestRetainedCheckpoint(); retained != nil {
			consider(retained.ID, retained.ExternalPath)
		}
	}
	if savepoint := statistics.Latest.Savepoint; savepoint != nil {
		consider(savepoint.ID, savepoint.ExternalPath)
	}
	if restored := statistics.Latest.Restored; restored != nil {
		consider(restored.ID, restored.ExternalPath)
	}
	return path
}
