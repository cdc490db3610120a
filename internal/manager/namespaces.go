package manager

import (
	"context"
	"sync"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/rest"
	toolscache "k8s.io/client-go/tools/cache"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/teal-flink/teal/internal/operatorconfig"
)

// NamespaceFilter is the set of watched namespaces when kubernetes.operator.dynamic.namespaces.enabled is true:
// the cache then watches every namespace and this filter decides, at each event and read, what the
// controllers see. A reload of the operator configuration changes the set without a restart; objects of a
// newly watched namespace are handed to the controllers at once.
type NamespaceFilter struct {
	mu         sync.RWMutex
	namespaces map[string]bool // nil: every namespace
	handlers   []replayTarget
}

// replayTarget is an event handler registered through the filter, with the informer whose objects it sees.
type replayTarget struct {
	informer toolscache.SharedIndexInformer
	handler  toolscache.ResourceEventHandler
}

// NewNamespaceFilter watches namespaces (nil: every namespace).
func NewNamespaceFilter(namespaces []string) *NamespaceFilter {
	filter := &NamespaceFilter{}
	filter.namespaces = asSet(namespaces)
	return filter
}

func asSet(namespaces []string) map[string]bool {
	if namespaces == nil {
		return nil
	}
	set := make(map[string]bool, len(namespaces))
	for _, namespace := range namespaces {
		set[namespace] = true
	}
	return set
}

// Watches reports whether objects of namespace are seen ("" — cluster-scoped objects — always is).
func (f *NamespaceFilter) Watches(namespace string) bool {
	f.mu.RLock()
	defer f.mu.RUnlock()
	return namespace == "" || f.namespaces == nil || f.namespaces[namespace]
}

// Set replaces the watched namespaces (nil: every namespace) and hands the objects of newly watched namespaces
// to the controllers as additions.
func (f *NamespaceFilter) Set(namespaces []string) {
	f.mu.Lock()
	previous := f.namespaces
	f.namespaces = asSet(namespaces)
	targets := append([]replayTarget(nil), f.handlers...)
	f.mu.Unlock()
	newlyWatched := func(namespace string) bool {
		return namespace != "" && previous != nil && !previous[namespace] && f.Watches(namespace)
	}
	for _, target := range targets {
		for _, item := range target.informer.GetStore().List() {
			if object, ok := item.(client.Object); ok && newlyWatched(object.GetNamespace()) {
				target.handler.OnAdd(object, false)
			}
		}
	}
}

// FollowReloads changes the watched namespaces when a reloaded configuration changes
// kubernetes.operator.watched.namespaces and has dynamic namespaces enabled; flag (--watch-namespaces) pins
// the set when given.
func (f *NamespaceFilter) FollowReloads(source *operatorconfig.Source, flag string) {
	source.OnChange(func(_, next *operatorconfig.Config) {
		if flag == "" && next.Bool(operatorconfig.KeyDynamicNamespaces) {
			f.Set(WatchedNamespaces("", next))
		}
	})
}

// NewCache is a cache.NewCacheFunc: the default cache over every namespace, seen through the filter.
func (f *NamespaceFilter) NewCache(config *rest.Config, options cache.Options) (cache.Cache, error) {
	options.DefaultNamespaces = nil
	inner, err := cache.New(config, options)
	if err != nil {
		return nil, err
	}
	return &filteredCache{Cache: inner, filter: f}, nil
}

// filteredCache hides the objects of unwatched namespaces from reads and event handlers.
type filteredCache struct {
	cache.Cache
	filter *NamespaceFilter
}

func (c *filteredCache) Get(ctx context.Context, key client.ObjectKey, obj client.Object, opts ...client.GetOption) error {
	if !c.filter.Watches(key.Namespace) {
		gvk := obj.GetObjectKind().GroupVersionKind()
		return apierrors.NewNotFound(schema.GroupResource{Group: gvk.Group, Resource: gvk.Kind}, key.Name)
	}
	return c.Cache.Get(ctx, key, obj, opts...)
}

func (c *filteredCache) List(ctx context.Context, list client.ObjectList, opts ...client.ListOption) error {
	if err := c.Cache.List(ctx, list, opts...); err != nil {
		return err
	}
	items, err := meta.ExtractList(list)
	if err != nil {
		return err
	}
	kept := items[:0]
	for _, item := range items {
		if object, ok := item.(client.Object); !ok || c.filter.Watches(object.GetNamespace()) {
			kept = append(kept, item)
		}
	}
	return meta.SetList(list, kept)
}

func (c *filteredCache) GetInformer(ctx context.Context, obj client.Object, opts ...cache.InformerGetOption) (cache.Informer, error) {
	informer, err := c.Cache.GetInformer(ctx, obj, opts...)
	if err != nil {
		return nil, err
	}
	return &filteredInformer{Informer: informer, filter: c.filter}, nil
}

func (c *filteredCache) GetInformerForKind(ctx context.Context, gvk schema.GroupVersionKind, opts ...cache.InformerGetOption) (cache.Informer, error) {
	informer, err := c.Cache.GetInformerForKind(ctx, gvk, opts...)
	if err != nil {
		return nil, err
	}
	return &filteredInformer{Informer: informer, filter: c.filter}, nil
}

// filteredInformer passes on only the events of watched namespaces and remembers its handlers for replays.
type filteredInformer struct {
	cache.Informer
	filter *NamespaceFilter
}

func (i *filteredInformer) wrap(handler toolscache.ResourceEventHandler) toolscache.ResourceEventHandler {
	filtered := filteringHandler{next: handler, filter: i.filter}
	if shared, ok := i.Informer.(toolscache.SharedIndexInformer); ok {
		i.filter.mu.Lock()
		i.filter.handlers = append(i.filter.handlers, replayTarget{informer: shared, handler: handler})
		i.filter.mu.Unlock()
	}
	return filtered
}

func (i *filteredInformer) AddEventHandler(handler toolscache.ResourceEventHandler) (toolscache.ResourceEventHandlerRegistration, error) {
	return i.Informer.AddEventHandler(i.wrap(handler))
}

func (i *filteredInformer) AddEventHandlerWithResyncPeriod(handler toolscache.ResourceEventHandler, resync time.Duration) (toolscache.ResourceEventHandlerRegistration, error) {
	return i.Informer.AddEventHandlerWithResyncPeriod(i.wrap(handler), resync)
}

func (i *filteredInformer) AddEventHandlerWithOptions(handler toolscache.ResourceEventHandler, options toolscache.HandlerOptions) (toolscache.ResourceEventHandlerRegistration, error) {
	return i.Informer.AddEventHandlerWithOptions(i.wrap(handler), options)
}

// filteringHandler drops the events of objects outside the watched namespaces.
type filteringHandler struct {
	next   toolscache.ResourceEventHandler
	filter *NamespaceFilter
}

func (h filteringHandler) watched(obj any) bool {
	if tombstone, ok := obj.(toolscache.DeletedFinalStateUnknown); ok {
		obj = tombstone.Obj
	}
	object, ok := obj.(client.Object)
	return !ok || h.filter.Watches(object.GetNamespace())
}

func (h filteringHandler) OnAdd(obj any, isInInitialList bool) {
	if h.watched(obj) {
		h.next.OnAdd(obj, isInInitialList)
	}
}

func (h filteringHandler) OnUpdate(oldObj, newObj any) {
	if h.watched(newObj) {
		h.next.OnUpdate(oldObj, newObj)
	}
}

func (h filteringHandler) OnDelete(obj any) {
	if h.watched(obj) {
		h.next.OnDelete(obj)
	}
}
