// Package crash kills an operator at a chosen step of a reconcile and starts a fresh one, for the crash tests of
// every controller: the operator's step hook (OnStep) blocks at the step until the process is stopped, so the
// reconcile never writes its final status — as if the process had died there.
package crash
