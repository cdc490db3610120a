package snapshots

import (
	"testing"
	"time"

	. "github.com/onsi/gomega"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
)

func TestNewest(t *testing.T) {
	base := time.UnixMilli(1_700_000_000_000)
	snapshot := func(minute int, state flinkv1beta1.SnapshotState, path string) flinkv1beta1.FlinkStateSnapshot {
		return flinkv1beta1.FlinkStateSnapshot{
			ObjectMeta: metav1.ObjectMeta{Name: Name("job", Savepoint, flinkv1beta1.SnapshotTriggerPeriodic, base.Add(time.Duration(minute)*time.Minute))},
			Status:     flinkv1beta1.FlinkStateSnapshotStatus{State: state, Path: path},
		}
	}
	lastSavepoint := func(minute int, path string) *flinkv1beta1.SavepointInfo {
		return &flinkv1beta1.SavepointInfo{LastSavepoint: &flinkv1beta1.Savepoint{
			TimeStamp: base.Add(time.Duration(minute) * time.Minute).UnixMilli(), Location: path}}
	}
	cases := []struct {
		name      string
		jobStatus flinkv1beta1.JobStatus
		owned     []flinkv1beta1.FlinkStateSnapshot
		want      string
	}{
		{name: "nothing recorded", want: ""},
		{name: "only the upgrade's restore point", jobStatus: flinkv1beta1.JobStatus{UpgradeSavepointPath: "sp-upgrade"}, want: "sp-upgrade"},
		{
			name:      "a savepoint in status is newer than the upgrade's",
			jobStatus: flinkv1beta1.JobStatus{UpgradeSavepointPath: "sp-upgrade", SavepointInfo: lastSavepoint(1, "sp-1")},
			want:      "sp-1",
		},
		{
			name:      "the newest completed snapshot resource wins",
			jobStatus: flinkv1beta1.JobStatus{SavepointInfo: lastSavepoint(1, "sp-1")},
			owned: []flinkv1beta1.FlinkStateSnapshot{
				snapshot(3, flinkv1beta1.SnapshotStateCompleted, "sp-3"), snapshot(2, flinkv1beta1.SnapshotStateCompleted, "sp-2")},
			want: "sp-3",
		},
		{
			name:      "failed and in-flight snapshots are not state",
			jobStatus: flinkv1beta1.JobStatus{SavepointInfo: lastSavepoint(1, "sp-1")},
			owned: []flinkv1beta1.FlinkStateSnapshot{
				snapshot(3, flinkv1beta1.SnapshotStateFailed, "sp-3"), snapshot(4, flinkv1beta1.SnapshotStateInProgress, "")},
			want: "sp-1",
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			g := NewWithT(t)
			g.Expect(Newest(&tc.jobStatus, tc.owned)).To(Equal(tc.want))
		})
	}
}
