package manager

import (
	"testing"

	. "github.com/onsi/gomega"

	"github.com/teal-flink/teal/internal/operatorconfig"
)

func TestReconcileParallelism(t *testing.T) {
	cases := []struct {
		name  string
		value string
		want  int
	}{
		{"unset is upstream's default", "", DefaultReconcileParallelism},
		{"a number", "16", 16},
		{"one reconcile at a time", "1", 1},
		{"-1 is unbounded", "-1", unboundedParallelism},
		{"malformed falls back to the default", "many", DefaultReconcileParallelism},
		{"zero falls back to the default", "0", DefaultReconcileParallelism},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			g := NewWithT(t)
			values := map[string]string{}
			if tc.value != "" {
				values[KeyReconcileParallelism] = tc.value
			}
			config := operatorconfig.New(values)
			g.Expect(reconcileParallelism(config)).To(Equal(tc.want))
			options := controllerOptions(Options{OperatorConfig: func() *operatorconfig.Config { return config }})
			g.Expect(options.MaxConcurrentReconciles).To(Equal(tc.want))
			g.Expect(options.ReconciliationTimeout).To(Equal(ReconcileTimeout))
		})
	}
}

// TestControllersDoNotUseThePriorityQueue: controller-runtime v0.24.1's priority queue can deadlock on shutdown
// (controller-runtime#3538; see controllerOptions), so every controller asks for the rate-limited queue.
func TestControllersDoNotUseThePriorityQueue(t *testing.T) {
	g := NewWithT(t)
	options := controllerOptions(Options{OperatorConfig: func() *operatorconfig.Config { return operatorconfig.New(nil) }})
	g.Expect(options.UsePriorityQueue).NotTo(BeNil(), "unset means controller-runtime's default, the priority queue")
	g.Expect(*options.UsePriorityQueue).To(BeFalse())
}
