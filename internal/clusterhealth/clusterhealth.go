// Package clusterhealth judges whether a running Flink job is healthy from samples of its restart count and
// completed-checkpoint count taken at each observation (kubernetes.operator.cluster.health-check.*). It is
// pure: the caller stores the Record between observations (Teal keeps it in the resource's status, so an
// operator restart does not forget it).
package clusterhealth

import (
	"fmt"
	"time"
)

// Sample is one observation of a job.
type Sample struct {
	// At is when the sample was taken.
	At time.Time `json:"at"`
	// Restarts is the job's numRestarts metric.
	Restarts int64 `json:"restarts"`
	// CompletedCheckpoints is the job's count of completed checkpoints.
	CompletedCheckpoints int64 `json:"completedCheckpoints"`
}

// Record is what the evaluator remembers about one job between observations.
type Record struct {
	// JobID is the job the samples belong to; a new job starts a new record.
	JobID string `json:"jobId"`
	// Samples within the restarts window, oldest first.
	Samples []Sample `json:"samples,omitempty"`
	// CheckpointProgressAt is when the completed-checkpoint count last grew (or the record started).
	CheckpointProgressAt time.Time `json:"checkpointProgressAt"`
}

// Policy is the health check's configuration.
type Policy struct {
	// RestartsWindow and RestartsThreshold: more than RestartsThreshold restarts within RestartsWindow is
	// unhealthy.
	RestartsWindow    time.Duration
	RestartsThreshold int64
	// CheckpointWindow: no completed checkpoint for longer than this is unhealthy; 0 disables the check.
	CheckpointWindow time.Duration
}

// Verdict is the outcome of one evaluation.
type Verdict struct {
	// Healthy is false when a rule is broken.
	Healthy bool
	// Reason says which rule and by how much, for status and events.
	Reason string
}

// Evaluate adds sample to the record of jobID and judges the job. It returns the record to keep.
func Evaluate(record Record, jobID string, sample Sample, policy Policy) (Record, Verdict) {
	if record.JobID != jobID {
		record = Record{JobID: jobID, CheckpointProgressAt: sample.At}
	}
	if last, ok := record.last(); ok && sample.CompletedCheckpoints > last.CompletedCheckpoints {
		record.CheckpointProgressAt = sample.At
	}
	record.Samples = append(record.Samples, sample)
	record.Samples = within(record.Samples, sample.At.Add(-policy.RestartsWindow))

	if restarts := sample.Restarts - record.Samples[0].Restarts; restarts > policy.RestartsThreshold {
		return record, Verdict{Reason: fmt.Sprintf("the job restarted %d times within %s (threshold %d)",
			restarts, sample.At.Sub(record.Samples[0].At), policy.RestartsThreshold)}
	}
	if policy.CheckpointWindow > 0 {
		if stalled := sample.At.Sub(record.CheckpointProgressAt); stalled > policy.CheckpointWindow {
			return record, Verdict{Reason: fmt.Sprintf("no checkpoint completed for %s (window %s)",
				stalled.Truncate(time.Second), policy.CheckpointWindow)}
		}
	}
	return record, Verdict{Healthy: true}
}

func (r Record) last() (Sample, bool) {
	if len(r.Samples) == 0 {
		return Sample{}, false
	}
	return r.Samples[len(r.Samples)-1], true
}

// within drops the samples taken before since; the newest sample always stays.
func within(samples []Sample, since time.Time) []Sample {
	for i := range samples {
		if !samples[i].At.Before(since) {
			return samples[i:]
		}
	}
	return samples[len(samples)-1:]
}
