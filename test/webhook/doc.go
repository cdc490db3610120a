// Package webhook tests Teal's admission webhooks end to end: a real kube-apiserver calls them over TLS, and
// the tests create, update, dry-run and kubectl-apply valid and invalid objects of all four kinds, asserting
// what a user sees: accepted or rejected, and the field path each rejection names.
package webhook
