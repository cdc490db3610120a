package clusterhealth

import (
	"testing"
	"time"

	. "github.com/onsi/gomega"
)

func TestCheckpointProgressWindow(t *testing.T) {
	cases := []struct {
		name   string
		config map[string]string
		want   time.Duration
	}{
		{"checkpointing off", map[string]string{}, 0},
		{"interval below the default timeout", map[string]string{"execution.checkpointing.interval": "1 min"}, 20 * time.Minute},
		{"interval above the timeout", map[string]string{"execution.checkpointing.interval": "30 min", "execution.checkpointing.timeout": "5 min"}, time.Hour},
		{"tolerable failures widen it", map[string]string{"execution.checkpointing.interval": "10 s", "execution.checkpointing.timeout": "1 min",
			"execution.checkpointing.tolerable-failed-checkpoints": "3"}, 5 * time.Minute},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			NewWithT(t).Expect(CheckpointProgressWindow(tc.config)).To(Equal(tc.want))
		})
	}
}
