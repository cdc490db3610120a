package manager

import (
	"strconv"
	"strings"
	"time"

	"sigs.k8s.io/controller-runtime/pkg/controller"

	"github.com/teal-flink/teal/internal/operatorconfig"
)

// KeyReconcileParallelism is upstream's kubernetes.operator.reconcile.parallelism: how many resources of a kind
// reconcile at once, -1 for no limit.
const KeyReconcileParallelism = operatorconfig.KeyReconcileParallelism

// DefaultReconcileParallelism is upstream's default for KeyReconcileParallelism (the Java Operator SDK 4's
// reconciliation thread count).
const DefaultReconcileParallelism = 200

// unboundedParallelism stands for -1: controller-runtime needs a number of workers.
const unboundedParallelism = 1000

// ReconcileTimeout bounds one reconcile, so a JobManager that hangs every REST call costs its own resource a
// retry, never a worker for good. A reconcile makes a handful of REST calls, each bounded by
// kubernetes.operator.flink.client.timeout (with retries), and a few API requests.
const ReconcileTimeout = 2 * time.Minute

// reconcileParallelism reads KeyReconcileParallelism; a malformed or zero value means the default.
func reconcileParallelism(config *operatorconfig.Config) int {
	raw := strings.TrimSpace(config.String(KeyReconcileParallelism))
	if raw == "" {
		return DefaultReconcileParallelism
	}
	parallelism, err := strconv.Atoi(raw)
	switch {
	case err != nil || parallelism == 0 || parallelism < -1:
		return DefaultReconcileParallelism
	case parallelism == -1:
		return unboundedParallelism
	}
	return parallelism
}

// controllerOptions are the options every controller of the process runs with: upstream's reconcile
// parallelism, so one slow resource does not hold up the others, and a deadline per reconcile. The parallelism
// is read once at start, as upstream does.
func controllerOptions(opts Options) controller.Options {
	return controller.Options{
		MaxConcurrentReconciles: reconcileParallelism(opts.OperatorConfig()),
		ReconciliationTimeout:   ReconcileTimeout,
	}
}
