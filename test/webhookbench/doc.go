// Package webhookbench measures Teal's admission webhooks as a cluster uses them: a real kube-apiserver calls
// them over TLS for server-side dry-run creates of all four kinds, valid and invalid, with 32 requests in
// flight. The webhooks run in their own process (the operator binary with --controllers=false), which measures
// its own share: controller-runtime's handler latency histogram (native buckets) scraped from its /metrics,
// with its CPU time, allocations, GC cycles and the time its threads waited for a CPU. The benchmark also reports
// the client's latency and the throughput (see docs/performance.md); it asserts no timing.
// TEAL_WEBHOOKBENCH_PPROF=127.0.0.1:6060 serves the process's pprof profiles during a run.
package webhookbench
