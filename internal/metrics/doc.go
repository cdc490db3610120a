// Package metrics exposes Teal's Prometheus metrics: gauges of the resources per kind, namespace, lifecycle
// state, JobManager deployment status and blue/green state, computed on each scrape from the manager's cache;
// blue/green transition durations and failures through the blue/green reconciler's TransitionRecorder hook;
// savepoint durations and failures from FlinkStateSnapshot status changes; and Flink REST latency and errors
// through flink.Observer. docs/metrics.md lists them with the upstream metric each corresponds to.
package metrics
