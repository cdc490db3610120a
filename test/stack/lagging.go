package stack

import (
	"context"
	"reflect"
	"sync"
	"testing"

	. "github.com/onsi/gomega"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	apiruntime "k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
	"github.com/teal-flink/teal/internal/manager"
)

// LaggingCache wraps an operator's client so that it plays an informer cache lagging behind the controller's
// own writes: after the status write that records a savepoint trigger id on the watched object, the next read
// of that object returns it as it was before that write (the status written so far, without the trigger).
// Read-your-own-writes tests use it to show that a controller never acts on such a copy (a second savepoint).
// T is the object's pointer type (*FlinkDeployment, *FlinkSessionJob, *FlinkStateSnapshot).
type LaggingCache[T client.Object] struct {
	client.Client
	// triggerID reads the savepoint trigger id a T records; forget removes it (and its timestamp) from a copy.
	triggerID func(T) string
	forget    func(T)

	mu  sync.Mutex
	key types.NamespacedName
	// lastRead is the object as last read through the client.
	lastRead T
	// stale is served by the next read, once (nil when none is due).
	stale T
	// served counts the stale copies served: evidence that the lag happened.
	served int
}

// NewLaggingCache returns a LaggingCache for objects of type T; jobStatus reaches a T's job status.
func NewLaggingCache[T client.Object](jobStatus func(T) *flinkv1beta1.JobStatus) *LaggingCache[T] {
	return NewLaggingTriggerCache(func(obj T) string {
		if info := jobStatus(obj).SavepointInfo; info != nil {
			return info.TriggerID
		}
		return ""
	}, func(obj T) {
		if info := jobStatus(obj).SavepointInfo; info != nil {
			info.TriggerID, info.TriggerTimestamp = "", nil
		}
	})
}

// NewLaggingTriggerCache returns a LaggingCache for objects of type T that record their trigger id elsewhere
// (a FlinkStateSnapshot's status.triggerId): triggerID reads it, forget removes it and its timestamp from a copy.
func NewLaggingTriggerCache[T client.Object](triggerID func(T) string, forget func(T)) *LaggingCache[T] {
	return &LaggingCache[T]{triggerID: triggerID, forget: forget}
}

// Watch names the object whose reads lag.
func (c *LaggingCache[T]) Watch(key types.NamespacedName) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.key = key
}

// Wrap makes c the client the operator uses (manager.Options.WrapClient).
func (c *LaggingCache[T]) Wrap(inner client.Client) client.Client {
	c.Client = inner
	return c
}

// ServedStale counts the stale copies served so far.
func (c *LaggingCache[T]) ServedStale() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.served
}

// Get serves the stale copy once when one is due, and remembers every read of the watched object.
func (c *LaggingCache[T]) Get(ctx context.Context, key client.ObjectKey, obj client.Object, opts ...client.GetOption) error {
	typed, ok := obj.(T)
	c.mu.Lock()
	if !ok || key != c.key {
		c.mu.Unlock()
		return c.Client.Get(ctx, key, obj, opts...)
	}
	defer c.mu.Unlock()
	if !isNil(c.stale) {
		reflect.ValueOf(typed).Elem().Set(reflect.ValueOf(c.stale.DeepCopyObject()).Elem())
		var none T
		c.stale = none
		c.served++
		return nil
	}
	if err := c.Client.Get(ctx, key, obj, opts...); err != nil {
		return err
	}
	c.lastRead = typed.DeepCopyObject().(T)
	return nil
}

// Status intercepts status writes to arm the lag.
func (c *LaggingCache[T]) Status() client.SubResourceWriter {
	return &laggingStatus[T]{SubResourceWriter: c.Client.Status(), cache: c}
}

type laggingStatus[T client.Object] struct {
	client.SubResourceWriter
	cache *LaggingCache[T]
}

// Patch arms one stale read when this write is the first to record a trigger id the last read did not have.
func (w *laggingStatus[T]) Patch(ctx context.Context, obj client.Object, patch client.Patch, opts ...client.SubResourcePatchOption) error {
	c := w.cache
	if written, ok := c.decode(obj); ok && client.ObjectKeyFromObject(obj) == c.key {
		c.mu.Lock()
		if c.recordsTrigger(written) && !isNil(c.lastRead) && !c.recordsTrigger(c.lastRead) && c.served == 0 {
			if stale, err := withStatusOf(c.lastRead, written); err == nil {
				c.forget(stale)
				c.stale = stale
			}
		}
		c.mu.Unlock()
	}
	return w.SubResourceWriter.Patch(ctx, obj, patch, opts...)
}

// decode reads the object a status write sends: typed, or an unstructured copy.
func (c *LaggingCache[T]) decode(obj client.Object) (T, bool) {
	if typed, ok := obj.(T); ok {
		return typed, true
	}
	var none T
	content, ok := obj.(*unstructured.Unstructured)
	if !ok {
		return none, false
	}
	typed := reflect.New(reflect.TypeOf(none).Elem()).Interface().(T)
	if err := apiruntime.DefaultUnstructuredConverter.FromUnstructured(content.Object, typed); err != nil {
		return none, false
	}
	return typed, true
}

func (c *LaggingCache[T]) recordsTrigger(obj T) bool {
	return c.triggerID(obj) != ""
}

// withStatusOf returns a copy of base carrying the status of from.
func withStatusOf[T client.Object](base, from T) (T, error) {
	var none T
	baseContent, err := apiruntime.DefaultUnstructuredConverter.ToUnstructured(base)
	if err != nil {
		return none, err
	}
	fromContent, err := apiruntime.DefaultUnstructuredConverter.ToUnstructured(from)
	if err != nil {
		return none, err
	}
	baseContent["status"] = fromContent["status"]
	merged := reflect.New(reflect.TypeOf(none).Elem()).Interface().(T)
	if err := apiruntime.DefaultUnstructuredConverter.FromUnstructured(baseContent, merged); err != nil {
		return none, err
	}
	return merged, nil
}

func isNil[T client.Object](obj T) bool {
	value := reflect.ValueOf(obj)
	return !value.IsValid() || value.IsNil()
}

// RunLagging steps the stack's operator aside (StepAside) and starts one whose client is the lagging cache, for
// the rest of the test: at its end that operator is stopped and the stack's own started again.
func RunLagging[T client.Object](t testing.TB, s *Stack, lagging *LaggingCache[T]) {
	t.Cleanup(s.StepAside(t))
	operator, err := s.StartOperator(func(o *manager.Options) { o.WrapClient = lagging.Wrap })
	NewWithT(t).Expect(err).NotTo(HaveOccurred())
	t.Cleanup(func() { NewWithT(t).Expect(operator.Stop()).To(Succeed()) })
}
