package bluegreen_test

import (
	"testing"

	. "github.com/onsi/gomega"
	"sigs.k8s.io/cli-utils/pkg/kstatus/status"
	"sigs.k8s.io/controller-runtime/pkg/client"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
	"github.com/teal-flink/teal/test/builders"
	"github.com/teal-flink/teal/test/stack"
)

// Defect 6 for blue/green: the reconcile after the one that recorded the hand-over savepoint's trigger id reads
// a cached copy without it; the intent write that copy leads to (a fresh trigger id) tests the resourceVersion it
// was read at, so it is refused and blue's job gets exactly one hand-over savepoint.
func TestBlueGreenReadYourOwnWritesNoSecondSavepoint(t *testing.T) {
	g := NewWithT(t)
	lagging := stack.NewLaggingTriggerCache(
		func(b *flinkv1beta1.FlinkBlueGreenDeployment) string { return b.Status.SavepointTriggerID },
		func(b *flinkv1beta1.FlinkBlueGreenDeployment) { b.Status.SavepointTriggerID = "" })
	stack.RunLagging(t, stk, lagging)

	bg := newBlueGreen(g, "lagging", []builders.DeploymentOption{builders.WithUpgradeMode(flinkv1beta1.UpgradeModeSavepoint)})
	lagging.Watch(client.ObjectKeyFromObject(bg))
	eventuallyIn(g, bg, flinkv1beta1.BlueGreenActiveBlue, status.CurrentStatus)
	blue, _ := job(g, bg.Namespace, "lagging-blue")
	before := blue.SavepointTriggers()

	current, _ := transition(g, bg)
	g.Expect(current.Status.ActiveDeployment).To(Equal("lagging-green"))
	g.Expect(lagging.ServedStale()).To(BeNumerically(">=", 1), "the cache lagged behind the recorded trigger id")
	g.Expect(blue.SavepointTriggers()-before).To(BeEquivalentTo(1), "exactly one hand-over savepoint was started")
}
