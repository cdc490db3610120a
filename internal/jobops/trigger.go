package jobops

import (
	"strconv"
	"time"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
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

// Attempt describes a savepoint the controller is about to ask Flink for.
type Attempt struct {
	// UID is the resource's UID; Subject what the savepoint acts on (a generation, a job id).
	UID, Subject string
	// Purpose says why ("upgrade", "delete", "manual"): two purposes never share an id.
	Purpose string
	// Type is the trigger type recorded in status.
	Type flinkv1beta1.SnapshotTriggerType
	// Format is the savepoint format type (kubernetes.operator.savepoint.format.type).
	Format flinkv1beta1.SavepointFormatType
	// At is when the attempt is recorded: it makes the id of a new attempt new.
	At time.Time
}

// ReusesRecordedTrigger is the trigger-id policy's decision: a trigger of the same type recorded in status is
// an attempt already under way (sent, or about to be, by an operator that may have died since) and is asked for
// again under its id; anything else — no trigger, or one dropped after a failed or expired attempt — is a new
// attempt with a new id.
func ReusesRecordedTrigger(info *flinkv1beta1.SavepointInfo, triggerType flinkv1beta1.SnapshotTriggerType) bool {
	return info != nil && info.TriggerID != "" && info.TriggerType == triggerType
}

// RecordIntent writes the savepoint attempt into status.jobStatus.savepointInfo by the trigger-id policy and
// returns it. The caller patches the status before it calls Flink, so that the intent survives a crash.
func RecordIntent(jobStatus *flinkv1beta1.JobStatus, attempt Attempt) *flinkv1beta1.SavepointInfo {
	if jobStatus.SavepointInfo == nil {
		jobStatus.SavepointInfo = &flinkv1beta1.SavepointInfo{}
	}
	info := jobStatus.SavepointInfo
	if ReusesRecordedTrigger(info, attempt.Type) {
		return info
	}
	millis := attempt.At.UnixMilli()
	info.TriggerID = TriggerID(attempt.UID, attempt.Subject, attempt.Purpose, attempt.At)
	info.TriggerType, info.TriggerTimestamp, info.FormatType = attempt.Type, &millis, attempt.Format
	return info
}

// DropTrigger forgets the recorded trigger: its attempt ended (completed, failed, or unknown to Flink), and the
// next one gets a new id.
func DropTrigger(info *flinkv1beta1.SavepointInfo) {
	if info != nil {
		info.TriggerID, info.TriggerTimestamp = "", nil
	}
}

// UpgradeInFlight reports whether status records an upgrade-type savepoint trigger (an upgrade's, or the savepoint
// on deletion) that has not completed.
func UpgradeInFlight(jobStatus flinkv1beta1.JobStatus) bool {
	info := jobStatus.SavepointInfo
	return info != nil && info.TriggerID != "" && info.TriggerType == flinkv1beta1.SnapshotTriggerUpgrade
}
