package bluegreen_test

import (
	"context"
	"testing"

	. "github.com/onsi/gomega"
	eventsv1 "k8s.io/api/events/v1"
	"sigs.k8s.io/cli-utils/pkg/kstatus/status"
	"sigs.k8s.io/controller-runtime/pkg/client"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
	"github.com/teal-flink/teal/test/builders"
	"github.com/teal-flink/teal/test/sim/flinkstandin"
)

// Defect 9: the active child deleted by hand is re-created from the newest state its job left (read from its
// JobManager while the child is still terminating), not rewound to the last hand-over savepoint, and a Warning
// event names the state it restores from.
func TestDefect9DeletedActiveChildIsRecreatedFromItsNewestState(t *testing.T) {
	g := NewWithT(t)
	ctx := context.Background()
	bg := newBlueGreen(g, "deleted", []builders.DeploymentOption{builders.WithUpgradeMode(flinkv1beta1.UpgradeModeSavepoint),
		// The deletion waits for a savepoint, which the test holds back: the child terminates slowly.
		builders.WithConfig("kubernetes.operator.job.savepoint-on-deletion", "true")})
	eventuallyIn(g, bg, flinkv1beta1.BlueGreenActiveBlue, status.CurrentStatus)
	active, _ := transition(g, bg)
	handOver := active.Status.JobStatus.UpgradeSavepointPath
	g.Expect(handOver).NotTo(BeEmpty())
	server, jobID := job(g, bg.Namespace, "deleted-green")
	checkpoint(g, server.URL(), jobID)
	counter, _ := server.CheckpointCounter(jobID)
	server.SetFaults(flinkstandin.Faults{SavepointNeverCompletes: true})

	g.Expect(env.Client.Delete(ctx, child(g, bg, "green"))).To(Succeed())
	g.Eventually(func(g Gomega) {
		g.Expect(warnings(g, bg)).To(ContainElement(HaveField("Note", And(
			ContainSubstring("deleted outside the operator"), ContainSubstring("newest state its job left")))))
	}, timeout, interval).Should(Succeed())
	server.SetFaults(flinkstandin.Faults{})

	current := eventuallyIn(g, bg, flinkv1beta1.BlueGreenActiveGreen, status.CurrentStatus)
	green := child(g, bg, "green")
	g.Expect(green.Spec.Job.InitialSavepointPath).To(Equal(current.Status.JobStatus.UpgradeSavepointPath))
	g.Expect(green.Spec.Job.InitialSavepointPath).NotTo(Equal(handOver), "rewound to the hand-over savepoint")
	g.Expect(warnings(g, bg)).To(ContainElement(HaveField("Note", ContainSubstring(green.Spec.Job.InitialSavepointPath))),
		"a Warning names the state the child restores from")
	g.Eventually(func(g Gomega) {
		recreated, recreatedJob := job(g, bg.Namespace, "deleted-green")
		g.Expect(recreated.RestoredFrom(recreatedJob)).To(Equal(green.Spec.Job.InitialSavepointPath))
		resumed, _ := recreated.CheckpointCounter(recreatedJob)
		g.Expect(resumed).To(BeNumerically(">", counter), "the checkpoint counter continues past the deleted child's checkpoint")
	}, timeout, interval).Should(Succeed())
}

func warnings(g Gomega, bg *flinkv1beta1.FlinkBlueGreenDeployment) []eventsv1.Event {
	events := &eventsv1.EventList{}
	g.Expect(env.Client.List(context.Background(), events, client.InNamespace(bg.Namespace))).To(Succeed())
	var found []eventsv1.Event
	for _, event := range events.Items {
		if event.Type == "Warning" && event.Regarding.Kind == "FlinkBlueGreenDeployment" && event.Regarding.Name == bg.Name {
			found = append(found, event)
		}
	}
	return found
}
