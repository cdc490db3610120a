package flinkstandin

import (
	"fmt"
	"os"
	"time"
)

// Operation kinds. Savepoints and stop-with-savepoint share Flink's savepoint cache, polled through
// /jobs/:jobid/savepoints/:triggerid.
const (
	kindSavepoint  = "savepoint"
	kindCheckpoint = "checkpoint"
	kindDisposal   = "disposal"
)

// operationKey identifies an async operation as Flink's AsynchronousJobOperationKey does.
type operationKey struct {
	kind      string
	jobID     string
	triggerID string
}

// operation is one async operation and, once done, its result.
type operation struct {
	key        operationKey
	stop       bool
	drain      bool
	cancelJob  bool
	targetDir  string
	disposeAt  string
	completeAt time.Time
	// neverCompletes keeps the operation IN_PROGRESS while the SavepointNeverCompletes fault stays injected.
	neverCompletes bool
	// failWith is an injected failure message.
	failWith string
	// format is a savepoint's formatType (CANONICAL when the request named none).
	format string

	done         bool
	completedAt  time.Time
	location     string
	checkpointID int64
	failure      string
}

// advance brings every job and operation up to the clock, then expires old results. Callers hold s.mu.
func (s *Server) advance() time.Time {
	now := s.clock.Now()
	for _, id := range s.jobOrder {
		s.jobs[id].advance(now, &s.opts)
	}
	for key, op := range s.operations {
		stuck := op.neverCompletes && s.faults.SavepointNeverCompletes
		if !op.done && !stuck && !now.Before(op.completeAt) {
			at := op.completeAt
			if op.neverCompletes {
				// Released from the fault: it completes when it is next observed.
				at = now
			}
			s.complete(op, at)
		}
		if op.done && now.Sub(op.completedAt) > s.opts.StoreDuration {
			delete(s.operations, key)
		}
	}
	return now
}

// complete carries out op at time at.
func (s *Server) complete(op *operation, at time.Time) {
	op.done, op.completedAt = true, at
	if op.failWith != "" {
		op.failure = op.failWith
		return
	}
	switch op.key.kind {
	case kindDisposal:
		path := localPath(op.disposeAt)
		if _, err := os.Stat(path); err != nil {
			op.failure = fmt.Sprintf("java.io.FileNotFoundException: Cannot find checkpoint or savepoint file/directory '%s'", op.disposeAt)
			return
		}
		if err := os.RemoveAll(path); err != nil {
			op.failure = "java.io.IOException: " + err.Error()
		}
		return
	}
	j := s.jobs[op.key.jobID]
	if j == nil || j.state != stateRunning {
		state := "unknown"
		if j != nil {
			state = j.state
		}
		op.failure = fmt.Sprintf("org.apache.flink.runtime.checkpoint.CheckpointException: Checkpoint triggering "+
			"task of job %s is not being executed at the moment (job state %s). Aborting checkpoint. Failure reason: "+
			"Not all required tasks are currently running.", op.key.jobID, state)
		return
	}
	if op.key.kind == kindCheckpoint {
		op.checkpointID = j.completeCheckpoint(&s.opts, at)
		return
	}
	j.checkpointID++
	location, err := writeSavepoint(op.targetDir, j.id, j.checkpointID, s.opts.FlinkVersion, at)
	if err != nil {
		op.failure = "java.io.IOException: " + err.Error()
		return
	}
	op.location = location
	checkpointType := "SAVEPOINT"
	if op.stop {
		checkpointType = "SYNC_SAVEPOINT"
	}
	j.record(checkpointRecord{id: j.checkpointID, savepoint: true, checkpointTy: checkpointType,
		externalPath: location, triggeredAt: at, completedAt: at, format: op.format})
	switch {
	case op.stop:
		j.setState(stateFinished, at)
	case op.cancelJob:
		j.setState(stateCanceled, at)
	}
}

// trigger registers an operation unless its key is known already, which is Flink's triggerId idempotency: the
// repeated trigger is acknowledged and no second operation starts. Callers hold s.mu.
func (s *Server) trigger(op *operation, now time.Time) {
	if _, known := s.operations[op.key]; known {
		return
	}
	if op.key.kind == kindSavepoint {
		s.savepointTriggers.Add(1)
	}
	op.completeAt = now.Add(s.opts.OperationDuration)
	if op.key.kind != kindDisposal {
		op.neverCompletes = s.faults.SavepointNeverCompletes && op.key.kind == kindSavepoint
		if op.key.kind == kindSavepoint && s.faults.SavepointFailure != "" {
			op.failWith = "org.apache.flink.runtime.checkpoint.CheckpointException: " + s.faults.SavepointFailure
		}
	}
	s.operations[op.key] = op
}
