package clusterhealth

import (
	"testing"
	"time"

	. "github.com/onsi/gomega"
)

func TestEvaluate(t *testing.T) {
	start := time.UnixMilli(1_700_000_000_000)
	policy := Policy{RestartsWindow: 2 * time.Minute, RestartsThreshold: 3, CheckpointWindow: 5 * time.Minute}
	at := func(d time.Duration) time.Time { return start.Add(d) }
	type observation struct {
		job         string
		at          time.Duration
		restarts    int64
		checkpoints int64
	}
	cases := []struct {
		name         string
		policy       Policy
		observations []observation
		healthy      bool
		reason       string
	}{
		{"a quiet job is healthy", policy, []observation{{"a", 0, 0, 0}, {"a", time.Minute, 0, 1}, {"a", 2 * time.Minute, 0, 2}}, true, ""},
		{"restarts at the threshold are tolerated", policy, []observation{{"a", 0, 0, 0}, {"a", time.Minute, 3, 1}}, true, ""},
		{"restarts past the threshold within the window", policy, []observation{{"a", 0, 0, 0}, {"a", 30 * time.Second, 2, 0}, {"a", time.Minute, 4, 1}},
			false, "the job restarted 4 times within 1m0s (threshold 3)"},
		{"the same restarts spread over more than the window", policy,
			[]observation{{"a", 0, 0, 0}, {"a", 90 * time.Second, 2, 1}, {"a", 3 * time.Minute, 4, 2}, {"a", 4 * time.Minute, 5, 3}}, true, ""},
		{"a new job starts a new count", policy, []observation{{"a", 0, 0, 0}, {"a", time.Minute, 3, 1}, {"b", 90 * time.Second, 0, 0}, {"b", 2 * time.Minute, 1, 0}}, true, ""},
		{"a restart count from before the first sample is not counted", policy, []observation{{"a", 0, 100, 0}, {"a", time.Minute, 101, 1}}, true, ""},
		{"checkpoints stopped for longer than the window", policy,
			[]observation{{"a", 0, 0, 0}, {"a", time.Minute, 0, 5}, {"a", 5 * time.Minute, 0, 5}, {"a", 6*time.Minute + time.Second, 0, 5}},
			false, "no checkpoint completed for 5m1s (window 5m0s)"},
		{"checkpoint progress check off", Policy{RestartsWindow: time.Minute, RestartsThreshold: 3},
			[]observation{{"a", 0, 0, 0}, {"a", time.Hour, 0, 0}}, true, ""},
		{"a job that never checkpoints breaks the window from its start", policy,
			[]observation{{"a", 0, 0, 0}, {"a", 5*time.Minute + time.Second, 0, 0}}, false, "no checkpoint completed for 5m1s (window 5m0s)"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			g := NewWithT(t)
			var record Record
			var verdict Verdict
			for _, o := range tc.observations {
				record, verdict = Evaluate(record, o.job, Sample{At: at(o.at), Restarts: o.restarts, CompletedCheckpoints: o.checkpoints}, tc.policy)
			}
			g.Expect(verdict.Healthy).To(Equal(tc.healthy), verdict.Reason)
			g.Expect(verdict.Reason).To(Equal(tc.reason))
		})
	}
}

func TestRecordStaysBounded(t *testing.T) {
	g := NewWithT(t)
	policy := Policy{RestartsWindow: time.Minute, RestartsThreshold: 1000}
	var record Record
	start := time.UnixMilli(0)
	for i := range 10_000 {
		record, _ = Evaluate(record, "a", Sample{At: start.Add(time.Duration(i) * time.Second), Restarts: int64(i)}, policy)
	}
	g.Expect(len(record.Samples)).To(BeNumerically("<=", 61), "only the samples within the window are kept")
}
