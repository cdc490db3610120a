package jobops

import (
	"strconv"
	"time"

	"github.com/teal-flink/teal/internal/flink"
)

// TriggerID is the one trigger-id policy of every controller: an operation's id names the resource (its UID),
// what it acts on (a generation or a job id), the purpose and the attempt, which is the time the attempt was
// recorded in status. The controller records the id before it calls Flink, so an operator restarted mid-step
// finds it and re-sends or polls the same id (Flink starts nothing for a known id); a retry after a failure is a
// new attempt under a new id, since Flink answers a known id with its cached result — the failure — for
// rest.async.store-duration.
func TriggerID(uid, subject, purpose string, attempt time.Time) string {
	return flink.TriggerID(uid, subject, purpose+"@"+strconv.FormatInt(attempt.UnixMilli(), 10))
}
