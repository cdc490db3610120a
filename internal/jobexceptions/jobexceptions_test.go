package jobexceptions

import (
	"testing"

	. "github.com/onsi/gomega"

	"github.com/teal-flink/teal/internal/flinkapi"
)

func TestTrackerReport(t *testing.T) {
	exception := func(timestamp int64) flinkapi.JobException {
		return flinkapi.JobException{Stacktrace: "boom " + string(rune('0'+timestamp)), Timestamp: timestamp}
	}
	for _, tc := range []struct {
		name string
		// rounds are the exception histories observed one after the other (newest first, as Flink lists them).
		rounds [][]flinkapi.JobException
		limit  int
		expect [][]string
	}{
		{name: "each exception once", limit: 10,
			rounds: [][]flinkapi.JobException{{exception(1)}, {exception(1)}, {exception(2), exception(1)}},
			expect: [][]string{{"job j: boom 1"}, nil, {"job j: boom 2"}}},
		{name: "at most the limit per reconcile, the rest counts as reported", limit: 2,
			rounds: [][]flinkapi.JobException{{exception(3), exception(2), exception(1)}, {exception(3), exception(2), exception(1)}},
			expect: [][]string{{"job j: boom 3", "job j: boom 2"}, nil}},
		{name: "a limit of zero reports nothing", limit: 0,
			rounds: [][]flinkapi.JobException{{exception(1)}}, expect: [][]string{nil}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := NewWithT(t)
			var tracker Tracker
			for i, round := range tc.rounds {
				g.Expect(tracker.Report("j", round, tc.limit, 5)).To(Equal(tc.expect[i]), "round %d", i)
			}
			g.Expect(tracker.Report("other", []flinkapi.JobException{exception(1)}, tc.limit+1, 5)).To(HaveLen(1),
				"jobs are tracked apart")
		})
	}
}

func TestMessage(t *testing.T) {
	for _, tc := range []struct {
		name, trace string
		lines       int
		expect      string
	}{
		{name: "short trace whole", trace: "boom\n\tat a\n", lines: 5, expect: "job j: boom\n\tat a"},
		{name: "long trace cut with a marker", trace: "boom\n\tat a\n\tat b\n\tat c", lines: 2,
			expect: "job j: boom\n\tat a\n… (2 more lines)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := NewWithT(t)
			g.Expect(Message("j", flinkapi.JobException{Stacktrace: tc.trace}, tc.lines)).To(Equal(tc.expect))
		})
	}
}
