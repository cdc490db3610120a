package policy

import (
	"context"
	"fmt"
	"strings"
	"sync"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	toolscache "k8s.io/client-go/tools/cache"
	ctrl "sigs.k8s.io/controller-runtime"
)

const (
	// KeyPolicyConfigMap is the operator configuration key naming the policy ConfigMap as "namespace/name"
	// (or just "name", in the operator's namespace).
	KeyPolicyConfigMap = "teal.operator.validation.policy-configmap"
	// DefaultConfigMapName is the policy ConfigMap's name when KeyPolicyConfigMap is not set.
	DefaultConfigMapName = "teal-validation-policies"
)

// ConfigMapRef splits a KeyPolicyConfigMap value into namespace and name, defaulting to defaultNamespace and
// DefaultConfigMapName.
func ConfigMapRef(value, defaultNamespace string) (namespace, name string) {
	value = strings.TrimSpace(value)
	if value == "" {
		return defaultNamespace, DefaultConfigMapName
	}
	if ns, n, ok := strings.Cut(value, "/"); ok {
		return ns, n
	}
	return defaultNamespace, value
}

// Watcher keeps a Set in step with one ConfigMap: each key of its data is a policy document. It watches only
// that ConfigMap (a field selector on its name), so the operator does not cache every ConfigMap of the
// cluster. Add it to the manager (it is a manager.Runnable that runs on every replica, leader or not, since
// every replica serves webhooks).
type Watcher struct {
	set       *Set
	client    kubernetes.Interface
	namespace string
	name      string

	mu              sync.Mutex
	lastErr         error
	resourceVersion string
}

// NewWatcher returns a Watcher of the ConfigMap namespace/name that loads into set.
func NewWatcher(set *Set, config *rest.Config, namespace, name string) (*Watcher, error) {
	client, err := kubernetes.NewForConfig(config)
	if err != nil {
		return nil, fmt.Errorf("creating a client for the policy ConfigMap: %w", err)
	}
	return &Watcher{set: set, client: client, namespace: namespace, name: name}, nil
}

// NeedLeaderElection is false: every replica serves admission requests and needs the policies.
func (w *Watcher) NeedLeaderElection() bool { return false }

// Start watches the ConfigMap until ctx ends, loading each version of it. A version that does not compile
// leaves the previous policies in force; LastError reports it.
func (w *Watcher) Start(ctx context.Context) error {
	selector := fields.OneTermEqualSelector("metadata.name", w.name).String()
	listWatch := &toolscache.ListWatch{
		ListWithContextFunc: func(ctx context.Context, options metav1.ListOptions) (runtime.Object, error) {
			options.FieldSelector = selector
			return w.client.CoreV1().ConfigMaps(w.namespace).List(ctx, options)
		},
		WatchFuncWithContext: func(ctx context.Context, options metav1.ListOptions) (watch.Interface, error) {
			options.FieldSelector = selector
			return w.client.CoreV1().ConfigMaps(w.namespace).Watch(ctx, options)
		},
	}
	informer := toolscache.NewSharedIndexInformer(listWatch, &corev1.ConfigMap{}, 0, toolscache.Indexers{})
	_, err := informer.AddEventHandler(toolscache.ResourceEventHandlerFuncs{
		AddFunc:    func(obj any) { w.apply(ctx, obj) },
		UpdateFunc: func(_, obj any) { w.apply(ctx, obj) },
		DeleteFunc: func(any) { w.apply(ctx, nil) },
	})
	if err != nil {
		return fmt.Errorf("watching the policy ConfigMap: %w", err)
	}
	informer.RunWithContext(ctx)
	return nil
}

// Reload reads the ConfigMap now and loads it; a missing ConfigMap means no policies.
func (w *Watcher) Reload(ctx context.Context) error {
	configMap, err := w.client.CoreV1().ConfigMaps(w.namespace).Get(ctx, w.name, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return w.load(nil)
	}
	if err != nil {
		return fmt.Errorf("reading policy ConfigMap %s/%s: %w", w.namespace, w.name, err)
	}
	return w.load(configMap)
}

// LastError is the error of the last load, nil when it succeeded.
func (w *Watcher) LastError() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.lastErr
}

// ResourceVersion is the resourceVersion of the ConfigMap last loaded successfully ("" for none).
func (w *Watcher) ResourceVersion() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.resourceVersion
}

func (w *Watcher) apply(ctx context.Context, obj any) {
	configMap, _ := obj.(*corev1.ConfigMap)
	if err := w.load(configMap); err != nil {
		// An event handler has no caller to return to: the error is logged and kept for LastError.
		ctrl.LoggerFrom(ctx).Error(err, "policy ConfigMap not loaded; previous policies stay in force",
			"configMap", w.namespace+"/"+w.name)
	}
}

func (w *Watcher) load(configMap *corev1.ConfigMap) error {
	documents := map[string][]byte{}
	version := ""
	if configMap != nil {
		version = configMap.ResourceVersion
		for key, value := range configMap.Data {
			documents[key] = []byte(value)
		}
		for key, value := range configMap.BinaryData {
			documents[key] = value
		}
	}
	err := w.set.Load(documents)
	w.mu.Lock()
	defer w.mu.Unlock()
	w.lastErr = err
	if err == nil {
		w.resourceVersion = version
	}
	if err != nil {
		return fmt.Errorf("policy ConfigMap %s/%s: %w", w.namespace, w.name, err)
	}
	return nil
}
