package stack

import (
	"context"
	"testing"

	. "github.com/onsi/gomega"

	"github.com/teal-flink/teal/internal/manager"
	"github.com/teal-flink/teal/test/crash"
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

// KillDuring kills the stack's kind of operator mid-step with crash.Kill: hook installs step hooks on the
// operator's options that call hang at the step the test chooses; the fresh operator started afterwards is
// returned (the caller stops it).
func (s *Stack) KillDuring(g Gomega, hook func(options *manager.Options, hang func(ctx context.Context)), act func()) *testenv.Manager {
	return crash.Kill(g, Timeout, func(hang func(ctx context.Context)) (*testenv.Manager, error) {
		return s.StartOperator(func(options *manager.Options) { hook(options, hang) })
	}, func() (*testenv.Manager, error) { return s.StartOperator() }, act)
}
