package bluegreen_test

import (
	"testing"

	. "github.com/onsi/gomega"
	"sigs.k8s.io/cli-utils/pkg/kstatus/status"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
	"github.com/teal-flink/teal/internal/failpoint"
	"github.com/teal-flink/teal/test/builders"
	"github.com/teal-flink/teal/test/crash"
)

// TestOperatorKilledAlongBlueGreenCrashChain kills the operator at every point of the BASIC transition's chain
// (test/crash), one after another within one transition — the chain test/e2e runs with the operator binary on
// real Flink. The transition must end ACTIVE_GREEN with one child, one savepoint, and green started once, from
// that savepoint.
func TestOperatorKilledAlongBlueGreenCrashChain(t *testing.T) {
	g := NewWithT(t)
	g.Expect(stk.Operator.Stop()).To(Succeed())
	defer func() {
		var err error
		stk.Operator, err = startOperator()
		NewWithT(t).Expect(err).NotTo(HaveOccurred())
	}()
	first, err := startOperator()
	g.Expect(err).NotTo(HaveOccurred())
	bg := newBlueGreen(g, "chain", []builders.DeploymentOption{builders.WithUpgradeMode(flinkv1beta1.UpgradeModeSavepoint)})
	eventuallyIn(g, bg, flinkv1beta1.BlueGreenActiveBlue, status.CurrentStatus)
	g.Expect(first.Stop()).To(Succeed())

	points := crash.Points(failpoint.KindFlinkBlueGreenDeployment, bg.Namespace, bg.Name, crash.BlueGreenTransitionChain)
	fresh := stk.KillChain(g, points, func() {
		update(g, bg, func(b *flinkv1beta1.FlinkBlueGreenDeployment) { b.Spec.Template.Spec.Image = "flink:1.20.1" })
	})
	defer func() { g.Expect(fresh.Stop()).To(Succeed()) }()

	current := eventuallyIn(g, bg, flinkv1beta1.BlueGreenActiveGreen, status.CurrentStatus)
	g.Expect(current.Status.ActiveDeployment).To(Equal("chain-green"))
	g.Eventually(func(g Gomega) { g.Expect(children(g, bg)).To(HaveLen(1)) }, timeout, interval).Should(Succeed())
	expectGreenFromTheOneSavepoint(g, bg)
}
