package stack

import (
	"context"
	"sync"
	"testing"

	. "github.com/onsi/gomega"

	"github.com/teal-flink/teal/internal/failpoint"
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

// KillChain kills the stack's kind of operator at each crash point in turn, within one operation: the first
// operator (act sets the operation going once it runs) dies at points[0], a fresh one resumes and dies at
// points[1], and so on, each through the same hooks the operator binary installs for TEAL_CRASH_AT
// (manager.InstallCrashPoint); every point must be reached. Dying is crash.Kill's: the hook hangs until the
// process is stopped, so neither the Flink call nor the status patch after the point happens. The operator
// started after the last death, with no crash point, is returned (the caller stops it).
func (s *Stack) KillChain(g Gomega, points []failpoint.Point, act func()) *testenv.Manager {
	for i, point := range points {
		reached := make(chan struct{})
		var once sync.Once
		dying, err := s.StartOperator(func(options *manager.Options) {
			manager.InstallCrashPoint(options, point, func(ctx context.Context) {
				once.Do(func() { close(reached) })
				<-ctx.Done()
			})
		})
		g.Expect(err).NotTo(HaveOccurred())
		if i == 0 {
			act()
		}
		g.Eventually(reached, Timeout).Should(BeClosed(), "crash point %d of %d never reached: %s", i+1, len(points), point)
		g.Expect(dying.Stop()).To(Succeed())
	}
	operator, err := s.StartOperator()
	g.Expect(err).NotTo(HaveOccurred())
	return operator
}
