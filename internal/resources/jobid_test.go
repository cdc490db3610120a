package resources

import (
	"testing"

	. "github.com/onsi/gomega"
	"k8s.io/apimachinery/pkg/types"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
)

// TestLastStateUpgradeWithHAKeepsTheRecoveredJobID: on real pods, a last-state upgrade with Kubernetes HA ran two
// jobs, the one the new JobManager recovered from Flink's HA metadata and a second one the application submitted
// under a new fixed job ID. A last-state deployment with HA keeps the ID of the job it takes over; without HA, or
// in the other upgrade modes, each deployment gets its own ID.
func TestLastStateUpgradeWithHAKeepsTheRecoveredJobID(t *testing.T) {
	const running = "5df79a36803fde2e0545c97ccd2296e5"
	ha := map[string]string{"high-availability.type": "kubernetes", "high-availability.storageDir": "file:///ha"}
	for _, tc := range []struct {
		name        string
		config      map[string]string
		upgradeMode flinkv1beta1.UpgradeMode
		jobID       string
		keeps       bool
	}{
		{"last-state with HA", ha, flinkv1beta1.UpgradeModeLastState, running, true},
		{"last-state with HA, first deployment", ha, flinkv1beta1.UpgradeModeLastState, "", false},
		{"last-state without HA", map[string]string{}, flinkv1beta1.UpgradeModeLastState, running, false},
		{"savepoint with HA", ha, flinkv1beta1.UpgradeModeSavepoint, running, false},
		{"stateless with HA", ha, flinkv1beta1.UpgradeModeStateless, running, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := NewWithT(t)
			deployment := withConfig(application(), tc.config)
			deployment.UID = types.UID("uid-1")
			deployment.Spec.Job.UpgradeMode = tc.upgradeMode
			deployment.Status.ReconciliationStatus.ReconciliationTimestamp = 2000
			deployment.Status.JobStatus.JobID = tc.jobID
			config, err := EffectiveConfig(deployment, ConfigOptions{})
			g.Expect(err).NotTo(HaveOccurred())
			if tc.keeps {
				g.Expect(config).To(HaveKeyWithValue(KeyJobID, running))
			} else {
				g.Expect(config[KeyJobID]).To(MatchRegexp("^[0-9a-f]{32}$"))
				g.Expect(config[KeyJobID]).NotTo(Equal(running))
				g.Expect(config[KeyJobID]).To(Equal(JobID(deployment)))
			}
		})
	}
}
