package stack

import (
	"context"
	"sync"
	"testing"

	. "github.com/onsi/gomega"

	"github.com/teal-flink/teal/internal/manager"
	"github.com/teal-flink/teal/test/testenv"
)

// StepAside stops the stack's operator for a test that runs operators of its own (one operator at a time, as
// with leader election); the returned function starts a fresh one again.
func (s *Stack) StepAside(t testing.TB) func() {
	NewWithT(t).Expect(s.Operator.Stop()).To(Succeed())
	return func() {
		var err error
		s.Operator, err = s.StartOperator()
		NewWithT(t).Expect(err).NotTo(HaveOccurred())
	}
}

// KillDuring kills an operator mid-step, as a crash would. It starts an operator whose step hooks, set by hook,
// call hang at the step the test chooses: hang blocks until the operator is stopped, so nothing the reconcile
// would do next (its Flink call, its final status patch) happens. act sets things going; once a hook hung, that
// operator is stopped and a fresh one started, which the caller stops.
func (s *Stack) KillDuring(g Gomega, hook func(options *manager.Options, hang func(ctx context.Context)), act func()) *testenv.Manager {
	killed := make(chan struct{})
	var once sync.Once
	hang := func(ctx context.Context) {
		once.Do(func() { close(killed) })
		<-ctx.Done() // the process hangs here until it is killed
	}
	dying, err := s.StartOperator(func(options *manager.Options) { hook(options, hang) })
	g.Expect(err).NotTo(HaveOccurred())
	act()
	g.Eventually(killed, Timeout).Should(BeClosed())
	g.Expect(dying.Stop()).To(Succeed())
	fresh, err := s.StartOperator()
	g.Expect(err).NotTo(HaveOccurred())
	return fresh
}
