package operatorconfig

// Keys of the events Teal emits for job exceptions (upstream's names and defaults).
const (
	KeyExceptionStacktraceLines = "kubernetes.operator.events.exceptions.stacktrace-lines"
	KeyExceptionLimit           = "kubernetes.operator.events.exceptions.limit-per-reconciliation"
)

func init() {
	intDefaults[KeyExceptionStacktraceLines] = 5
	intDefaults[KeyExceptionLimit] = 10
}
