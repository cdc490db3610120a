package jobops

import (
	"testing"

	. "github.com/onsi/gomega"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
)

func TestCheckpointRetention(t *testing.T) {
	cases := []struct {
		name                          string
		value                         string
		surviveCancel, surviveFailure bool
	}{
		{"Flink's default deletes them however the job ends", "", false, false},
		{"explicit none", "NO_EXTERNALIZED_CHECKPOINTS", false, false},
		{"retain on cancellation keeps both", "RETAIN_ON_CANCELLATION", true, true},
		{"case and blanks do not matter", " retain_on_cancellation ", true, true},
		{"delete on cancellation keeps a failed job's", "DELETE_ON_CANCELLATION", false, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			g := NewWithT(t)
			config := map[string]string{}
			if tc.value != "" {
				config[KeyCheckpointRetention] = tc.value
			}
			g.Expect(CheckpointsSurviveCancel(config)).To(Equal(tc.surviveCancel))
			g.Expect(CheckpointsSurviveFailure(config)).To(Equal(tc.surviveFailure))
			g.Expect(CheckpointsSurviveEnd(flinkv1beta1.JobStatusCanceled, config)).To(Equal(tc.surviveCancel))
			g.Expect(CheckpointsSurviveEnd(flinkv1beta1.JobStatusFailed, config)).To(Equal(tc.surviveFailure))
			g.Expect(CheckpointsSurviveEnd(flinkv1beta1.JobStatusFinished, config)).To(BeFalse(), "a finished job's are deleted")
		})
	}
}
