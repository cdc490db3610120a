// Package webhookbench measures Teal's admission webhooks as a cluster uses them: a real kube-apiserver calls
// them over TLS for server-side dry-run creates of all four kinds, valid and invalid, with 32 requests in
// flight. It reports the client's latency, the webhook server's own share and the throughput (see
// docs/performance.md); it asserts no timing.
package webhookbench
