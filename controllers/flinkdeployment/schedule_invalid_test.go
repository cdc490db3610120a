package flinkdeployment_test

import (
	"testing"

	"github.com/fluxcd/pkg/runtime/conditions"
	. "github.com/onsi/gomega"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
	"github.com/teal-flink/teal/controllers/flinkdeployment"
	"github.com/teal-flink/teal/internal/manager"
	"github.com/teal-flink/teal/internal/operatorconfig"
)

// Defect 9: a periodic snapshot schedule that cannot be parsed (here in the operator's own configuration, which
// no webhook checks) is reported with a condition and a Warning event instead of silently taking no snapshots.
func TestInvalidPeriodicScheduleIsReported(t *testing.T) {
	g := NewWithT(t)
	defer stepAside(t)()
	values := stk.OperatorConfig().Values()
	values[operatorconfig.KeyPeriodicSavepointInterval] = "every tuesday"
	config := operatorconfig.New(values)
	operator, err := stk.StartOperator(func(o *manager.Options) {
		o.OperatorConfig = func() *operatorconfig.Config { return config }
	})
	g.Expect(err).NotTo(HaveOccurred())
	defer func() { g.Expect(operator.Stop()).To(Succeed()) }()

	deployment := newDeployment(g, "bad-schedule")
	g.Eventually(func(g Gomega) {
		current := get(g, deployment)
		g.Expect(conditions.IsFalse(current, flinkdeployment.ConditionPeriodicSnapshots)).To(BeTrue())
		g.Expect(conditions.GetReason(current, flinkdeployment.ConditionPeriodicSnapshots)).To(Equal(flinkv1beta1.ReasonScheduleInvalid))
		g.Expect(conditions.GetMessage(current, flinkdeployment.ConditionPeriodicSnapshots)).To(ContainSubstring("every tuesday"))
		g.Expect(warningEvents(g, current, flinkv1beta1.ReasonScheduleInvalid)).NotTo(BeEmpty())
	}, timeout, interval).Should(Succeed())
}
