package flinkdeployment_test

import (
	"context"
	"os"
	"testing"

	. "github.com/onsi/gomega"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
	"github.com/teal-flink/teal/internal/operatorconfig"
	"github.com/teal-flink/teal/test/builders"
	"github.com/teal-flink/teal/test/sim/localruntime"
)

// TestOperatorKilledBetweenIntentAndAction kills the operator between recording a step's intent and calling
// Flink ("<step>/intent"), and between a Flink call and the observation that records its result (right after
// the step), for savepoint and last-state upgrades, a restart of a failed job and a health-check restart. Every
// run must end with one running job restored from the newest state, with at most the one savepoint the upgrade
// needs.
func TestOperatorKilledBetweenIntentAndAction(t *testing.T) {
	stepIs := func(name string) func(*flinkv1beta1.FlinkDeployment, string) bool {
		return func(_ *flinkv1beta1.FlinkDeployment, step string) bool { return step == name }
	}
	cases := []struct {
		name string
		mode flinkv1beta1.UpgradeMode
		// restart: the job fails and kubernetes.operator.job.restart.failed restarts it (else an image upgrade).
		restart bool
		// health: the job restarts too often and the cluster health check restarts it.
		health bool
		at     func(*flinkv1beta1.FlinkDeployment, string) bool
	}{
		{"savepoint upgrade: trigger recorded, Flink not asked", flinkv1beta1.UpgradeModeSavepoint, false, false, stepIs("StopWithSavepoint/intent")},
		{"savepoint upgrade: Flink asked, result not recorded", flinkv1beta1.UpgradeModeSavepoint, false, false, stepIs("StopWithSavepoint")},
		{"last-state upgrade: checkpoint recorded, job not cancelled", flinkv1beta1.UpgradeModeLastState, false, false, stepIs("CheckpointAndCancel/intent")},
		{"last-state upgrade: job cancelled, not yet observed", flinkv1beta1.UpgradeModeLastState, false, false, stepIs("CheckpointAndCancel")},
		{"last-state upgrade: state taken over, cluster not deleted", flinkv1beta1.UpgradeModeLastState, false, false, stepIs("DeleteCluster/intent")},
		{"restart: restart recorded, cluster not replaced", flinkv1beta1.UpgradeModeLastState, true, false, stepIs("BeginRestart")},
		{"restart: old cluster deleted, new one not deployed", flinkv1beta1.UpgradeModeLastState, true, false, stepIs("DeleteCluster")},
		{"health restart: restart recorded, job not cancelled", flinkv1beta1.UpgradeModeLastState, false, true, stepIs("BeginRestart")},
		{"health restart: job cancelled, not yet observed", flinkv1beta1.UpgradeModeLastState, false, true, stepIs("Cancel")},
		{"health restart: old cluster deleted, new one not deployed", flinkv1beta1.UpgradeModeLastState, false, true, stepIs("DeleteCluster")},
	}
	defer stepAside(t)()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			g := NewWithT(t)
			options := []builders.DeploymentOption{builders.WithUpgradeMode(tc.mode)}
			if tc.restart {
				options = append(options, builders.WithConfig(operatorconfig.KeyJobRestartFailed, "true"))
			}
			if tc.health {
				options = append(options, builders.WithConfig(operatorconfig.KeyHealthCheckEnabled, "true",
					operatorconfig.KeyHealthCheckRestartsThreshold, "2", operatorconfig.KeyHealthCheckRestartsWindow, "1 min",
					operatorconfig.KeyHealthCheckCheckpointProgress, "false", "restart-strategy.fixed-delay.attempts", "100"))
			}
			deployment := deployAlone(g, "crash-intent", options...)
			checkpoint := triggerCheckpoint(g, deployment)

			fresh := killDuring(g, deployment, tc.at, func() {
				server := localruntime.Server(runtime.Cluster(deployment.Namespace, deployment.Name))
				if tc.restart {
					g.Expect(server.FailJob(deployment.Status.JobStatus.JobID, "fatal")).To(Succeed())
					return
				}
				if tc.health {
					// Three restarts within the window: one more than the threshold tolerates.
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

// expectOneJobFromNewestState checks how a crash test of an upgrade or restart ends: one new job on one new
// JobManager, restored from the newest state — the one savepoint a savepoint upgrade took, else checkpoint (the
// newest checkpoint, which a last-state hand-over or a restart restores).
func expectOneJobFromNewestState(g Gomega, deployment *flinkv1beta1.FlinkDeployment, mode flinkv1beta1.UpgradeMode, checkpoint int64) {
	ctx := context.Background()
	var current *flinkv1beta1.FlinkDeployment
	g.Eventually(func(g Gomega) {
		current = eventuallyReady(g, deployment)
		g.Expect(current.Status.JobStatus.State).To(Equal(flinkv1beta1.JobStatusRunning))
		g.Expect(current.Status.JobStatus.JobID).NotTo(Equal(deployment.Status.JobStatus.JobID))
	}, timeout, interval).Should(Succeed())

	jobs, err := jobClient(g, current).ListJobs(ctx)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(jobs).To(HaveLen(1), "one job runs")
	g.Expect(runtime.Starts(deployment.Namespace, deployment.Name)).To(Equal(2),
		"the old JobManager and one new one: no job started twice")
	restored, restoredID, _ := restoredFrom(g, current)
	savepoints, _ := os.ReadDir(localPath(stateConfig(deployment.Namespace)[1]))
	switch mode {
	case flinkv1beta1.UpgradeModeSavepoint:
		g.Expect(savepoints).To(HaveLen(1), "exactly one savepoint was taken")
		g.Expect(restored).To(Equal(current.Status.JobStatus.SavepointInfo.LastSavepoint.Location))
		g.Expect(restoredID).To(BeNumerically(">", checkpoint), "restored from the newest state")
	default:
		g.Expect(savepoints).To(BeEmpty(), "a last-state hand-over takes no savepoint")
		g.Expect(restoredID).To(Equal(checkpoint), "restored from the newest checkpoint")
		g.Expect(restored).To(Equal(current.Status.JobStatus.UpgradeSavepointPath))
	}
}
