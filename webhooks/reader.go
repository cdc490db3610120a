package webhooks

import (
	"context"
	"fmt"
	"net/http"
	"reflect"
	"strings"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// InformerReader is what CacheOnly needs of a cache: reads, and the informers behind them to ask whether they
// have synced. A controller-runtime cache.Cache is one.
type InformerReader interface {
	client.Reader
	GetInformer(ctx context.Context, obj client.Object, opts ...cache.InformerGetOption) (cache.Informer, error)
}

// CacheOnly answers the webhooks' look-ups (session clusters, snapshot targets) from the informer cache alone,
// as upstream's webhook does: an admission request never waits for an API server round trip, and an object
// the cache does not hold is absent (the validator rejects the reference, naming the field). While the informer
// of a kind has not synced yet — the operator is starting — every look-up of that kind fails closed with a
// retryable error (503 ServiceUnavailable with a retry delay) instead of taking an empty cache for the truth.
func CacheOnly(informers InformerReader) client.Reader {
	return cacheOnly{informers: informers}
}

type cacheOnly struct {
	informers InformerReader
}

// Get reads obj from the cache once its informer has synced.
func (r cacheOnly) Get(ctx context.Context, key client.ObjectKey, obj client.Object, opts ...client.GetOption) error {
	if err := r.synced(ctx, obj); err != nil {
		return err
	}
	return r.informers.Get(ctx, key, obj, opts...)
}

// List lists from the cache once the informer of the listed kind has synced (the webhooks list nothing today;
// it completes client.Reader, and an empty list from a cache still loading would be taken for the truth).
func (r cacheOnly) List(ctx context.Context, list client.ObjectList, opts ...client.ListOption) error {
	item, err := listItem(list)
	if err != nil {
		return err
	}
	if err := r.synced(ctx, item); err != nil {
		return err
	}
	return r.informers.List(ctx, list, opts...)
}

// listItem is an empty object of the kind list holds, to find the informer behind it.
func listItem(list client.ObjectList) (client.Object, error) {
	if unstructuredList, ok := list.(*unstructured.UnstructuredList); ok {
		gvk := unstructuredList.GroupVersionKind()
		gvk.Kind = strings.TrimSuffix(gvk.Kind, "List")
		item := &unstructured.Unstructured{}
		item.SetGroupVersionKind(gvk)
		return item, nil
	}
	items := reflect.Indirect(reflect.ValueOf(list)).FieldByName("Items")
	if items.IsValid() && items.Kind() == reflect.Slice {
		if item, ok := reflect.New(items.Type().Elem()).Interface().(client.Object); ok {
			return item, nil
		}
	}
	return nil, fmt.Errorf("reading the informer cache: cannot tell the kind of items of %T", list)
}

// synced starts obj's informer if it is not running yet, without waiting for it, and reports whether it has
// synced.
func (r cacheOnly) synced(ctx context.Context, obj client.Object) error {
	informer, err := r.informers.GetInformer(ctx, obj, cache.BlockUntilSynced(false))
	if err != nil {
		return fmt.Errorf("reading the informer cache: %w", err)
	}
	if !informer.HasSynced() {
		return cacheNotSynced(obj)
	}
	return nil
}

// cacheNotSynced is the webhooks' answer while their cache is filling: the API server passes the status on to
// the client, which sees a 503 it may retry after the delay.
func cacheNotSynced(obj client.Object) error {
	kind := reflect.Indirect(reflect.ValueOf(obj)).Type().Name()
	return &apierrors.StatusError{ErrStatus: metav1.Status{
		Status: metav1.StatusFailure,
		Code:   http.StatusServiceUnavailable,
		Reason: metav1.StatusReasonServiceUnavailable,
		Message: fmt.Sprintf("the admission webhook cannot check references yet: its cache of %s is still loading "+
			"(the operator is starting); retry in a moment", kind),
		Details: &metav1.StatusDetails{RetryAfterSeconds: 1},
	}}
}
