package resources

import "github.com/teal-flink/teal/internal/flinkvalue"

// MemoryBytes parses a memory size as upstream does: Flink's syntax first (2048m is 2048 MiB, 1g), else a
// Kubernetes quantity (2Gi, 1.5Gi).
func MemoryBytes(value string) (int64, error) { return flinkvalue.ParseMemory(value) }
