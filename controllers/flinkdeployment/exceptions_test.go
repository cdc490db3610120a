package flinkdeployment_test

import (
	"context"
	"strings"
	"testing"

	. "github.com/onsi/gomega"
	eventsv1 "k8s.io/api/events/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/teal-flink/teal/controllers/flinkdeployment"
	"github.com/teal-flink/teal/test/sim/localruntime"
)

// A job's exceptions become Warning events, each once, with a bounded stack trace.
func TestJobExceptionsBecomeWarningEvents(t *testing.T) {
	g := NewWithT(t)
	ctx := context.Background()
	deployment := newDeployment(g, "exceptions")
	server := localruntime.Server(runtime.Cluster(deployment.Namespace, deployment.Name))
	g.Expect(server).NotTo(BeNil())
	trace := []string{"java.lang.IllegalStateException: boom"}
	for i := 0; i < 9; i++ {
		trace = append(trace, "\tat org.example.Job.step(Job.java:1)")
	}
	g.Expect(server.FailJob(deployment.Status.JobStatus.JobID, strings.Join(trace, "\n"))).To(Succeed())

	var reported []eventsv1.Event
	g.Eventually(func(g Gomega) {
		events := &eventsv1.EventList{}
		g.Expect(env.Client.List(ctx, events, client.InNamespace(deployment.Namespace))).To(Succeed())
		reported = nil
		for _, event := range events.Items {
			if event.Reason == flinkdeployment.ReasonJobException && event.Regarding.Name == deployment.Name {
				reported = append(reported, event)
			}
		}
		g.Expect(reported).NotTo(BeEmpty())
	}, timeout, interval).Should(Succeed())
	g.Expect(reported).To(HaveLen(1), "one exception, one event, however often the controller looks")
	g.Expect(reported[0].Type).To(Equal("Warning"))
	g.Expect(reported[0].Note).To(ContainSubstring("boom"))
	g.Expect(strings.Split(reported[0].Note, "\n")).To(HaveLen(6), "five lines of the stack trace and a marker")
	g.Expect(reported[0].Note).To(MatchRegexp(`… \(\d+ more lines\)$`))
}
