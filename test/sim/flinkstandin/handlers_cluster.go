package flinkstandin

import (
	"net/http"
)

// newMux routes the REST subset the stand-in serves.
func (s *Server) newMux() *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /overview", s.handleOverview)
	mux.HandleFunc("GET /config", s.handleConfig)
	mux.HandleFunc("GET /taskmanagers", s.handleTaskManagers)
	mux.HandleFunc("GET /jobs/overview", s.handleJobsOverview)
	mux.HandleFunc("GET /jobs/{jobid}", s.withJob(s.handleJobDetails))
	mux.HandleFunc("PATCH /jobs/{jobid}", s.withJob(s.handleCancel))
	mux.HandleFunc("GET /jobs/{jobid}/exceptions", s.withJob(s.handleExceptions))
	mux.HandleFunc("GET /jobs/{jobid}/metrics", s.withOptionalJob(s.handleJobMetrics))
	mux.HandleFunc("GET /jobs/{jobid}/execution-result", s.withJob(s.handleExecutionResult))
	mux.HandleFunc("GET /jobs/{jobid}/checkpoints", s.withJob(s.handleCheckpointStatistics))
	mux.HandleFunc("POST /jobs/{jobid}/checkpoints", s.withJob(s.handleTriggerCheckpoint))
	mux.HandleFunc("GET /jobs/{jobid}/checkpoints/{triggerid}", s.withJob(s.handleCheckpointStatus))
	mux.HandleFunc("POST /jobs/{jobid}/savepoints", s.withJob(s.handleTriggerSavepoint))
	mux.HandleFunc("GET /jobs/{jobid}/savepoints/{triggerid}", s.withJob(s.handleSavepointStatus))
	mux.HandleFunc("POST /jobs/{jobid}/stop", s.withJob(s.handleStop))
	mux.HandleFunc("GET /jobs/{jobid}/resource-requirements", s.withJob(s.handleGetResourceRequirements))
	mux.HandleFunc("PUT /jobs/{jobid}/resource-requirements", s.withJob(s.handlePutResourceRequirements))
	mux.HandleFunc("POST /savepoint-disposal", s.handleTriggerDisposal)
	mux.HandleFunc("GET /savepoint-disposal/{triggerid}", s.handleDisposalStatus)
	mux.HandleFunc("POST /jars/upload", s.handleJarUpload)
	mux.HandleFunc("POST /jars/{jarid}/run", s.handleJarRun)
	mux.HandleFunc("DELETE /jars/{jarid}", s.handleJarDelete)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, "Not found: "+r.URL.Path)
	})
	return mux
}

func (s *Server) handleOverview(w http.ResponseWriter, _ *http.Request) {
	s.mu.Lock()
	s.advance()
	body := overviewBody{
		FlinkVersion: s.opts.FlinkVersion,
		FlinkCommit:  "standin",
		TaskManagers: 1,
		SlotsTotal:   s.opts.TaskSlots,
	}
	used := 0
	for _, id := range s.jobOrder {
		j := s.jobs[id]
		switch j.state {
		case stateFinished:
			body.JobsFinished++
		case stateCanceled:
			body.JobsCancelled++
		case stateFailed:
			body.JobsFailed++
		default:
			body.JobsRunning++
			used += j.parallelism
		}
	}
	s.mu.Unlock()
	body.SlotsAvailable = max(0, s.opts.TaskSlots-used)
	body.SlotsFreeAndBlocked = 0
	writeJSON(w, http.StatusOK, body)
}

func (s *Server) handleConfig(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, configBody{
		RefreshInterval: 3000,
		TimezoneName:    "Coordinated Universal Time",
		FlinkVersion:    s.opts.FlinkVersion,
		FlinkRevision:   "standin @ 1970-01-01T00:00:00+00:00",
		Features:        configFeatures{WebSubmit: true, WebCancel: !s.opts.WebCancelDisabled},
	})
}

func (s *Server) handleTaskManagers(w http.ResponseWriter, _ *http.Request) {
	s.mu.Lock()
	now := s.advance()
	used := 0
	for _, j := range s.jobs {
		if !j.terminal() {
			used += j.parallelism
		}
	}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, taskManagersBody{TaskManagers: []taskManagerBody{{
		ID:                     derivedID(s.addr, "taskmanager"),
		Path:                   "pekko.tcp://flink@127.0.0.1:6122/user/rpc/taskmanager_0",
		DataPort:               6121,
		JmxPort:                -1,
		TimeSinceLastHeartbeat: now.UnixMilli(),
		SlotsNumber:            s.opts.TaskSlots,
		FreeSlots:              max(0, s.opts.TaskSlots-used),
	}}})
}
