package bluegreen_test

import (
	"context"

	. "github.com/onsi/gomega"
	eventsv1 "k8s.io/api/events/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
)

type eventsList struct{}

// reasons lists the reasons of the events about bg.
func (eventsList) reasons(g Gomega, bg *flinkv1beta1.FlinkBlueGreenDeployment) []string {
	var reasons []string
	g.Eventually(func(g Gomega) {
		list := &eventsv1.EventList{}
		g.Expect(env.Client.List(context.Background(), list, client.InNamespace(bg.Namespace))).To(Succeed())
		reasons = nil
		for _, event := range list.Items {
			if event.Regarding.Name == bg.Name && event.Regarding.Kind == "FlinkBlueGreenDeployment" {
				reasons = append(reasons, event.Reason)
			}
		}
		g.Expect(reasons).NotTo(BeEmpty())
	}, timeout, interval).Should(Succeed())
	return reasons
}
