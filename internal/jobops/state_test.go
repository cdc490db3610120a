package jobops

import (
	"testing"

	. "github.com/onsi/gomega"

	"github.com/teal-flink/teal/internal/flink"
)

func TestNewestState(t *testing.T) {
	checkpoint := func(id int64, path string, discarded bool) *flink.CompletedCheckpoint {
		return &flink.CompletedCheckpoint{ID: id, ExternalPath: path, Discarded: discarded}
	}
	savepoint := func(id int64, path string) *flink.CompletedCheckpoint {
		return &flink.CompletedCheckpoint{ID: id, ExternalPath: path, IsSavepoint: true}
	}
	cases := []struct {
		name       string
		statistics flink.CheckpointStatistics
		survive    bool
		want       string
	}{
		{name: "no state at all", want: ""},
		{
			name:       "a retained checkpoint newer than the restore",
			statistics: flink.CheckpointStatistics{Latest: flink.LatestCheckpoints{Completed: checkpoint(7, "chk-7", false), Restored: &flink.RestoredCheckpoint{ID: 3, ExternalPath: "sp-3"}}},
			survive:    true, want: "chk-7",
		},
		{
			name:       "checkpoints deleted when the job ended: the restore point is still the newest state",
			statistics: flink.CheckpointStatistics{Latest: flink.LatestCheckpoints{Completed: checkpoint(7, "chk-7", false), Restored: &flink.RestoredCheckpoint{ID: 3, ExternalPath: "sp-3"}}},
			survive:    false, want: "sp-3",
		},
		{
			name:       "a discarded checkpoint is skipped",
			statistics: flink.CheckpointStatistics{Latest: flink.LatestCheckpoints{Completed: checkpoint(7, "chk-7", true)}},
			survive:    true, want: "",
		},
		{
			name: "an older retained checkpoint in the history when the latest was discarded",
			statistics: flink.CheckpointStatistics{
				Latest:  flink.LatestCheckpoints{Completed: checkpoint(7, "chk-7", true)},
				History: []flink.CheckpointHistoryEntry{{CompletedCheckpoint: *checkpoint(6, "chk-6", false), Status: flink.CheckpointStatusCompleted}},
			},
			survive: true, want: "chk-6",
		},
		{
			name:       "a stop-with-savepoint newer than every checkpoint",
			statistics: flink.CheckpointStatistics{Latest: flink.LatestCheckpoints{Completed: checkpoint(7, "chk-7", false), Savepoint: savepoint(8, "sp-8")}},
			survive:    true, want: "sp-8",
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			g := NewWithT(t)
			g.Expect(NewestState(tc.statistics, tc.survive)).To(Equal(tc.want))
		})
	}
}
