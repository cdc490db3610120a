package snapshots

import (
	"testing"
	"time"

	. "github.com/onsi/gomega"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
)

func TestSchedule(t *testing.T) {
	base := time.Date(2025, 1, 1, 10, 0, 0, 0, time.UTC)
	cases := []struct {
		name     string
		value    string
		disabled bool
		invalid  bool
		last     time.Time
		now      time.Time
		due      bool
		wait     time.Duration
	}{
		{name: "empty disables", value: "", disabled: true},
		{name: "zero disables", value: "0", disabled: true},
		{name: "interval not yet due", value: "10 min", last: base, now: base.Add(4 * time.Minute), wait: 6 * time.Minute},
		{name: "interval due", value: "10m", last: base, now: base.Add(10 * time.Minute), due: true},
		{name: "milliseconds", value: "500", last: base, now: base.Add(time.Second), due: true},
		{name: "cron every hour", value: "0 0 * * * ?", last: base, now: base.Add(30 * time.Minute), wait: 30 * time.Minute},
		{name: "cron fire time passed", value: "0 0 * * * ?", last: base, now: base.Add(61 * time.Minute), due: true},
		{name: "cron with year", value: "0 0 12 * * ? *", last: base, now: base.Add(time.Hour), wait: time.Hour},
		{name: "garbage", value: "every now and then", invalid: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			g := NewWithT(t)
			schedule, err := ParseSchedule(tc.value)
			if tc.invalid {
				g.Expect(err).To(HaveOccurred())
				return
			}
			g.Expect(err).NotTo(HaveOccurred())
			if tc.disabled {
				g.Expect(schedule).To(BeNil())
				return
			}
			due, wait := schedule.Due(tc.last, tc.now)
			g.Expect(due).To(Equal(tc.due))
			g.Expect(wait).To(Equal(tc.wait))
		})
	}
}

func snapshotAt(name string, trigger flinkv1beta1.SnapshotTriggerType, state flinkv1beta1.SnapshotState, at time.Time) flinkv1beta1.FlinkStateSnapshot {
	return flinkv1beta1.FlinkStateSnapshot{
		ObjectMeta: metav1.ObjectMeta{Name: Name(name, Savepoint, trigger, at), Labels: map[string]string{LabelSnapshotTriggerType: string(trigger)}},
		Spec:       flinkv1beta1.FlinkStateSnapshotSpec{Savepoint: &flinkv1beta1.SavepointSpec{}},
		Status:     flinkv1beta1.FlinkStateSnapshotStatus{State: state},
	}
}

func TestHistoryPolicy(t *testing.T) {
	base := time.Date(2025, 1, 1, 10, 0, 0, 0, time.UTC)
	completed, failed := flinkv1beta1.SnapshotStateCompleted, flinkv1beta1.SnapshotStateFailed
	periodic := func(minute int, state flinkv1beta1.SnapshotState) flinkv1beta1.FlinkStateSnapshot {
		return snapshotAt("app", flinkv1beta1.SnapshotTriggerPeriodic, state, base.Add(time.Duration(minute)*time.Minute))
	}
	cases := []struct {
		name      string
		snapshots []flinkv1beta1.FlinkStateSnapshot
		policy    HistoryPolicy
		want      []int
	}{
		{"within limits", []flinkv1beta1.FlinkStateSnapshot{periodic(1, completed), periodic(2, completed)}, HistoryPolicy{MaxCount: 3}, nil},
		{"count: oldest go first", []flinkv1beta1.FlinkStateSnapshot{periodic(3, completed), periodic(1, completed), periodic(2, completed), periodic(4, completed)},
			HistoryPolicy{MaxCount: 2}, []int{1, 2}},
		{"age", []flinkv1beta1.FlinkStateSnapshot{periodic(1, completed), periodic(2, completed), periodic(3, completed)},
			HistoryPolicy{MaxCount: 10, MinTime: base.Add(150 * time.Second)}, []int{1, 2}},
		{"the last completed one stays even when too old", []flinkv1beta1.FlinkStateSnapshot{periodic(1, completed), periodic(2, failed), periodic(3, failed)},
			HistoryPolicy{MaxCount: 1, MinTime: base.Add(time.Hour)}, []int{2, 3}},
		{"manual snapshots are the user's", []flinkv1beta1.FlinkStateSnapshot{
			snapshotAt("app", flinkv1beta1.SnapshotTriggerManual, completed, base), periodic(1, completed), periodic(2, completed)},
			HistoryPolicy{MaxCount: 1}, []int{1}},
		{"snapshots in flight are neither counted nor deleted", []flinkv1beta1.FlinkStateSnapshot{
			periodic(1, flinkv1beta1.SnapshotStateInProgress), periodic(2, flinkv1beta1.SnapshotStateTriggerPending),
			periodic(3, completed), periodic(4, completed)}, HistoryPolicy{MaxCount: 2}, nil},
		{"a single snapshot is never deleted", []flinkv1beta1.FlinkStateSnapshot{periodic(1, failed)}, HistoryPolicy{MaxCount: 0}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			g := NewWithT(t)
			var got []int
			for _, snapshot := range tc.policy.ToDelete(tc.snapshots, Savepoint) {
				got = append(got, int(Time(snapshot).Sub(base)/time.Minute))
			}
			g.Expect(got).To(Equal(tc.want))
		})
	}
}
