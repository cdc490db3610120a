package bluegreen_test

import (
	"os"
	"strings"
	"testing"

	. "github.com/onsi/gomega"
	"sigs.k8s.io/cli-utils/pkg/kstatus/status"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
	"github.com/teal-flink/teal/test/builders"
)

// TestOperatorKilledMidTransition stops the operator right after each step of a blue→green savepoint
// transition, before the reconcile's final status patch, then starts a fresh one. Every run must end
// ACTIVE_GREEN with one child, one savepoint, and green started once, from that savepoint.
func TestOperatorKilledMidTransition(t *testing.T) {
	steps := []string{
		"Intent SAVEPOINTING_BLUE",      // intent recorded, savepoint not yet triggered
		"TriggerSavepoint(BLUE)",        // savepoint triggered, SAVEPOINTING_BLUE
		"Intent TRANSITIONING_TO_GREEN", // savepoint done and recorded, green not yet created
		"ApplyChild(GREEN)",             // green created
		"SwitchIngress(GREEN)",          // green ready, ingress switched, blue still there
		"DeleteChild(BLUE)",             // blue deleted, ACTIVE_GREEN not yet recorded
	}
	NewWithT(t).Expect(stk.Operator.Stop()).To(Succeed())
	defer func() {
		var err error
		stk.Operator, err = startOperator()
		NewWithT(t).Expect(err).NotTo(HaveOccurred())
	}()
	for _, step := range steps {
		t.Run(step, func(t *testing.T) {
			g := NewWithT(t)
			first, err := startOperator()
			g.Expect(err).NotTo(HaveOccurred())
			bg := newBlueGreen(g, "crash", []builders.DeploymentOption{builders.WithUpgradeMode(flinkv1beta1.UpgradeModeSavepoint)},
				builders.WithBlueGreenIngress("{{name}}.flink.example.com"))
			eventuallyIn(g, bg, flinkv1beta1.BlueGreenActiveBlue, status.CurrentStatus)
			g.Expect(first.Stop()).To(Succeed())

			fresh := killAt(g, bg, step, func() {
				update(g, bg, func(b *flinkv1beta1.FlinkBlueGreenDeployment) { b.Spec.Template.Spec.Image = "flink:1.20.1" })
			})
			defer func() { g.Expect(fresh.Stop()).To(Succeed()) }()
			current := eventuallyIn(g, bg, flinkv1beta1.BlueGreenActiveGreen, status.CurrentStatus)
			g.Expect(current.Status.ActiveDeployment).To(Equal("crash-green"))
			g.Eventually(func(g Gomega) { g.Expect(children(g, bg)).To(HaveKey("crash-green")) }, timeout, interval).Should(Succeed())
			g.Eventually(func(g Gomega) { g.Expect(children(g, bg)).To(HaveLen(1)) }, timeout, interval).Should(Succeed())

			expectGreenFromTheOneSavepoint(g, bg)
		})
	}
}

// expectGreenFromTheOneSavepoint checks how a transition ends, however often the operator died: one savepoint
// taken, green's spec and green's one job restored from it, green's JobManager started once.
func expectGreenFromTheOneSavepoint(g Gomega, bg *flinkv1beta1.FlinkBlueGreenDeployment) {
	savepoints, err := os.ReadDir(strings.TrimPrefix(stateConfig(bg.Namespace)[1], "file://"))
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(savepoints).To(HaveLen(1), "exactly one savepoint was taken")
	green := child(g, bg, "green")
	g.Expect(green.Spec.Job.InitialSavepointPath).To(ContainSubstring(savepoints[0].Name()))
	server, jobID := job(g, bg.Namespace, bg.Name+"-green")
	g.Expect(server.RestoredFrom(jobID)).To(Equal(green.Spec.Job.InitialSavepointPath))
	g.Expect(runtime.Starts(bg.Namespace, bg.Name+"-green")).To(Equal(1), "green's job started once")
	g.Expect(server.JobIDs()).To(HaveLen(1))
}
