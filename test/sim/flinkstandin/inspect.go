package flinkstandin

import (
	"fmt"
	"time"
)

// NewApplication starts an application-cluster stand-in: like an application-mode JobManager it comes up with
// its one job already submitted from spec, and returns the job's ID with the server.
func NewApplication(opts Options, spec JobSpec) (*Server, string, error) {
	s, err := New(opts)
	if err != nil {
		return nil, "", err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	j, err := s.submit(spec, s.clock.Now())
	if err != nil {
		s.Close()
		return nil, "", fmt.Errorf("flink stand-in: submitting the application job: %w", err)
	}
	return s, j.id, nil
}

// Submit submits a job directly, without a jar upload, and returns its ID.
func (s *Server) Submit(spec JobSpec) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	j, err := s.submit(spec, s.advance())
	if err != nil {
		return "", err
	}
	return j.id, nil
}

// JobIDs lists the IDs of all jobs in submission order.
func (s *Server) JobIDs() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.jobOrder...)
}

// JobState returns the job's current state, such as "RUNNING", and whether the job exists.
func (s *Server) JobState(jobID string) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.advance()
	j := s.jobs[jobID]
	if j == nil {
		return "", false
	}
	return j.state, true
}

// CheckpointCounter returns the job's latest checkpoint ID, the stand-in's stand-in for job state: a job
// restored from a savepoint starts at the savepoint's counter and counts on from there.
func (s *Server) CheckpointCounter(jobID string) (int64, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.advance()
	j := s.jobs[jobID]
	if j == nil {
		return 0, false
	}
	return j.checkpointID, true
}

// RestoredFrom returns the savepoint location the job restored from, or "".
func (s *Server) RestoredFrom(jobID string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if j := s.jobs[jobID]; j != nil && j.restored != nil {
		return j.restored.externalPath
	}
	return ""
}

// LatestSavepointFormat returns the format type of the job's latest savepoint as Flink reports it in the
// checkpoint statistics (CANONICAL when the request named none), or "" when the job took none.
func (s *Server) LatestSavepointFormat(jobID string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	j := s.jobs[jobID]
	if j == nil || j.latestSavepoint == nil {
		return ""
	}
	if j.latestSavepoint.format == "" {
		return "CANONICAL"
	}
	return j.latestSavepoint.format
}

// FailJob makes a running job fail now with message; it restarts while restart attempts are left.
func (s *Server) FailJob(jobID, message string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.advance()
	j := s.jobs[jobID]
	if j == nil {
		return fmt.Errorf("flink stand-in: no job %s", jobID)
	}
	if j.terminal() {
		return fmt.Errorf("flink stand-in: job %s is already %s", jobID, j.state)
	}
	j.fail(message, now)
	return nil
}

// Now returns the stand-in's clock reading.
func (s *Server) Now() time.Time { return s.clock.Now() }
