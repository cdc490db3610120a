package manager

import (
	"strconv"
	"strings"
	"time"

	"k8s.io/utils/ptr"
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
//
// The controllers use client-go's rate-limited work queue, not controller-runtime's priority queue (on by
// default since v0.23). In v0.24.1 the priority queue can deadlock on shutdown (controller-runtime#3538): a
// worker waiting for an item returns when the queue shuts down, while the queue's dispatcher, already awake,
// blocks for good handing that worker an item with the queue's lock held; the worker that next finishes an item
// waits on that lock, and the manager gives up after its 30 s grace period without the controller having
// stopped. It happened about once in 60 runs of the blue/green crash chain. The fix (#3540) is only in
// releases that need k8s.io v0.37.
func controllerOptions(opts Options) controller.Options {
	return controller.Options{
		MaxConcurrentReconciles: reconcileParallelism(opts.OperatorConfig()),
		ReconciliationTimeout:   ReconcileTimeout,
		UsePriorityQueue:        ptr.To(false),
	}
}
