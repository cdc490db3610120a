// Package gitops tests Teal's GitOps status contract from the outside, as the tools read it: a sequence of
// commits applied the way Flux applies them (server-side apply under a field manager), kstatus computed by
// sigs.k8s.io/cli-utils after each, and the shipped Argo CD health scripts (config/argocd) run with gopher-lua,
// the interpreter Argo CD embeds. The replay harness (Record, Replay) goes further: a watch started before a
// scenario records every version of every Teal object the API server stores, and each version is judged in
// resourceVersion order, since Argo CD and Flux act on each of them, not only on the ones a poll happens to see.
package gitops
