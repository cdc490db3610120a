package upgradeplan

import (
	"errors"
	"testing"
	"time"

	. "github.com/onsi/gomega"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
	"github.com/teal-flink/teal/internal/flinkapi"
)

func TestDeletionSavepointOf(t *testing.T) {
	running := &flinkapi.JobInfo{ID: "j", State: flinkv1beta1.JobStatusRunning}
	finished := &flinkapi.JobInfo{ID: "j", State: flinkv1beta1.JobStatusFinished}
	for _, tc := range []struct {
		name                              string
		inFlight, reachable, clusterExist bool
		job                               *flinkapi.JobInfo
		expect                            DeletionSavepoint
	}{
		{"running job: take it", false, true, true, running, DeletionTakeSavepoint},
		{"savepoint recorded: poll it", true, true, true, running, DeletionAwaitSavepoint},
		{"savepoint recorded, JobManager unreachable", true, false, true, nil, DeletionUnreachable},
		{"job ended: nothing to save", false, true, true, finished, DeletionSkipSavepoint},
		{"no cluster left: nothing to save", false, false, false, nil, DeletionSkipSavepoint},
		{"cluster there, JobManager unreachable", false, false, true, nil, DeletionUnreachable},
		{"JobManager answers but reports no job", false, true, true, nil, DeletionUnreachable},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := NewWithT(t)
			g.Expect(DeletionSavepointOf(tc.inFlight, tc.reachable, tc.clusterExist, tc.job)).To(Equal(tc.expect))
		})
	}
}

func TestCleanupTimeout(t *testing.T) {
	g := NewWithT(t)
	g.Expect(CleanupTimeout("")).To(Equal(DefaultCleanupTimeout))
	g.Expect(CleanupTimeout("soon")).To(Equal(DefaultCleanupTimeout))
	g.Expect(CleanupTimeout("0 s")).To(Equal(DefaultCleanupTimeout))
	g.Expect(CleanupTimeout("30 s")).To(Equal(30 * time.Second))
}

func TestDeletionSavepointFailed(t *testing.T) {
	deletedAt := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	attempt := errors.New("HTTP 503")
	for _, tc := range []struct {
		name         string
		now          time.Time
		expectGiveUp bool
		expect       string
	}{
		{"within the timeout: retried", deletedAt.Add(time.Minute), false,
			"savepoint on deletion: HTTP 503; retrying until 2026-01-01T12:05:00Z (kubernetes.operator.resource.cleanup.timeout)"},
		{"at the deadline: given up", deletedAt.Add(5 * time.Minute), true,
			"deleting the cluster without the savepoint on deletion after 5m0s: HTTP 503; the job's latest state is only in its retained checkpoints"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := NewWithT(t)
			message, giveUp := DeletionSavepointFailed(attempt, deletedAt, 5*time.Minute, tc.now)
			g.Expect(giveUp).To(Equal(tc.expectGiveUp))
			g.Expect(message).To(Equal(tc.expect))
		})
	}
}
