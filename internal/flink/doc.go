// Package flink is Teal's client for the Apache Flink JobManager REST API (the "dispatcher" API of a session or
// application cluster). It speaks plain net/http, takes a context on every call, and covers what the operator
// needs: cluster and job observation, cancel, savepoints (plain, stop-with-savepoint, disposal), checkpoints,
// jar upload and run, and resource requirements. Asynchronous operations take a caller-supplied trigger ID
// (see TriggerID) so an operator that restarts mid-operation polls the same operation instead of starting a
// second one; Flink deduplicates triggers on that ID. Responses from Flink 1.19/1.20 and 2.x are decoded into
// one set of types, absorbing the wire quirks listed in docs/flink-compatibility.md. Failures surface as
// *APIError (HTTP status plus Flink's "errors" list) or ErrOperationNotFound for an expired async result.
package flink
