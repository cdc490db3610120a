package jobops

import (
	"testing"
	"time"

	. "github.com/onsi/gomega"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
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

// The e2e suite on real Flink 1.20 caught this: after a suspend's stop-with-savepoint, the job's statistics
// still showed only the snapshot it restored from, and taking that as its newest state rewound the job.
func TestTerminalRestorePoint(t *testing.T) {
	restoredFrom := func(id int64, path string) *flink.RestoredCheckpoint {
		return &flink.RestoredCheckpoint{ID: id, ExternalPath: path}
	}
	cases := []struct {
		name       string
		recorded   string
		statistics flink.CheckpointStatistics
		survive    bool
		want       string
	}{
		{
			name:     "statistics lag behind the job's own stop-with-savepoint: the recorded savepoint stands",
			recorded: "file:/sp/savepoint-new", statistics: flink.CheckpointStatistics{Latest: flink.LatestCheckpoints{Restored: restoredFrom(3, "file:/sp/savepoint-old")}},
			want: "file:/sp/savepoint-new",
		},
		{
			name:     "statistics not yet showing the restore either: the recorded savepoint stands",
			recorded: "file:/sp/savepoint-new", want: "file:/sp/savepoint-new",
		},
		{
			name:     "a failed job that checkpointed since its restore: its retained checkpoint",
			recorded: "file:///sp/savepoint-old",
			statistics: flink.CheckpointStatistics{Latest: flink.LatestCheckpoints{
				Completed: &flink.CompletedCheckpoint{ID: 9, ExternalPath: "file:/chk/chk-9"}, Restored: restoredFrom(3, "file:/sp/savepoint-old")}},
			survive: true, want: "file:/chk/chk-9",
		},
		{
			name:       "a job that took nothing since its restore keeps the restore point",
			recorded:   "file:/sp/savepoint-old",
			statistics: flink.CheckpointStatistics{Latest: flink.LatestCheckpoints{Restored: restoredFrom(3, "file:/sp/savepoint-old")}},
			want:       "file:/sp/savepoint-old",
		},
		{
			name:       "a job started from an initial savepoint nobody recorded: its restore point",
			statistics: flink.CheckpointStatistics{Latest: flink.LatestCheckpoints{Restored: restoredFrom(3, "file:/sp/initial")}},
			want:       "file:/sp/initial",
		},
		{name: "no state anywhere", want: ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			g := NewWithT(t)
			g.Expect(TerminalRestorePoint(tc.recorded, tc.statistics, tc.survive)).To(Equal(tc.want))
		})
	}
}

func TestTriggerID(t *testing.T) {
	g := NewWithT(t)
	at := time.UnixMilli(1_700_000_000_000)
	first := TriggerID("uid", "7", "upgrade", at)
	g.Expect(first).To(MatchRegexp(`^[0-9a-f]{32}$`))
	g.Expect(TriggerID("uid", "7", "upgrade", at)).To(Equal(first), "a recorded attempt is asked for again under its id")
	g.Expect(TriggerID("uid", "7", "upgrade", at.Add(time.Millisecond))).NotTo(Equal(first), "a retry is a new operation")
	g.Expect(TriggerID("uid", "7", "periodic", at)).NotTo(Equal(first))
	g.Expect(TriggerID("other", "7", "upgrade", at)).NotTo(Equal(first))
}

func TestUpgradeSavepointStall(t *testing.T) {
	for _, tc := range []struct {
		name       string
		poll       Poll
		expect     string
		expectWarn bool
	}{
		{name: "failed while the job restarts", poll: Poll{Outcome: PollFailed, Failure: "job is not running"}, expectWarn: true,
			expect: "the upgrade savepoint of job j failed while the job is RESTARTING: job is not running; the upgrade retries once the job runs again, or use upgradeMode last-state"},
		{name: "result lost, job ended", poll: Poll{Outcome: PollUnknown},
			expect: "the savepoint's result is no longer known to Flink and the job has ended. Manual restore required."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := NewWithT(t)
			message, warn := UpgradeSavepointStall(tc.poll, "j", flinkv1beta1.JobStatusRestarting)
			g.Expect(message).To(Equal(tc.expect))
			g.Expect(warn).To(Equal(tc.expectWarn))
		})
	}
}
