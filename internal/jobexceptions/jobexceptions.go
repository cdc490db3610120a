package jobexceptions

import (
	"fmt"
	"strings"
	"sync"

	"github.com/teal-flink/teal/internal/flinkapi"
)

// Tracker remembers, per job, the newest exception already reported, so each one becomes one event. It lives in
// memory: after an operator restart at most one reconcile's worth of events may repeat. The zero value is ready.
type Tracker struct {
	mu       sync.Mutex
	reported map[string]int64
}

// Report returns the event messages for the exceptions of jobID newer than those already reported: at most limit
// of them (in the order given, newest first), each with at most lines lines of its stack trace. Every newer
// exception counts as reported afterwards, including those past the limit.
func (t *Tracker) Report(jobID string, exceptions []flinkapi.JobException, limit, lines int) []string {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.reported == nil {
		t.reported = map[string]int64{}
	}
	last, newest := t.reported[jobID], t.reported[jobID]
	var messages []string
	for _, exception := range exceptions {
		if exception.Timestamp <= last {
			continue
		}
		if len(messages) < limit {
			messages = append(messages, Message(jobID, exception, lines))
		}
		newest = max(newest, exception.Timestamp)
	}
	t.reported[jobID] = newest
	return messages
}

// Message is the event message of one exception: the job and the first lines of its stack trace, with a marker
// saying how many were left out.
func Message(jobID string, exception flinkapi.JobException, lines int) string {
	trace := strings.Split(strings.TrimSpace(exception.Stacktrace), "\n")
	if len(trace) > lines {
		trace = append(trace[:lines], fmt.Sprintf("… (%d more lines)", len(trace)-lines))
	}
	return fmt.Sprintf("job %s: %s", jobID, strings.Join(trace, "\n"))
}
