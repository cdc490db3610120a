package flinkdeployment_test

import (
	"testing"

	. "github.com/onsi/gomega"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
	"github.com/teal-flink/teal/internal/operatorconfig"
	"github.com/teal-flink/teal/test/builders"
)

// Defect 5 (the controllers disagreed): the FlinkDeployment's upgrade savepoint was taken without the format
// kubernetes.operator.savepoint.format.type asks for (its Flink adapter dropped it), while status recorded that
// format and the session job passed it. Both now stop the job through jobops.StopWithSavepoint, which sends the
// recorded format; the stand-in reports a savepoint's format as Flink's checkpoint statistics do (contract).
func TestUpgradeSavepointTakesConfiguredFormat(t *testing.T) {
	g := NewWithT(t)
	deployment := newDeployment(g, "native-format", builders.WithUpgradeMode(flinkv1beta1.UpgradeModeSavepoint),
		builders.WithConfig(operatorconfig.KeySavepointFormatType, "NATIVE"))
	oldJobManager := stk.Standin(g, deployment.Namespace, deployment.Name)
	oldJob := deployment.Status.JobStatus.JobID

	update(g, deployment, func(d *flinkv1beta1.FlinkDeployment) { d.Spec.Image = "flink:1.20.1" })
	g.Eventually(func(g Gomega) {
		current := eventuallyReady(g, deployment)
		g.Expect(current.Generation).To(BeEquivalentTo(2))
		g.Expect(current.Status.JobStatus.SavepointInfo.LastSavepoint).NotTo(BeNil())
		g.Expect(current.Status.JobStatus.SavepointInfo.LastSavepoint.FormatType).To(Equal(flinkv1beta1.SavepointFormatNative))
	}, timeout, interval).Should(Succeed())
	g.Expect(oldJobManager.LatestSavepointFormat(oldJob)).To(Equal("NATIVE"), "the savepoint Flink took")
}
