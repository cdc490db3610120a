package upgradeplan

import (
	"testing"

	. "github.com/onsi/gomega"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
	"github.com/teal-flink/teal/internal/jobops"
)

func TestRestartSourceOf(t *testing.T) {
	retain := map[string]string{jobops.KeyCheckpointRetention: jobops.RetentionOnCancellation}
	deleteOnCancel := map[string]string{jobops.KeyCheckpointRetention: jobops.RetentionDeleteOnCancellation}
	lastState := spec(flinkv1beta1.UpgradeModeLastState, flinkv1beta1.JobStateRunning)
	for _, tc := range []struct {
		name   string
		target *flinkv1beta1.FlinkDeploymentSpec
		ha     bool
		job    flinkv1beta1.JobStatusState
		config map[string]string
		expect RestartSource
	}{
		{name: "stateless starts empty, HA or not", target: spec(flinkv1beta1.UpgradeModeStateless, flinkv1beta1.JobStateRunning),
			ha: true, job: flinkv1beta1.JobStatusRunning, config: retain, expect: RestartEmpty},
		{name: "HA recovers the job itself", target: lastState, ha: true, job: flinkv1beta1.JobStatusFailed, expect: RestartFromHA},
		{name: "running job, checkpoints retained on cancel", target: lastState, job: flinkv1beta1.JobStatusRunning,
			config: retain, expect: RestartFromLatestCheckpoint},
		{name: "running job, checkpoints deleted on cancel", target: lastState, job: flinkv1beta1.JobStatusRunning,
			config: deleteOnCancel, expect: RestartNeedsPerson},
		{name: "failed job keeps its checkpoints with delete-on-cancellation", target: lastState, job: flinkv1beta1.JobStatusFailed,
			config: deleteOnCancel, expect: RestartFromLatestCheckpoint},
		{name: "Flink's default retention deletes them", target: spec(flinkv1beta1.UpgradeModeSavepoint, flinkv1beta1.JobStateRunning),
			job: flinkv1beta1.JobStatusFailed, config: map[string]string{}, expect: RestartNeedsPerson},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := NewWithT(t)
			g.Expect(RestartSourceOf(tc.target, tc.ha, tc.job, tc.config)).To(Equal(tc.expect))
		})
	}
}
