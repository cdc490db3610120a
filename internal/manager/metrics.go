package manager

import (
	"github.com/prometheus/client_golang/prometheus"
	ctrl "sigs.k8s.io/controller-runtime"

	"github.com/teal-flink/teal/internal/metrics"
)

// AddMetrics registers Teal's collectors with registerer (controller-runtime's metrics.Registry in main.go,
// next to its reconcile and work-queue metrics) and runs the savepoint observer on the leader. The blue/green
// and Flink REST hooks are passed to Setup: Options.BlueGreenMetrics = m.BlueGreen(), and
// Options.Flink = flinkapi.NewFactory(m.FlinkREST()).
func AddMetrics(mgr ctrl.Manager, m *metrics.Metrics, registerer prometheus.Registerer) error {
	if err := m.Register(registerer); err != nil {
		return err
	}
	return mgr.Add(m.Savepoints(mgr.GetCache()))
}
