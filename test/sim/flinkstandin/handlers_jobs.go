package flinkstandin

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// jobHandler serves a request about a job; it runs with s.mu held and the job advanced to now. j is nil only
// for an unknown job under withOptionalJob.
type jobHandler func(w http.ResponseWriter, r *http.Request, j *job, now time.Time)

// withJob validates the job ID and looks the job up, answering 400 and 404 as Flink does.
func (s *Server) withJob(handle jobHandler) http.HandlerFunc { return s.resolveJob(handle, false) }

// withOptionalJob is withJob for the endpoints Flink answers for an unknown job too (job metrics): handle gets
// a nil job instead of the 404.
func (s *Server) withOptionalJob(handle jobHandler) http.HandlerFunc {
	return s.resolveJob(handle, true)
}

// resolveJob validates the path parameters and looks the job up; an unknown job is a 404 unless optional.
func (s *Server) resolveJob(handle jobHandler, optional bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		jobID := r.PathValue("jobid")
		if !hexID32.MatchString(jobID) {
			writeError(w, http.StatusBadRequest, fmt.Sprintf(
				"Bad request, could not parse parameters: Cannot resolve path parameter (jobid) from value \"%s\".", jobID))
			return
		}
		if triggerID := r.PathValue("triggerid"); triggerID != "" && !hexID32.MatchString(triggerID) {
			writeError(w, http.StatusBadRequest, fmt.Sprintf(
				"Bad request, could not parse parameters: Cannot resolve path parameter (triggerid) from value \"%s\".", triggerID))
			return
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		now := s.advance()
		j := s.jobs[jobID]
		if j == nil && !optional {
			writeError(w, http.StatusNotFound, fmt.Sprintf(
				"org.apache.flink.runtime.messages.FlinkJobNotFoundException: Could not find Flink job (%s)", jobID))
			return
		}
		handle(w, r, j, now)
	}
}

// decodeBody decodes an optional JSON body; an empty body leaves out untouched.
func decodeBody(w http.ResponseWriter, r *http.Request, out any) bool {
	raw, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		writeError(w, http.StatusBadRequest, "Request body could not be read: "+err.Error())
		return false
	}
	if len(raw) == 0 {
		return true
	}
	// Flink's REST mapper rejects unknown fields, which is what catches a client sending targetDirectory to the
	// savepoint trigger (it wants target-directory).
	decoder := json.NewDecoder(bytes.NewReader(raw))
	decoder.DisallowUnknownFields()
	if err := decoder.Decode(out); err != nil {
		writeError(w, http.StatusBadRequest, "Request did not match expected format "+fmt.Sprintf("%T", out)+": "+err.Error())
		return false
	}
	return true
}

func (s *Server) handleJobsOverview(w http.ResponseWriter, _ *http.Request) {
	s.mu.Lock()
	now := s.advance()
	body := jobsOverviewBody{Jobs: make([]jobOverviewBody, 0, len(s.jobOrder))}
	for _, id := range s.jobOrder {
		j := s.jobs[id]
		body.Jobs = append(body.Jobs, jobOverviewBody{
			ID: j.id, Name: j.name, State: j.state,
			StartTime: millis(j.startTime), EndTime: millis(j.endTime), Duration: j.duration(now),
			LastModification: j.stateSince.UnixMilli(), Tasks: j.overviewTaskCounts(),
		})
	}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, body)
}

// duration is the job's run time in milliseconds, up to now for an unfinished job.
func (j *job) duration(now time.Time) int64 {
	end := now
	if !j.endTime.IsZero() {
		end = j.endTime
	}
	return end.Sub(j.startTime).Milliseconds()
}

// vertexStatus maps the job state to the execution state of its tasks.
func (j *job) vertexStatus() string {
	switch j.state {
	case stateRunning:
		return "RUNNING"
	case stateFinished:
		return "FINISHED"
	case stateCanceled, stateCancelling:
		return "CANCELED"
	case stateFailed:
		return "FAILED"
	case stateRestarting:
		return "CANCELED"
	}
	return "CREATED"
}

// taskCounts is the per-execution-state task count of JobDetails.tasks and status-counts.
func (j *job) taskCounts() map[string]int {
	counts := map[string]int{}
	for _, state := range []string{"CREATED", "SCHEDULED", "DEPLOYING", "RUNNING", "FINISHED", "CANCELING",
		"CANCELED", "FAILED", "RECONCILING", "INITIALIZING"} {
		counts[state] = 0
	}
	counts[j.vertexStatus()] = len(j.vertices) * j.parallelism
	return counts
}

// overviewTaskCounts is the tasks field of GET /jobs/overview, which Flink keys by lower-case state names and
// "total" (unlike JobDetails, whose counts use the upper-case names).
func (j *job) overviewTaskCounts() map[string]int {
	counts := map[string]int{}
	total := 0
	for state, count := range j.taskCounts() {
		counts[strings.ToLower(state)] = count
		total += count
	}
	counts["total"] = total
	return counts
}

// vertexParallelism is a vertex's parallelism: its resource requirement's upper bound once one was set (the
// adaptive scheduler rescales to it in place, slots permitting), else the job's.
func (j *job) vertexParallelism(id string) int {
	if bounds, ok := j.resourceRequirements[id]; ok {
		return bounds.Upper
	}
	return j.parallelism
}

func (s *Server) handleJobDetails(w http.ResponseWriter, _ *http.Request, j *job, now time.Time) {
	timestamps := make(map[string]int64, len(allStates))
	for _, state := range allStates {
		timestamps[state] = j.timestamps[state]
	}
	body := jobDetailsBody{
		ID: j.id, Name: j.name, IsStoppable: false, State: j.state, JobType: "STREAMING",
		StartTime: millis(j.startTime), EndTime: millis(j.endTime), Duration: j.duration(now),
		MaxParallelism: -1, Now: now.UnixMilli(), Timestamps: timestamps, StatusCounts: j.taskCounts(),
		Plan: planBody{JobID: j.id, Name: j.name, Type: "STREAMING", Nodes: []planNode{}},
	}
	for _, v := range j.vertices {
		parallelism := j.vertexParallelism(v.id)
		tasks := map[string]int{j.vertexStatus(): parallelism}
		body.Vertices = append(body.Vertices, vertexBody{
			ID: v.id, Name: v.name, MaxParallelism: 128,
			Parallelism: parallelism, Status: j.vertexStatus(), StartTime: millis(j.startTime),
			EndTime: millis(j.endTime), Duration: j.duration(now), Tasks: tasks,
		})
		body.Plan.Nodes = append(body.Plan.Nodes, planNode{ID: v.id, Parallelism: parallelism,
			Operator: "", Description: v.name})
	}
	writeJSON(w, http.StatusOK, body)
}

func (s *Server) handleCancel(w http.ResponseWriter, r *http.Request, j *job, now time.Time) {
	if mode := r.URL.Query().Get("mode"); mode != "" && mode != "cancel" {
		writeError(w, http.StatusBadRequest, fmt.Sprintf("Bad request, could not parse parameters: %s", mode))
		return
	}
	switch {
	case j.state == stateCanceled:
	case j.terminal():
		writeError(w, http.StatusConflict, fmt.Sprintf("Job cancellation failed: Job %s has already reached "+
			"the terminal state %s.", j.id, j.state))
		return
	default:
		j.setState(stateCanceled, now)
	}
	writeJSON(w, http.StatusAccepted, struct{}{})
}

func (s *Server) handleExceptions(w http.ResponseWriter, _ *http.Request, j *job, _ time.Time) {
	history := exceptionHistoryBody{Entries: make([]exceptionEntryBody, 0, len(j.exceptions))}
	for _, e := range j.exceptions {
		history.Entries = append(history.Entries, exceptionEntryBody{
			ExceptionName: e.name, Stacktrace: e.stacktrace, Timestamp: e.at.UnixMilli(),
			FailureLabels: map[string]string{}, ConcurrentExceptions: []any{},
		})
	}
	if s.major() >= 2 {
		writeJSON(w, http.StatusOK, exceptionsBody2{History: history})
		return
	}
	body := exceptionsBody1{AllExceptions: []any{}, History: history}
	if len(j.exceptions) > 0 {
		root, at := j.exceptions[0].stacktrace, j.exceptions[0].at.UnixMilli()
		body.RootException, body.Timestamp = &root, &at
	}
	writeJSON(w, http.StatusOK, body)
}

func (s *Server) handleExecutionResult(w http.ResponseWriter, _ *http.Request, j *job, now time.Time) {
	if !j.terminal() {
		writeJSON(w, http.StatusOK, executionResultBody{Status: queueStatus{ID: "IN_PROGRESS"}})
		return
	}
	result := &jobResultBody{ID: j.id, AccumulatorResults: map[string]any{}, NetRuntime: j.duration(now)}
	switch j.state {
	case stateFinished:
		result.ApplicationStatus = "SUCCEEDED"
	case stateCanceled:
		result.ApplicationStatus = "CANCELED"
	case stateFailed:
		result.ApplicationStatus = "FAILED"
		result.FailureCause = throwable("org.apache.flink.runtime.JobException: " + j.failure)
	}
	writeJSON(w, http.StatusOK, executionResultBody{Status: queueStatus{ID: "COMPLETED"}, Result: result})
}

func (s *Server) handleGetResourceRequirements(w http.ResponseWriter, _ *http.Request, j *job, _ time.Time) {
	body := make(map[string]map[string]parallelismBounds, len(j.vertices))
	for _, v := range j.vertices {
		bounds, ok := j.resourceRequirements[v.id]
		if !ok {
			bounds = parallelismBounds{Lower: 1, Upper: j.parallelism}
		}
		body[v.id] = map[string]parallelismBounds{"parallelism": bounds}
	}
	writeJSON(w, http.StatusOK, body)
}

func (s *Server) handlePutResourceRequirements(w http.ResponseWriter, r *http.Request, j *job, _ time.Time) {
	var body map[string]struct {
		Parallelism parallelismBounds `json:"parallelism"`
	}
	if !decodeBody(w, r, &body) {
		return
	}
	updated := map[string]parallelismBounds{}
	for id, requirement := range body {
		if !j.hasVertex(id) {
			writeError(w, http.StatusBadRequest, fmt.Sprintf("Job vertex %s does not exist in the job.", id))
			return
		}
		if requirement.Parallelism.Lower < 1 || requirement.Parallelism.Upper < requirement.Parallelism.Lower {
			writeError(w, http.StatusBadRequest, fmt.Sprintf("Invalid parallelism bounds for vertex %s.", id))
			return
		}
		updated[id] = requirement.Parallelism
	}
	j.resourceRequirements = updated
	writeJSON(w, http.StatusOK, struct{}{})
}

func (j *job) hasVertex(id string) bool {
	for _, v := range j.vertices {
		if v.id == id {
			return true
		}
	}
	return false
}

// handleJobMetrics serves the job metrics the stand-in models (numRestarts) as Flink does: a bare array of
// {id, value}, unknown names left out, every known metric's id (without value) when none is asked for. Like
// Flink, which serves these from its metric store, it answers an empty array for a job it does not know.
func (s *Server) handleJobMetrics(w http.ResponseWriter, r *http.Request, j *job, _ time.Time) {
	type metric struct {
		ID    string `json:"id"`
		Value string `json:"value,omitempty"`
	}
	metrics := []metric{}
	if j == nil {
		writeJSON(w, http.StatusOK, metrics)
		return
	}
	known := map[string]string{"numRestarts": strconv.FormatInt(j.restarts, 10)}
	if get := r.URL.Query().Get("get"); get != "" {
		for _, name := range strings.Split(get, ",") {
			if value, ok := known[name]; ok {
				metrics = append(metrics, metric{ID: name, Value: value})
			}
		}
	} else {
		metrics = append(metrics, metric{ID: "numRestarts"})
	}
	writeJSON(w, http.StatusOK, metrics)
}
