// Package conditions reads and writes the metav1.Condition lists of Teal's kinds: each write stamps the object's
// generation into the condition, keeps lastTransitionTime unless the status changes (the Kubernetes convention),
// bounds the message to what the API server accepts, and keeps Ready first so `kubectl get -o yaml` shows it at
// the top. Reconciling and Stalled exclude each other, as kstatus expects. The package is Teal's own, so nothing
// the operator links pulls in a test library.
package conditions
