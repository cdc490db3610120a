package crash

import (
	"context"
	"sync"
	"time"

	. "github.com/onsi/gomega"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/teal-flink/teal/test/testenv"
)

// Hook is an operator's step hook for objects of type T.
type Hook[T client.Object] func(ctx context.Context, object T, step string)

// Starter starts an operator process with the given step hook (nil: none).
type Starter[T client.Object] func(hook Hook[T]) (*testenv.Manager, error)

// At matches the step the operator dies at, for object.
type At[T client.Object] func(object T, step string) bool

// StepIs matches a step by name, for any object.
func StepIs[T client.Object](name string) At[T] {
	return func(_ T, step string) bool { return step == name }
}

// Kill kills an operator mid-step, as a crash would. start starts an operator whose step hooks call hang at the
// step the test chooses; hang blocks until that operator is stopped, so nothing the reconcile would do next (its
// Flink call, its final status patch) happens. act sets things going; once a hook hung within timeout, the
// operator is stopped and restart starts a fresh one, which Kill returns (the caller stops it).
func Kill(g Gomega, timeout time.Duration, start func(hang func(ctx context.Context)) (*testenv.Manager, error),
	restart func() (*testenv.Manager, error), act func()) *testenv.Manager {
	killed := make(chan struct{})
	var once sync.Once
	hang := func(ctx context.Context) {
		once.Do(func() { close(killed) })
		<-ctx.Done() // the process hangs here until it is stopped
	}
	dying, err := start(hang)
	g.Expect(err).NotTo(HaveOccurred())
	act()
	g.Eventually(killed, timeout).Should(BeClosed(), "the operator never reached the step")
	g.Expect(dying.Stop()).To(Succeed())
	fresh, err := restart()
	g.Expect(err).NotTo(HaveOccurred())
	return fresh
}

// During is Kill for an operator started by start with a step hook: it dies at the first step of target
// matching at, and the fresh operator has no hook.
func During[T client.Object](g Gomega, timeout time.Duration, start Starter[T], target client.Object, at At[T], act func()) *testenv.Manager {
	return Kill(g, timeout, func(hang func(ctx context.Context)) (*testenv.Manager, error) {
		return start(func(ctx context.Context, object T, step string) {
			if object.GetName() == target.GetName() && object.GetNamespace() == target.GetNamespace() && at(object, step) {
				hang(ctx)
			}
		})
	}, func() (*testenv.Manager, error) { return start(nil) }, act)
}

// Alone runs setup with an operator of its own, stopped afterwards, so that the test then runs only the
// operators it means to kill.
func Alone[T client.Object](g Gomega, start Starter[T], setup func()) {
	first, err := start(nil)
	g.Expect(err).NotTo(HaveOccurred())
	setup()
	g.Expect(first.Stop()).To(Succeed())
}
