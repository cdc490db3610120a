// Package flinkstandin is an in-process stand-in for an Apache Flink JobManager: an HTTP server on a loopback
// port that serves the subset of the Flink REST API Teal uses (overview, config, task managers, jobs, jars,
// savepoints, stop-with-savepoint, checkpoints, savepoint disposal, resource requirements) with the wire shapes
// of Flink 1.20 or 2.x. It models jobs over time (INITIALIZING/CREATED → RUNNING, restarts, FAILED, FINISHED,
// CANCELED), advances a checkpoint counter, writes savepoints as real directories holding a _metadata file and
// restores the counter from them, honours triggerId idempotency and expires async results after the store
// duration. Time comes from a Clock, so tests step a ManualClock instead of sleeping, and Instant mode lets
// every async operation complete on its next poll. Faults let tests make jobs slow, failing or crash-looping,
// savepoints fail or hang, the REST API answer 5xx or hang, and the JobManager disappear. The contract suite in
// internal/flink runs the same assertions against this stand-in and real Flink, so the two cannot drift apart.
package flinkstandin
