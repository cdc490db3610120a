// Package flinkvalue parses configuration values the way Flink does: durations ("10 s", "5 min", "PT5M", plain
// milliseconds) and memory sizes ("2048m" in Flink's syntax, or a Kubernetes quantity such as "2Gi"). The
// validators, the operator configuration and the resource builders all read values through it, so a value that
// passes validation is read the same way everywhere.
package flinkvalue
