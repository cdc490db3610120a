package flinkstandin

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// jarRunRequest is JarRunRequestBody; programArgs only exists in Flink 1.x.
type jarRunRequest struct {
	EntryClass            string            `json:"entryClass"`
	ProgramArgs           *string           `json:"programArgs"`
	ProgramArgsList       []string          `json:"programArgsList"`
	Parallelism           int               `json:"parallelism"`
	SavepointPath         string            `json:"savepointPath"`
	AllowNonRestoredState bool              `json:"allowNonRestoredState"`
	JobID                 string            `json:"jobId"`
	ClaimMode             string            `json:"claimMode"`
	RestoreMode           string            `json:"restoreMode"`
	FlinkConfiguration    map[string]string `json:"flinkConfiguration"`
}

// JobSpec describes a job submission: what /jars/:jarid/run receives, or what an application cluster starts.
type JobSpec struct {
	// JarPath is the job jar; the stand-in only records it.
	JarPath string
	// EntryClass is the main class.
	EntryClass string
	// ProgramArgs are the program arguments.
	ProgramArgs []string
	// Parallelism is the job parallelism; 0 means 1.
	Parallelism int
	// SavepointPath restores the job from a savepoint written by the stand-in.
	SavepointPath string
	// AllowNonRestoredState is recorded only.
	AllowNonRestoredState bool
	// JobID fixes the job ID; empty picks a random one.
	JobID string
	// Config is the job's flinkConfiguration: it overrides the cluster's checkpoint retention
	// (execution.checkpointing.externalized-checkpoint-retention) and state.checkpoints.num-retained.
	Config map[string]string
}

// Configuration keys a job's flinkConfiguration may set.
const (
	keyCheckpointRetention = "execution.checkpointing.externalized-checkpoint-retention"
	keyRetainedCheckpoints = "state.checkpoints.num-retained"
	// keyRetainedCheckpoints2 is Flink 2's name of state.checkpoints.num-retained.
	keyRetainedCheckpoints2 = "execution.checkpointing.num-retained"
)

// defaultUploadRoot is the directory of this stand-in's uploads when Options.UploadDir is empty; Close removes it.
func (s *Server) defaultUploadRoot() string {
	return filepath.Join(os.TempDir(), "flink-standin-"+strings.ReplaceAll(s.addr, ":", "-"))
}

func (s *Server) uploadDir() (string, error) {
	dir := s.opts.UploadDir
	if dir == "" {
		dir = filepath.Join(s.defaultUploadRoot(), "flink-web-upload")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("creating upload directory: %w", err)
	}
	return dir, nil
}

func (s *Server) handleJarUpload(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseMultipartForm(32 << 20); err != nil {
		writeError(w, http.StatusBadRequest, "Exactly 1 file must be sent, received 0.")
		return
	}
	defer r.MultipartForm.RemoveAll()
	files := r.MultipartForm.File["jarfile"]
	if len(files) != 1 {
		writeError(w, http.StatusBadRequest, fmt.Sprintf("Exactly 1 file must be sent, received %d.", len(files)))
		return
	}
	header := files[0]
	if !strings.HasSuffix(header.Filename, ".jar") {
		writeError(w, http.StatusBadRequest, "Only Jar files are allowed.")
		return
	}
	dir, err := s.uploadDir()
	if err != nil {
		writeError(w, http.StatusInternalServerError, err.Error())
		return
	}
	jarID := fmt.Sprintf("%s-%s-%s-%s-%s_%s", randomHex(4), randomHex(2), randomHex(2), randomHex(2), randomHex(6),
		filepath.Base(header.Filename))
	stored := filepath.Join(dir, jarID)
	if err := copyUpload(header.Open, stored); err != nil {
		writeError(w, http.StatusInternalServerError, err.Error())
		return
	}
	s.mu.Lock()
	s.jars[jarID] = stored
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, jarUploadBody{Filename: stored, Status: "success"})
}

func copyUpload[F io.ReadCloser](open func() (F, error), target string) error {
	source, err := open()
	if err != nil {
		return fmt.Errorf("reading upload: %w", err)
	}
	defer source.Close()
	out, err := os.Create(target)
	if err != nil {
		return fmt.Errorf("storing upload: %w", err)
	}
	if _, err := io.Copy(out, source); err != nil {
		out.Close()
		return fmt.Errorf("storing upload: %w", err)
	}
	return out.Close()
}

func (s *Server) handleJarDelete(w http.ResponseWriter, r *http.Request) {
	jarID := r.PathValue("jarid")
	s.mu.Lock()
	path, ok := s.jars[jarID]
	delete(s.jars, jarID)
	s.mu.Unlock()
	if !ok {
		writeError(w, http.StatusBadRequest, fmt.Sprintf("File %s does not exist in the upload directory.", jarID))
		return
	}
	_ = os.Remove(path)
	writeJSON(w, http.StatusOK, struct{}{})
}

func (s *Server) handleJarRun(w http.ResponseWriter, r *http.Request) {
	var body jarRunRequest
	if !decodeBody(w, r, &body) {
		return
	}
	if body.ProgramArgs != nil && s.major() >= 2 {
		writeError(w, http.StatusBadRequest, "Request did not match expected format JarRunRequestBody: unknown field programArgs")
		return
	}
	if body.JobID != "" && !hexID32.MatchString(body.JobID) {
		writeError(w, http.StatusBadRequest, fmt.Sprintf("Request did not match expected format: jobId %q", body.JobID))
		return
	}
	if body.SavepointPath == "" {
		body.SavepointPath = r.URL.Query().Get("savepointPath")
	}
	jarID := r.PathValue("jarid")
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.advance()
	jarPath, ok := s.jars[jarID]
	if !ok {
		writeError(w, http.StatusBadRequest, fmt.Sprintf("Jar file %s does not exist", jarID))
		return
	}
	j, err := s.submit(JobSpec{JarPath: jarPath, EntryClass: body.EntryClass, ProgramArgs: body.ProgramArgsList,
		Parallelism: body.Parallelism, SavepointPath: body.SavepointPath,
		AllowNonRestoredState: body.AllowNonRestoredState, JobID: body.JobID, Config: body.FlinkConfiguration}, now)
	if err != nil {
		writeError(w, http.StatusConflict, err.Error())
		return
	}
	if j.failOnStart && body.SavepointPath != "" && j.restored == nil {
		// A session cluster runs the program's main method in the request and waits for the JobMaster, whose
		// restore fails: the job is recorded FAILED and Flink answers 400.
		j.restartsLeft, j.crashLoop = 0, false
		j.fail(j.startFailure, now)
		writeError(w, http.StatusBadRequest, fmt.Sprintf("org.apache.flink.runtime.rest.handler.RestHandlerException: "+
			"Could not execute application.\nCaused by: org.apache.flink.runtime.client.JobInitializationException: "+
			"Could not start the JobMaster.\nCaused by: java.io.FileNotFoundException: Cannot find checkpoint or "+
			"savepoint file/directory '%s' on file system 'file'.", body.SavepointPath))
		return
	}
	writeJSON(w, http.StatusOK, jarRunBody{JobID: j.id})
}

// submit creates a job from spec at time now, as an application cluster does: a restore from a path that does
// not exist is accepted and the job fails while its JobMaster restores. Callers hold s.mu.
func (s *Server) submit(spec JobSpec, now time.Time) (*job, error) {
	jobID := spec.JobID
	if jobID == "" {
		jobID = randomHex(16)
	}
	if existing := s.jobs[jobID]; existing != nil && !existing.terminal() {
		return nil, fmt.Errorf("org.apache.flink.runtime.client.DuplicateJobSubmissionException: Job has already been submitted. (%s)", jobID)
	}
	retention, retainedMax := s.opts.CheckpointRetention, s.opts.RetainedCheckpoints
	if value, ok := spec.Config[keyCheckpointRetention]; ok {
		if err := validRetention(value); err != nil {
			return nil, err
		}
		retention = value
	}
	for _, key := range []string{keyRetainedCheckpoints, keyRetainedCheckpoints2} {
		value, ok := spec.Config[key]
		if !ok {
			continue
		}
		n, err := strconv.Atoi(value)
		if err != nil || n < 1 {
			return nil, fmt.Errorf("flink stand-in: %s: must be a positive integer, got %q", key, value)
		}
		retainedMax = n
	}
	parallelism := max(spec.Parallelism, 1)
	entryClass := spec.EntryClass
	if entryClass == "" {
		entryClass = "org.teal.standin.Main"
	}
	name := entryClass[strings.LastIndexByte(entryClass, '.')+1:]
	if name == "TopSpeedWindowing" {
		name = "CarTopSpeedWindowingExample"
	}
	j := &job{
		id: jobID, name: name, jarID: filepath.Base(spec.JarPath), entryClass: entryClass,
		programArgs: spec.ProgramArgs, parallelism: parallelism, startTime: now,
		timestamps:   map[string]int64{},
		failOnStart:  s.faults.FailOnStart,
		startFailure: "Injected fault: the job failed on start",
		crashLoop:    s.faults.CrashLoop, crashAfter: s.faults.CrashAfter,
		restartsLeft: s.opts.RestartAttempts,
		retention:    retention, retainedMax: retainedMax,
		bounded: s.faults.Bounded || readsBoundedInput(spec.ProgramArgs), boundedRuntime: s.faults.BoundedRuntime,
		// Vertex IDs depend on the program only, as Flink's generated JobVertexIDs do, so a restored job
		// matches the savepoint's operators.
		vertices: []vertex{
			{id: derivedID(entryClass, "source"), name: "Source: Data Generator"},
			{id: derivedID(entryClass, "window"), name: "Window(GlobalWindows(), DeltaTrigger, TimeEvictor, ComparableAggregator, PassThroughWindowFunction) -> Sink: Print to Std. Out"},
		},
	}
	j.setState(stateInitializing, now)
	j.setState(stateCreated, now)
	if spec.SavepointPath != "" {
		metadata, location, err := readSavepoint(spec.SavepointPath)
		if err != nil {
			// Flink accepts the submission and the job fails while its JobMaster restores state.
			j.failOnStart, j.restartsLeft = true, 0
			j.startFailure = "java.io.FileNotFoundException: " + err.Error()
		} else {
			j.checkpointID = metadata.CheckpointID
			// Flink reports every restore through savepointPath as a savepoint restore, a retained checkpoint too
			// (contract).
			j.restored = &restoredRecord{id: metadata.CheckpointID, externalPath: location, savepoint: true, restoredAt: now}
		}
	}
	s.jobs[jobID] = j
	if !containsString(s.jobOrder, jobID) {
		s.jobOrder = append(s.jobOrder, jobID)
	}
	j.advance(now, &s.opts)
	return j, nil
}

// readsBoundedInput reports whether the program arguments give the example job a file to read (--input) without
// --discovery-interval, which makes Flink's TopSpeedWindowing a bounded job that ends FINISHED.
func readsBoundedInput(args []string) bool {
	return containsString(args, "--input") && !containsString(args, "--discovery-interval")
}

func containsString(values []string, value string) bool {
	for _, v := range values {
		if v == value {
			return true
		}
	}
	return false
}
