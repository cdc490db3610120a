// Package scale benchmarks the operator binary with hundreds of resources on Flink stand-ins (BenchmarkScale);
// its figures are recorded in docs/performance.md.
package scale
