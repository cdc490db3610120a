package flinkdeployment_test

import (
	"testing"

	. "github.com/onsi/gomega"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
	"github.com/teal-flink/teal/internal/failpoint"
	"github.com/teal-flink/teal/internal/operatorconfig"
	"github.com/teal-flink/teal/test/builders"
	"github.com/teal-flink/teal/test/crash"
	"github.com/teal-flink/teal/test/sim/localruntime"
)

// TestOperatorKilledAlongCrashChains kills the operator at every point of a crash chain (test/crash), one after
// another within one operation — the chains test/e2e runs with the operator binary on real Flink — for a
// savepoint upgrade, a last-state upgrade and a health-check restart. Each run must end with one running job,
// restored from the newest state, with at most the one savepoint the upgrade needs and one new JobManager.
func TestOperatorKilledAlongCrashChains(t *testing.T) {
	cases := []struct {
		name  string
		mode  flinkv1beta1.UpgradeMode
		chain []string
		// health: the job restarts too often and the cluster health check restarts it (else an image upgrade).
		health bool
	}{
		{"savepoint upgrade", flinkv1beta1.UpgradeModeSavepoint, crash.SavepointUpgradeChain, false},
		{"last-state upgrade", flinkv1beta1.UpgradeModeLastState, crash.LastStateUpgradeChain, false},
		{"health restart", flinkv1beta1.UpgradeModeLastState, crash.HealthRestartChain, true},
	}
	defer stepAside(t)()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			g := NewWithT(t)
			options := []builders.DeploymentOption{builders.WithUpgradeMode(tc.mode)}
			if tc.health {
				options = append(options, builders.WithConfig(operatorconfig.KeyHealthCheckEnabled, "true",
					operatorconfig.KeyHealthCheckRestartsThreshold, "2", operatorconfig.KeyHealthCheckRestartsWindow, "1 min",
					operatorconfig.KeyHealthCheckCheckpointProgress, "false", "restart-strategy.fixed-delay.attempts", "100"))
			}
			deployment := deployAlone(g, "chain", options...)
			checkpoint := triggerCheckpoint(g, deployment)

			points := crash.Points(failpoint.KindFlinkDeployment, deployment.Namespace, deployment.Name, tc.chain)
			fresh := stk.KillChain(g, points, func() {
				if tc.health {
					// Three restarts within the window: one more than the threshold tolerates.
					server := localruntime.Server(runtime.Cluster(deployment.Namespace, deployment.Name))
					for range 3 {
						g.Expect(server.FailJob(deployment.Status.JobStatus.JobID, "flaky")).To(Succeed())
					}
					return
				}
				update(g, deployment, func(d *flinkv1beta1.FlinkDeployment) { d.Spec.Image = "flink:1.20.1" })
			})
			defer func() { g.Expect(fresh.Stop()).To(Succeed()) }()
			expectOneJobFromNewestState(g, deployment, tc.mode, checkpoint)
		})
	}
}
