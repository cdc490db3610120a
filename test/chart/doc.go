// Package chart tests what a platform team installs: the Helm chart in charts/teal: it lints and renders each install variant (cluster-wide,
// namespace-scoped, cert-manager, built-in certificates, high availability), sends every rendered object to a
// real API server as a server-side dry-run (with cert-manager's CRDs installed), and checks that the chart's
// CRDs, RBAC rules, webhooks and flags are the generated and defined ones, and that the Dockerfile builds what
// `make build` builds.
package chart
