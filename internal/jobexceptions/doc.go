// Package jobexceptions decides which of a Flink job's exceptions are new since the last report and how each
// reads as a Warning event (kubernetes.operator.events.exceptions.*): each exception is reported once, at most a
// limit per reconcile, with a bounded stack trace. It is pure apart from the in-memory record of what was
// reported; the controller emits the events.
package jobexceptions
