// Package e2e runs the built operator binary against the test control plane with every Flink cluster it
// creates brought up as real Flink processes (test/sim/localruntime's FlinkBackend), on Flink 1.20 and 2.x. Logs of
// the operator and of every Flink process stay under test/e2e/_output when a test fails.
package e2e
