package metrics

import (
	"strconv"
	"time"

	"github.com/teal-flink/teal/internal/flink"
)

// FlinkREST returns the flink.Observer that records the latency and errors of every Flink REST request attempt.
func (m *Metrics) FlinkREST() flink.Observer { return restObserver{metrics: m} }

type restObserver struct{ metrics *Metrics }

func (o restObserver) ObserveRequest(endpoint string, status int, duration time.Duration) {
	o.metrics.restDuration.WithLabelValues(endpoint).Observe(duration.Seconds())
	if status == 0 || status >= 400 {
		o.metrics.restErrors.WithLabelValues(endpoint, strconv.Itoa(status)).Inc()
	}
}
