package clusterhealth

import (
	"encoding/json"
	"fmt"
	"time"
)

// Stored is what a resource's status.clusterHealth.samples holds between observations: the Record and, while
// sampling fails, since when and why (the first failure of the run, so a failing check does not rewrite status
// at every observation).
type Stored struct {
	Record
	// SampleFailingSince is when sampling first failed in a row; nil while samples succeed.
	SampleFailingSince *time.Time `json:"sampleFailingSince,omitempty"`
	// SampleError is the first failure of the run.
	SampleError string `json:"sampleError,omitempty"`
}

// Decode reads what Encode stored; "" or a record that cannot be read starts afresh.
func Decode(samples string) Stored {
	var stored Stored
	if samples != "" {
		_ = json.Unmarshal([]byte(samples), &stored)
	}
	return stored
}

// Encode is the stored form of the record.
func (s Stored) Encode() (string, error) {
	encoded, err := json.Marshal(s)
	if err != nil {
		return "", fmt.Errorf("recording the cluster health: %w", err)
	}
	return string(encoded), nil
}

// SampleFailed remembers a failed sample and returns, once sampling has failed for the reconcile interval
// (SampleFailurePersists), the message to report about jobID; "" until then.
func (s *Stored) SampleFailed(jobID string, failure error, now time.Time, interval time.Duration) string {
	if s.SampleFailingSince == nil {
		s.SampleFailingSince, s.SampleError = &now, failure.Error()
	}
	if !SampleFailurePersists(*s.SampleFailingSince, now, interval) {
		return ""
	}
	return fmt.Sprintf("the cluster health check cannot sample job %s since %s: %s; meanwhile it cannot restart "+
		"the job when it is unhealthy", jobID, s.SampleFailingSince.UTC().Format(time.RFC3339), s.SampleError)
}

// Sampled records a sample that succeeded: a run of failures ends.
func (s *Stored) Sampled() {
	s.SampleFailingSince, s.SampleError = nil, ""
}
