package flinkstandin

import (
	"os"
	"time"
)

// Job states, as Flink names them.
const (
	stateInitializing = "INITIALIZING"
	stateCreated      = "CREATED"
	stateRunning      = "RUNNING"
	stateFailing      = "FAILING"
	stateFailed       = "FAILED"
	stateCancelling   = "CANCELLING"
	stateCanceled     = "CANCELED"
	stateFinished     = "FINISHED"
	stateRestarting   = "RESTARTING"
	stateSuspended    = "SUSPENDED"
	stateReconciling  = "RECONCILING"
)

// allStates lists every job state, the keys of JobDetailsInfo.timestamps.
var allStates = []string{stateInitializing, stateCreated, stateRunning, stateFailing, stateFailed, stateCancelling,
	stateCanceled, stateFinished, stateRestarting, stateSuspended, stateReconciling}

// maxHistory bounds the checkpoint history and exception history kept per job, as web.checkpoints.history does.
const maxHistory = 10

// job is one submitted job and everything observable about it.
type job struct {
	id          string
	name        string
	jarID       string
	entryClass  string
	programArgs []string
	parallelism int

	state      string
	stateSince time.Time
	startTime  time.Time
	endTime    time.Time
	// timestamps records when the job first entered each state, in epoch milliseconds.
	timestamps map[string]int64

	// checkpointID is the last checkpoint ID used; a restore continues from the savepoint's ID, which is what
	// lets tests prove state continuity across an upgrade.
	checkpointID     int64
	lastCheckpointAt time.Time
	completedCount   int64
	failedCount      int64
	latestCompleted  *checkpointRecord
	latestSavepoint  *checkpointRecord
	history          []checkpointRecord
	restored         *restoredRecord
	// retained are the completed checkpoints (not savepoints) Flink still keeps, oldest first, at most
	// retainedMax; discarded holds the IDs of the checkpoints deleted since (subsumed, or at termination).
	retained    []checkpointRecord
	retainedMax int
	discarded   map[int64]bool
	// retention is the job's execution.checkpointing.externalized-checkpoint-retention.
	retention string

	// bounded jobs end FINISHED boundedRuntime after they run.
	bounded        bool
	boundedRuntime time.Duration

	// Faults captured at submission; startFailure is the message of a job that fails on start.
	failOnStart  bool
	startFailure string
	crashLoop    bool
	crashAfter   time.Duration
	// restartsLeft counts the restarts the fixed-delay strategy still grants.
	restartsLeft int
	// restarts counts the restarts so far (Flink's numRestarts metric).
	restarts   int64
	exceptions []exceptionRecord
	// failure is the final failure of a FAILED job.
	failure string

	vertices             []vertex
	resourceRequirements map[string]parallelismBounds
}

// vertex is one job vertex.
type vertex struct {
	id   string
	name string
}

// checkpointRecord is a completed checkpoint or savepoint.
type checkpointRecord struct {
	id           int64
	savepoint    bool
	checkpointTy string
	externalPath string
	triggeredAt  time.Time
	completedAt  time.Time
	// format is a savepoint's format type (empty: CANONICAL).
	format string
}

// restoredRecord is the snapshot a job restored from.
type restoredRecord struct {
	id           int64
	externalPath string
	savepoint    bool
	restoredAt   time.Time
}

// exceptionRecord is one root cause in the exception history.
type exceptionRecord struct {
	name       string
	stacktrace string
	at         time.Time
}

// parallelismBounds are a vertex's resource requirements.
type parallelismBounds struct {
	Lower int `json:"lowerBound"`
	Upper int `json:"upperBound"`
}

// setState moves the job to state at time at.
func (j *job) setState(state string, at time.Time) {
	j.state = state
	j.stateSince = at
	if j.timestamps[state] == 0 {
		j.timestamps[state] = at.UnixMilli()
	}
	switch state {
	case stateFailed, stateCanceled, stateFinished:
		j.endTime = at
		j.discardOnTermination(state)
	case stateRunning:
		j.lastCheckpointAt = at
	}
}

// terminal reports whether the job reached a globally terminal state.
func (j *job) terminal() bool {
	return j.state == stateFailed || j.state == stateCanceled || j.state == stateFinished
}

// fail records a failure at time at: the job restarts while attempts are left (or forever when crash-looping),
// else it ends FAILED.
func (j *job) fail(message string, at time.Time) {
	j.exceptions = append([]exceptionRecord{{
		name:       "java.lang.RuntimeException",
		stacktrace: "java.lang.RuntimeException: " + message + "\n\tat org.teal.standin.Job.run(Job.java:1)\n",
		at:         at,
	}}, j.exceptions...)
	if len(j.exceptions) > maxHistory {
		j.exceptions = j.exceptions[:maxHistory]
	}
	if j.crashLoop || j.restartsLeft > 0 {
		if !j.crashLoop {
			j.restartsLeft--
		}
		j.restarts++
		j.setState(stateRestarting, at)
		return
	}
	j.failure = message
	j.setState(stateFailed, at)
}

// advance moves the job through every state change due by now. At most one crash happens per call, so a
// crash-looping job with zero delays still alternates between observations instead of spinning.
func (j *job) advance(now time.Time, opts *Options) {
	crashed := false
	for {
		switch j.state {
		case stateCreated:
			due := j.stateSince.Add(opts.StartDelay)
			if now.Before(due) {
				return
			}
			if j.failOnStart {
				j.restartsLeft = 0
				j.fail(j.startFailure, due)
				return
			}
			j.setState(stateRunning, due)
		case stateRestarting:
			due := j.stateSince.Add(opts.RestartDelay)
			if now.Before(due) {
				return
			}
			j.setState(stateRunning, due)
		case stateRunning:
			if j.bounded {
				due := j.stateSince.Add(j.boundedRuntime)
				if !now.Before(due) {
					j.checkpointPeriodically(due, opts)
					j.setState(stateFinished, due)
					return
				}
			}
			j.checkpointPeriodically(now, opts)
			if !j.crashLoop || crashed {
				return
			}
			due := j.stateSince.Add(j.crashAfter)
			if now.Before(due) {
				return
			}
			crashed = true
			j.fail("Injected fault: the job crashed", due)
		default:
			return
		}
	}
}

// checkpointPeriodically completes the periodic checkpoints due by now.
func (j *job) checkpointPeriodically(now time.Time, opts *Options) {
	if opts.CheckpointInterval <= 0 {
		return
	}
	due := int64(now.Sub(j.lastCheckpointAt) / opts.CheckpointInterval)
	if due <= 0 {
		return
	}
	j.lastCheckpointAt = j.lastCheckpointAt.Add(time.Duration(due) * opts.CheckpointInterval)
	j.checkpointID += due - 1
	j.completeCheckpoint(opts, j.lastCheckpointAt)
	j.completedCount += due - 1
}

// completeCheckpoint records one completed checkpoint at time at and returns its ID.
func (j *job) completeCheckpoint(opts *Options, at time.Time) int64 {
	j.checkpointID++
	record := checkpointRecord{id: j.checkpointID, checkpointTy: "CHECKPOINT", triggeredAt: at, completedAt: at}
	if opts.CheckpointDir != "" {
		// Retained on disk with its metadata, so a job can be restored from it as from Flink's.
		if location, err := writeCheckpoint(opts.CheckpointDir, j.id, j.checkpointID, opts.FlinkVersion, at); err == nil {
			record.externalPath = location
		}
	}
	j.record(record)
	return record.id
}

// record adds a completed checkpoint or savepoint to the statistics. A checkpoint beyond
// state.checkpoints.num-retained subsumes the oldest retained one, which Flink deletes; savepoints belong to the
// user and are never deleted by Flink.
func (j *job) record(record checkpointRecord) {
	j.completedCount++
	if record.savepoint {
		j.latestSavepoint = &record
	} else {
		j.latestCompleted = &record
		j.retained = append(j.retained, record)
		for len(j.retained) > max(j.retainedMax, 1) {
			j.discard(j.retained[0])
			j.retained = j.retained[1:]
		}
	}
	j.history = append([]checkpointRecord{record}, j.history...)
	if len(j.history) > maxHistory {
		j.history = j.history[:maxHistory]
	}
}

// discardOnTermination deletes the retained checkpoints as Flink's checkpoint properties for the job's retention
// demand when the job reaches state: always when it FINISHED; on CANCELED unless RETAIN_ON_CANCELLATION; on
// FAILED only under NO_EXTERNALIZED_CHECKPOINTS (the default).
func (j *job) discardOnTermination(state string) {
	keep := false
	switch state {
	case stateCanceled:
		keep = j.retention == RetentionOnCancellation
	case stateFailed:
		keep = j.retention == RetentionOnCancellation || j.retention == RetentionDeleteOnCancellation
	}
	if keep {
		return
	}
	for _, record := range j.retained {
		j.discard(record)
	}
	j.retained = nil
}

// discard deletes a checkpoint's directory and reports it discarded from now on.
func (j *job) discard(record checkpointRecord) {
	if j.discarded == nil {
		j.discarded = map[int64]bool{}
	}
	j.discarded[record.id] = true
	if record.externalPath != "" {
		_ = os.RemoveAll(localPath(record.externalPath))
	}
}
