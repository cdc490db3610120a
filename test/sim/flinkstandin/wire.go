package flinkstandin

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"time"
)

// writeJSON answers with status and body as JSON.
func writeJSON(w http.ResponseWriter, status int, body any) {
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(body)
}

// writeError answers in Flink's error shape, {"errors": [...]}.
func writeError(w http.ResponseWriter, status int, message string) {
	writeJSON(w, status, errorBody{Errors: []string{message}})
}

type errorBody struct {
	Errors []string `json:"errors"`
}

// serializedThrowable is Flink's SerializedThrowable on the wire.
type serializedThrowable struct {
	Class      string `json:"class"`
	StackTrace string `json:"stack-trace"`
	Serialized string `json:"serialized-throwable"`
}

// throwable renders a failure message the way Flink ships exceptions.
func throwable(message string) *serializedThrowable {
	class := message
	for i := 0; i < len(message); i++ {
		if message[i] == ':' {
			class = message[:i]
			break
		}
	}
	return &serializedThrowable{
		Class:      class,
		StackTrace: message + "\n\tat org.teal.standin.Operation.complete(Operation.java:1)\n",
		Serialized: base64.StdEncoding.EncodeToString([]byte(message)),
	}
}

// millis is a time in epoch milliseconds, or -1 for the zero time as Flink reports "not yet".
func millis(t time.Time) int64 {
	if t.IsZero() {
		return -1
	}
	return t.UnixMilli()
}

type overviewBody struct {
	FlinkVersion        string `json:"flink-version"`
	FlinkCommit         string `json:"flink-commit"`
	TaskManagers        int    `json:"taskmanagers"`
	SlotsTotal          int    `json:"slots-total"`
	SlotsAvailable      int    `json:"slots-available"`
	SlotsFreeAndBlocked int    `json:"slots-free-and-blocked"`
	TaskManagersBlocked int    `json:"taskmanagers-blocked"`
	JobsRunning         int    `json:"jobs-running"`
	JobsFinished        int    `json:"jobs-finished"`
	JobsCancelled       int    `json:"jobs-cancelled"`
	JobsFailed          int    `json:"jobs-failed"`
}

type configBody struct {
	RefreshInterval int64          `json:"refresh-interval"`
	TimezoneName    string         `json:"timezone-name"`
	TimezoneOffset  int            `json:"timezone-offset"`
	FlinkVersion    string         `json:"flink-version"`
	FlinkRevision   string         `json:"flink-revision"`
	Features        configFeatures `json:"features"`
}

type configFeatures struct {
	WebSubmit  bool `json:"web-submit"`
	WebCancel  bool `json:"web-cancel"`
	WebRescale bool `json:"web-rescale"`
	WebHistory bool `json:"web-history"`
}

type taskManagersBody struct {
	TaskManagers []taskManagerBody `json:"taskmanagers"`
}

type taskManagerBody struct {
	ID                     string `json:"id"`
	Path                   string `json:"path"`
	DataPort               int    `json:"dataPort"`
	JmxPort                int    `json:"jmxPort"`
	TimeSinceLastHeartbeat int64  `json:"timeSinceLastHeartbeat"`
	SlotsNumber            int    `json:"slotsNumber"`
	FreeSlots              int    `json:"freeSlots"`
	Blocked                bool   `json:"blocked"`
}

type jobsOverviewBody struct {
	Jobs []jobOverviewBody `json:"jobs"`
}

type jobOverviewBody struct {
	ID               string         `json:"jid"`
	Name             string         `json:"name"`
	State            string         `json:"state"`
	StartTime        int64          `json:"start-time"`
	EndTime          int64          `json:"end-time"`
	Duration         int64          `json:"duration"`
	LastModification int64          `json:"last-modification"`
	Tasks            map[string]int `json:"tasks"`
}

type jobDetailsBody struct {
	ID             string           `json:"jid"`
	Name           string           `json:"name"`
	IsStoppable    bool             `json:"isStoppable"`
	State          string           `json:"state"`
	JobType        string           `json:"job-type"`
	StartTime      int64            `json:"start-time"`
	EndTime        int64            `json:"end-time"`
	Duration       int64            `json:"duration"`
	MaxParallelism int64            `json:"maxParallelism"`
	Now            int64            `json:"now"`
	Timestamps     map[string]int64 `json:"timestamps"`
	Vertices       []vertexBody     `json:"vertices"`
	StatusCounts   map[string]int   `json:"status-counts"`
	Plan           planBody         `json:"plan"`
}

// vertexBody is JobDetailsVertexInfo without slotSharingGroupId: Flink sends it as a hex string where the spec
// declares an object, so the stand-in leaves it out rather than violate the spec (the client does not read it).
type vertexBody struct {
	ID             string         `json:"id"`
	Name           string         `json:"name"`
	MaxParallelism int            `json:"maxParallelism"`
	Parallelism    int            `json:"parallelism"`
	Status         string         `json:"status"`
	StartTime      int64          `json:"start-time"`
	EndTime        int64          `json:"end-time"`
	Duration       int64          `json:"duration"`
	Tasks          map[string]int `json:"tasks"`
}

type planBody struct {
	JobID string     `json:"jid"`
	Name  string     `json:"name"`
	Type  string     `json:"type"`
	Nodes []planNode `json:"nodes"`
}

type planNode struct {
	ID          string `json:"id"`
	Parallelism int    `json:"parallelism"`
	Operator    string `json:"operator"`
	Description string `json:"description"`
}

type checkpointingStatisticsBody struct {
	Counts  checkpointCountsBody      `json:"counts"`
	Summary map[string]any            `json:"summary"`
	Latest  latestCheckpointsBody     `json:"latest"`
	History []completedCheckpointBody `json:"history"`
}

type checkpointCountsBody struct {
	Restored   int64 `json:"restored"`
	Total      int64 `json:"total"`
	InProgress int   `json:"in_progress"`
	Completed  int64 `json:"completed"`
	Failed     int64 `json:"failed"`
}

// latestCheckpointsBody omits absent entries where Flink writes null; the spec (which the stand-in's tests
// enforce) has no nullable entries, and the client accepts both.
type latestCheckpointsBody struct {
	Completed *completedCheckpointBody `json:"completed,omitempty"`
	Savepoint *completedCheckpointBody `json:"savepoint,omitempty"`
	Restored  *restoredCheckpointBody  `json:"restored,omitempty"`
}

type completedCheckpointBody struct {
	ClassName              string         `json:"className"`
	ID                     int64          `json:"id"`
	Status                 string         `json:"status"`
	IsSavepoint            bool           `json:"is_savepoint"`
	SavepointFormat        string         `json:"savepointFormat,omitempty"`
	TriggerTimestamp       int64          `json:"trigger_timestamp"`
	LatestAckTimestamp     int64          `json:"latest_ack_timestamp"`
	CheckpointedSize       int64          `json:"checkpointed_size"`
	StateSize              int64          `json:"state_size"`
	EndToEndDuration       int64          `json:"end_to_end_duration"`
	AlignmentBuffered      int64          `json:"alignment_buffered"`
	ProcessedData          int64          `json:"processed_data"`
	PersistedData          int64          `json:"persisted_data"`
	NumSubtasks            int            `json:"num_subtasks"`
	NumAcknowledgedSubtask int            `json:"num_acknowledged_subtasks"`
	CheckpointType         string         `json:"checkpoint_type"`
	Tasks                  map[string]any `json:"tasks"`
	ExternalPath           string         `json:"external_path,omitempty"`
	Discarded              bool           `json:"discarded"`
}

type restoredCheckpointBody struct {
	ID               int64  `json:"id"`
	RestoreTimestamp int64  `json:"restore_timestamp"`
	IsSavepoint      bool   `json:"is_savepoint"`
	ExternalPath     string `json:"external_path"`
}

type triggerBody struct {
	RequestID string `json:"request-id"`
}

// asyncResultBody is AsynchronousOperationResult. The operation is omitted while in progress; Flink writes
// "operation": null there, which the spec does not allow and the client accepts either way.
type asyncResultBody struct {
	Status    queueStatus `json:"status"`
	Operation any         `json:"operation,omitempty"`
}

type queueStatus struct {
	ID string `json:"id"`
}

type savepointInfoBody struct {
	Location     string               `json:"location,omitempty"`
	FailureCause *serializedThrowable `json:"failure-cause,omitempty"`
}

type checkpointInfoBody struct {
	CheckpointID int64                `json:"checkpointId,omitempty"`
	FailureCause *serializedThrowable `json:"failureCause,omitempty"`
}

type disposalInfoBody struct {
	FailureCause *serializedThrowable `json:"failure-cause,omitempty"`
}

type executionResultBody struct {
	Status queueStatus    `json:"status"`
	Result *jobResultBody `json:"job-execution-result,omitempty"`
}

// jobResultBody uses the names Flink's JobResultSerializer writes (hyphenated), not the spec's camelCase ones;
// the spec's JobResult allows additional properties, so both validate.
type jobResultBody struct {
	ID                 string               `json:"id"`
	ApplicationStatus  string               `json:"application-status"`
	AccumulatorResults map[string]any       `json:"accumulator-results"`
	NetRuntime         int64                `json:"net-runtime"`
	FailureCause       *serializedThrowable `json:"failure-cause,omitempty"`
}

type exceptionHistoryBody struct {
	Entries   []exceptionEntryBody `json:"entries"`
	Truncated bool                 `json:"truncated"`
}

type exceptionEntryBody struct {
	ExceptionName        string            `json:"exceptionName"`
	Stacktrace           string            `json:"stacktrace"`
	Timestamp            int64             `json:"timestamp"`
	FailureLabels        map[string]string `json:"failureLabels"`
	ConcurrentExceptions []any             `json:"concurrentExceptions"`
}

// exceptionsBody1 is JobExceptionsInfoWithHistory of Flink 1.x, with the deprecated root fields.
type exceptionsBody1 struct {
	RootException *string              `json:"root-exception,omitempty"`
	Timestamp     *int64               `json:"timestamp,omitempty"`
	AllExceptions []any                `json:"all-exceptions"`
	Truncated     bool                 `json:"truncated"`
	History       exceptionHistoryBody `json:"exceptionHistory"`
}

// exceptionsBody2 is JobExceptionsInfoWithHistory of Flink 2.x: the history only.
type exceptionsBody2 struct {
	History exceptionHistoryBody `json:"exceptionHistory"`
}

type jarUploadBody struct {
	Filename string `json:"filename"`
	Status   string `json:"status"`
}

type jarRunBody struct {
	JobID string `json:"jobid"`
}
