package bluegreen_test

import (
	"context"
	"testing"

	. "github.com/onsi/gomega"
	"sigs.k8s.io/cli-utils/pkg/kstatus/status"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
	"github.com/teal-flink/teal/controllers/bluegreen"
	"github.com/teal-flink/teal/test/builders"
	"github.com/teal-flink/teal/test/crash"
	"github.com/teal-flink/teal/test/sim/flinkstandin"
	"github.com/teal-flink/teal/test/testenv"
)

// startWithHook starts an operator whose blue/green steps run through hook (none when nil).
func startWithHook(hook crash.Hook[*flinkv1beta1.FlinkBlueGreenDeployment]) (*testenv.Manager, error) {
	if hook == nil {
		return startOperator()
	}
	return startInstrumentedOperator(func(r *bluegreen.Reconciler) { r.OnStep = hook })
}

// TestOperatorKilledMidRecreationOfADeletedChild deletes the active child by hand and kills the operator
// between recording the re-creation's intent (with the newest state read from the terminating child) and
// applying the child, and right after applying it (test/crash). Every run must end ACTIVE_GREEN with one job,
// restored from state newer than the last hand-over savepoint, started once after the deletion.
func TestOperatorKilledMidRecreationOfADeletedChild(t *testing.T) {
	NewWithT(t).Expect(stk.Operator.Stop()).To(Succeed())
	defer func() {
		var err error
		stk.Operator, err = startOperator()
		NewWithT(t).Expect(err).NotTo(HaveOccurred())
	}()
	for _, step := range []string{"Intent TRANSITIONING_TO_GREEN", "ApplyChild(GREEN)"} {
		t.Run(step, func(t *testing.T) {
			g := NewWithT(t)
			var bg *flinkv1beta1.FlinkBlueGreenDeployment
			var handOver string
			var counter int64
			var server *flinkstandin.Server
			crash.Alone(g, startWithHook, func() {
				bg = newBlueGreen(g, "crash-recreate", []builders.DeploymentOption{builders.WithUpgradeMode(flinkv1beta1.UpgradeModeSavepoint),
					builders.WithConfig("kubernetes.operator.job.savepoint-on-deletion", "true")})
				eventuallyIn(g, bg, flinkv1beta1.BlueGreenActiveBlue, status.CurrentStatus)
				active, _ := transition(g, bg)
				handOver = active.Status.JobStatus.UpgradeSavepointPath
				var jobID string
				server, jobID = job(g, bg.Namespace, "crash-recreate-green")
				checkpoint(g, server.URL(), jobID)
				counter, _ = server.CheckpointCounter(jobID)
			})
			g.Expect(handOver).NotTo(BeEmpty())

			fresh := crash.During(g, timeout, startWithHook, bg, crash.StepIs[*flinkv1beta1.FlinkBlueGreenDeployment](step), func() {
				// The deleted child terminates slowly (its deletion savepoint is held back) so its JobManager
				// can be asked for the newest state.
				server.SetFaults(flinkstandin.Faults{SavepointNeverCompletes: true})
				g.Expect(env.Client.Delete(context.Background(), child(g, bg, "green"))).To(Succeed())
			})
			defer func() { g.Expect(fresh.Stop()).To(Succeed()) }()
			server.SetFaults(flinkstandin.Faults{})

			current := eventuallyIn(g, bg, flinkv1beta1.BlueGreenActiveGreen, status.CurrentStatus)
			green := child(g, bg, "green")
			g.Expect(green.Spec.Job.InitialSavepointPath).To(Equal(current.Status.JobStatus.UpgradeSavepointPath))
			g.Expect(green.Spec.Job.InitialSavepointPath).NotTo(Equal(handOver), "rewound to the hand-over savepoint")
			g.Eventually(func(g Gomega) {
				recreated, jobID := job(g, bg.Namespace, "crash-recreate-green")
				g.Expect(recreated.JobIDs()).To(HaveLen(1), "one job")
				g.Expect(recreated.RestoredFrom(jobID)).To(Equal(green.Spec.Job.InitialSavepointPath))
				resumed, _ := recreated.CheckpointCounter(jobID)
				g.Expect(resumed).To(BeNumerically(">", counter), "restored from the newest state")
			}, timeout, interval).Should(Succeed())
			g.Expect(runtime.Starts(bg.Namespace, "crash-recreate-green")).To(Equal(2), "green started once after the deletion")
		})
	}
}
