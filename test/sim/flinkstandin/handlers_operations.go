package flinkstandin

import (
	"fmt"
	"net/http"
	"time"
)

// savepointTriggerRequest is SavepointTriggerRequestBody.
type savepointTriggerRequest struct {
	TargetDirectory *string `json:"target-directory"`
	CancelJob       bool    `json:"cancel-job"`
	FormatType      string  `json:"formatType"`
	TriggerID       string  `json:"triggerId"`
}

// stopRequest is StopWithSavepointRequestBody.
type stopRequest struct {
	TargetDirectory *string `json:"targetDirectory"`
	Drain           bool    `json:"drain"`
	FormatType      string  `json:"formatType"`
	TriggerID       string  `json:"triggerId"`
}

// checkpointTriggerRequest is CheckpointTriggerRequestBody.
type checkpointTriggerRequest struct {
	CheckpointType string `json:"checkpointType"`
	TriggerID      string `json:"triggerId"`
}

// resolveTrigger validates a client-supplied trigger ID or makes one up.
func resolveTrigger(w http.ResponseWriter, triggerID string) (string, bool) {
	if triggerID == "" {
		return randomHex(16), true
	}
	if !hexID32.MatchString(triggerID) {
		writeError(w, http.StatusBadRequest, fmt.Sprintf("Request did not match expected format: invalid triggerId %q", triggerID))
		return "", false
	}
	return triggerID, true
}

// resolveTargetDirectory applies state.savepoints.dir and Flink's 400 when neither is set.
func (s *Server) resolveTargetDirectory(w http.ResponseWriter, requested *string, property string) (string, bool) {
	if requested != nil && *requested != "" {
		return *requested, true
	}
	if s.opts.SavepointDir != "" {
		return s.opts.SavepointDir, true
	}
	// Since 1.20 the message names the new key (state.savepoints.dir is its deprecated fallback).
	writeError(w, http.StatusBadRequest, fmt.Sprintf(
		"org.apache.flink.runtime.rest.handler.RestHandlerException: Config key [execution.checkpointing.savepoint-dir] "+
			"is not set. Property [%s] must be provided.", property))
	return "", false
}

func validFormat(w http.ResponseWriter, format string) bool {
	switch format {
	case "", "CANONICAL", "NATIVE":
		return true
	}
	writeError(w, http.StatusBadRequest, fmt.Sprintf("Request did not match expected format: formatType %q", format))
	return false
}

func (s *Server) handleTriggerSavepoint(w http.ResponseWriter, r *http.Request, j *job, now time.Time) {
	var body savepointTriggerRequest
	if !decodeBody(w, r, &body) || !validFormat(w, body.FormatType) {
		return
	}
	triggerID, ok := resolveTrigger(w, body.TriggerID)
	if !ok {
		return
	}
	target, ok := s.resolveTargetDirectory(w, body.TargetDirectory, "target-directory")
	if !ok {
		return
	}
	s.trigger(&operation{key: operationKey{kind: kindSavepoint, jobID: j.id, triggerID: triggerID},
		targetDir: target, cancelJob: body.CancelJob, format: body.FormatType}, now)
	writeJSON(w, http.StatusAccepted, triggerBody{RequestID: triggerID})
}

func (s *Server) handleStop(w http.ResponseWriter, r *http.Request, j *job, now time.Time) {
	var body stopRequest
	if !decodeBody(w, r, &body) || !validFormat(w, body.FormatType) {
		return
	}
	triggerID, ok := resolveTrigger(w, body.TriggerID)
	if !ok {
		return
	}
	target, ok := s.resolveTargetDirectory(w, body.TargetDirectory, "targetDirectory")
	if !ok {
		return
	}
	s.trigger(&operation{key: operationKey{kind: kindSavepoint, jobID: j.id, triggerID: triggerID},
		targetDir: target, stop: true, drain: body.Drain, format: body.FormatType}, now)
	writeJSON(w, http.StatusAccepted, triggerBody{RequestID: triggerID})
}

func (s *Server) handleTriggerCheckpoint(w http.ResponseWriter, r *http.Request, j *job, now time.Time) {
	var body checkpointTriggerRequest
	if !decodeBody(w, r, &body) {
		return
	}
	switch body.CheckpointType {
	case "", "CONFIGURED", "FULL":
	case "INCREMENTAL":
		writeError(w, http.StatusBadRequest, "Checkpoint type INCREMENTAL is not supported yet (FLINK-33723).")
		return
	default:
		writeError(w, http.StatusBadRequest, fmt.Sprintf("Request did not match expected format: checkpointType %q", body.CheckpointType))
		return
	}
	triggerID, ok := resolveTrigger(w, body.TriggerID)
	if !ok {
		return
	}
	s.trigger(&operation{key: operationKey{kind: kindCheckpoint, jobID: j.id, triggerID: triggerID}}, now)
	writeJSON(w, http.StatusAccepted, triggerBody{RequestID: triggerID})
}

// writeOperation answers a status poll for key, 404 when unknown or expired.
func (s *Server) writeOperation(w http.ResponseWriter, key operationKey) {
	op := s.operations[key]
	if op == nil {
		writeError(w, http.StatusNotFound, fmt.Sprintf(
			"org.apache.flink.runtime.rest.handler.job.UnknownOperationKeyException: There is no %s with triggerId=%s for job %s.",
			key.kind, key.triggerID, key.jobID))
		return
	}
	if !op.done {
		writeJSON(w, http.StatusOK, asyncResultBody{Status: queueStatus{ID: "IN_PROGRESS"}})
		return
	}
	var failure *serializedThrowable
	if op.failure != "" {
		failure = throwable(op.failure)
	}
	var info any
	switch key.kind {
	case kindSavepoint:
		info = savepointInfoBody{Location: op.location, FailureCause: failure}
	case kindCheckpoint:
		info = checkpointInfoBody{CheckpointID: op.checkpointID, FailureCause: failure}
	default:
		info = disposalInfoBody{FailureCause: failure}
	}
	writeJSON(w, http.StatusOK, asyncResultBody{Status: queueStatus{ID: "COMPLETED"}, Operation: info})
}

func (s *Server) handleSavepointStatus(w http.ResponseWriter, r *http.Request, j *job, _ time.Time) {
	s.writeOperation(w, operationKey{kind: kindSavepoint, jobID: j.id, triggerID: r.PathValue("triggerid")})
}

func (s *Server) handleCheckpointStatus(w http.ResponseWriter, r *http.Request, j *job, _ time.Time) {
	s.writeOperation(w, operationKey{kind: kindCheckpoint, jobID: j.id, triggerID: r.PathValue("triggerid")})
}

func (s *Server) handleTriggerDisposal(w http.ResponseWriter, r *http.Request) {
	var body struct {
		SavepointPath string `json:"savepoint-path"`
	}
	if !decodeBody(w, r, &body) {
		return
	}
	if body.SavepointPath == "" {
		writeError(w, http.StatusBadRequest, "Field 'savepoint-path' is missing.")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.advance()
	triggerID := randomHex(16)
	s.trigger(&operation{key: operationKey{kind: kindDisposal, triggerID: triggerID}, disposeAt: body.SavepointPath}, now)
	writeJSON(w, http.StatusOK, triggerBody{RequestID: triggerID})
}

func (s *Server) handleDisposalStatus(w http.ResponseWriter, r *http.Request) {
	triggerID := r.PathValue("triggerid")
	if !hexID32.MatchString(triggerID) {
		writeError(w, http.StatusBadRequest, fmt.Sprintf(
			"Bad request, could not parse parameters: Cannot resolve path parameter (triggerid) from value \"%s\".", triggerID))
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.advance()
	s.writeOperation(w, operationKey{kind: kindDisposal, triggerID: triggerID})
}

func (s *Server) handleCheckpointStatistics(w http.ResponseWriter, _ *http.Request, j *job, _ time.Time) {
	body := checkpointingStatisticsBody{
		Counts: checkpointCountsBody{Total: j.completedCount + j.failedCount, Completed: j.completedCount,
			Failed: j.failedCount},
		Summary: map[string]any{},
		History: make([]completedCheckpointBody, 0, len(j.history)),
	}
	if j.restored != nil {
		body.Counts.Restored = 1
		body.Latest.Restored = &restoredCheckpointBody{ID: j.restored.id, IsSavepoint: j.restored.savepoint,
			RestoreTimestamp: j.restored.restoredAt.UnixMilli(), ExternalPath: j.restored.externalPath}
	}
	if j.latestCompleted != nil {
		completed := j.parallelismBody(*j.latestCompleted)
		body.Latest.Completed = &completed
	}
	if j.latestSavepoint != nil {
		savepoint := j.parallelismBody(*j.latestSavepoint)
		body.Latest.Savepoint = &savepoint
	}
	for _, record := range j.history {
		body.History = append(body.History, j.parallelismBody(record))
	}
	writeJSON(w, http.StatusOK, body)
}

// parallelismBody renders a completed checkpoint as CompletedCheckpointStatistics.
func (j *job) parallelismBody(record checkpointRecord) completedCheckpointBody {
	subtasks := len(j.vertices) * j.parallelism
	body := completedCheckpointBody{
		ClassName: "completed", ID: record.id, Status: "COMPLETED", IsSavepoint: record.savepoint,
		TriggerTimestamp: record.triggeredAt.UnixMilli(), LatestAckTimestamp: record.completedAt.UnixMilli(),
		CheckpointedSize: 4096, StateSize: 4096, EndToEndDuration: record.completedAt.Sub(record.triggeredAt).Milliseconds(),
		NumSubtasks: subtasks, NumAcknowledgedSubtask: subtasks, CheckpointType: record.checkpointTy,
		Tasks: map[string]any{}, ExternalPath: record.externalPath, Discarded: j.discarded[record.id],
	}
	if record.savepoint {
		// Flink reports the format the savepoint was asked for; CANONICAL is its default.
		body.SavepointFormat = record.format
		if body.SavepointFormat == "" {
			body.SavepointFormat = "CANONICAL"
		}
	}
	return body
}
