package metrics

import (
	"errors"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// Namespace prefixes every Teal metric.
const Namespace = "teal"

// Metrics holds Teal's own collectors. Create it with New and register it once with Register (main.go uses
// controller-runtime's metrics.Registry, so the metrics share the manager's /metrics endpoint with
// controller-runtime's reconcile and work-queue metrics).
type Metrics struct {
	resources *resourceCollector

	transitionDuration *prometheus.HistogramVec
	transitionFailures *prometheus.CounterVec
	stateChanges       *prometheus.CounterVec

	savepointDuration *prometheus.HistogramVec
	savepointFailures *prometheus.CounterVec

	restDuration *prometheus.HistogramVec
	restErrors   *prometheus.CounterVec
}

// New creates the collectors; reader lists the resources on each scrape and should be the manager's cache.
func New(reader client.Reader) *Metrics {
	return &Metrics{
		resources: newResourceCollector(reader, 10*time.Second),
		transitionDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: Namespace, Subsystem: "bluegreen", Name: "transition_duration_seconds",
			Help: "Duration of finished blue/green transitions (initial_deployment, blue_to_green, green_to_blue), from the " +
				"state change that started them to the state change that ended them, by outcome.",
			Buckets: []float64{1, 5, 10, 30, 60, 120, 300, 600, 1200, 1800, 3600},
		}, []string{"namespace", "transition", "outcome"}),
		transitionFailures: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: Namespace, Subsystem: "bluegreen", Name: "transition_failures_total",
			Help: "Blue/green transitions that failed, by reason (TransitionAborted, SavepointFailed).",
		}, []string{"namespace", "transition", "reason"}),
		stateChanges: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: Namespace, Subsystem: "bluegreen", Name: "state_changes_total",
			Help: "Blue/green state changes, by the state entered.",
		}, []string{"namespace", "state"}),
		savepointDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: Namespace, Subsystem: "savepoint", Name: "duration_seconds",
			Help:    "Duration of completed savepoints (FlinkStateSnapshot triggerTimestamp to resultTimestamp), by kind of the job's resource.",
			Buckets: []float64{0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800},
		}, []string{"namespace", "kind"}),
		savepointFailures: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: Namespace, Subsystem: "savepoint", Name: "failures_total",
			Help: "Failed savepoint attempts (each counted in FlinkStateSnapshot status.failures), by kind of the job's resource.",
		}, []string{"namespace", "kind"}),
		restDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: Namespace, Subsystem: "flink_rest", Name: "request_duration_seconds",
			Help:    "Latency of each Flink REST request attempt the operator makes, by endpoint template.",
			Buckets: []float64{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10},
		}, []string{"endpoint"}),
		restErrors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: Namespace, Subsystem: "flink_rest", Name: "request_errors_total",
			Help: "Flink REST request attempts that failed, by endpoint template and HTTP status code (0: no response).",
		}, []string{"endpoint", "code"}),
	}
}

// Register adds every collector to registerer.
func (m *Metrics) Register(registerer prometheus.Registerer) error {
	var errs []error
	for _, collector := range []prometheus.Collector{
		m.resources, m.transitionDuration, m.transitionFailures, m.stateChanges,
		m.savepointDuration, m.savepointFailures, m.restDuration, m.restErrors,
	} {
		errs = append(errs, registerer.Register(collector))
	}
	return errors.Join(errs...)
}
