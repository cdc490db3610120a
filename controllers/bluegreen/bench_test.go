package bluegreen_test

import (
	"sort"
	"testing"
	"time"

	. "github.com/onsi/gomega"
	"sigs.k8s.io/cli-utils/pkg/kstatus/status"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
	"github.com/teal-flink/teal/controllers/bluegreen"
	"github.com/teal-flink/teal/test/builders"
)

// BenchmarkBlueGreenTransition measures the operator-added latency of a full blue→green savepoint transition:
// from the spec update to ACTIVE_GREEN with kstatus Current. The stand-ins are instant (jobs run when first
// observed, savepoints complete on the first poll), so all of the time is the operators' own.
//
//	go test ./controllers/bluegreen -run '^$' -bench BlueGreenTransition -benchtime 5x
func BenchmarkBlueGreenTransition(b *testing.B) {
	g := NewWithT(b)
	g.Expect(stk.Operator.Stop()).To(Succeed())
	defer func() {
		var err error
		stk.Operator, err = startOperator()
		g.Expect(err).NotTo(HaveOccurred())
	}()
	bench, err := startInstrumentedOperator(func(*bluegreen.Reconciler) {})
	g.Expect(err).NotTo(HaveOccurred())
	defer func() { g.Expect(bench.Stop()).To(Succeed()) }()

	var samples []time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		bg := newBlueGreen(g, "bench", []builders.DeploymentOption{builders.WithUpgradeMode(flinkv1beta1.UpgradeModeSavepoint)},
			builders.WithBlueGreenConfig("kubernetes.operator.bluegreen.reconciliation.reschedule-interval", "1 s"))
		eventuallyInWithin(g, bg, flinkv1beta1.BlueGreenActiveBlue, 2*time.Minute)
		b.StartTimer()
		start := time.Now()
		update(g, bg, func(b *flinkv1beta1.FlinkBlueGreenDeployment) { b.Spec.Template.Spec.Image = "flink:1.20.1" })
		eventuallyInWithin(g, bg, flinkv1beta1.BlueGreenActiveGreen, 5*time.Minute)
		samples = append(samples, time.Since(start))
	}
	b.StopTimer()
	sort.Slice(samples, func(i, j int) bool { return samples[i] < samples[j] })
	median := samples[len(samples)/2]
	b.ReportMetric(float64(median.Milliseconds()), "median-ms/transition")
	b.Logf("transition latencies: %v (median %v)", samples, median)
}

func eventuallyInWithin(g Gomega, bg *flinkv1beta1.FlinkBlueGreenDeployment, state flinkv1beta1.FlinkBlueGreenDeploymentState, within time.Duration) {
	g.Eventually(func(g Gomega) {
		current := get(g, bg)
		g.Expect(current.Status.BlueGreenState).To(Equal(state))
		g.Expect(current.Status.ObservedGeneration).To(Equal(current.Generation))
		g.Expect(kstatus(g, current)).To(Equal(status.CurrentStatus))
	}, within, 10*time.Millisecond).Should(Succeed())
}
