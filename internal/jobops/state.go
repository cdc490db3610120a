package jobops

import (
	"strings"

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

// TerminalRestorePoint is where the next job of an upgrade restores from, once the old job has ended: recorded
// is the restore point the operator holds for it. A job starts from the recorded point, so a recorded point
// other than the one the job restored from was recorded during the job's own life — its stop-with-savepoint, or
// the checkpoint a cancel handed over — and nothing it left is newer. Flink's statistics may lag behind such a
// savepoint (the REST API caches a job's statistics for a few seconds), and then show the job's restore point as
// its newest state: taking that would rewind the job, so the recorded point stands. Otherwise the newest state
// the job left (NewestState) wins, and the recorded point when it left none.
func TerminalRestorePoint(recorded string, statistics flink.CheckpointStatistics, checkpointsSurvive bool) string {
	restored := ""
	if statistics.Latest.Restored != nil {
		restored = statistics.Latest.Restored.ExternalPath
	}
	if recorded != "" && !SameLocation(recorded, restored) {
		return recorded
	}
	if path := NewestState(statistics, checkpointsSurvive); path != "" {
		return path
	}
	return recorded
}

// SameLocation compares snapshot locations that may differ only in the file: scheme's form.
func SameLocation(a, b string) bool {
	trim := func(s string) string { return strings.TrimPrefix(strings.TrimPrefix(s, "file://"), "file:") }
	return trim(a) == trim(b)
}
