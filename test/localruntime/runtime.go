package localruntime

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"sort"
	"strings"
	"sync"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	"sigs.k8s.io/controller-runtime/pkg/predicate"

	"github.com/teal-flink/teal/internal/resources"
)

// Runtime runs the JobManagers of the clusters Teal creates.
type Runtime struct {
	client  client.Client
	backend Backend
	router  *router

	mu       sync.Mutex
	clusters map[string]*running
	// started counts JobManagers started per cluster, for tests that assert a job started exactly once.
	started map[string]int
}

type running struct {
	cluster Cluster
	// fingerprint identifies the Deployment spec and configuration the JobManager was started with.
	fingerprint string
}

// New creates a runtime serving clusters from backend; register it with a manager with SetupWithManager.
func New(backend Backend) (*Runtime, error) {
	r, err := newRouter()
	if err != nil {
		return nil, err
	}
	return &Runtime{backend: backend, router: r, clusters: map[string]*running{}, started: map[string]int{}}, nil
}

// RestURLTemplate is the value for kubernetes.operator.rest.url-template that reaches this runtime's clusters.
func (rt *Runtime) RestURLTemplate() string {
	return rt.router.baseURL() + "/{{.Namespace}}/{{.Name}}"
}

// Cluster returns the running JobManager of a cluster, nil when none runs.
func (rt *Runtime) Cluster(namespace, name string) Cluster {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	if r := rt.clusters[namespace+"/"+name]; r != nil {
		return r.cluster
	}
	return nil
}

// Starts returns how many JobManagers were started for a cluster so far.
func (rt *Runtime) Starts(namespace, name string) int {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	return rt.started[namespace+"/"+name]
}

// SetupWithManager watches the Deployments of Flink clusters.
func (rt *Runtime) SetupWithManager(mgr ctrl.Manager) error {
	rt.client = mgr.GetClient()
	// Flink clusters' Deployments, whoever created them (Teal, or the Apache operator before a take-over).
	managed := predicate.NewPredicateFuncs(func(object client.Object) bool {
		clusterType := object.GetLabels()[resources.LabelType]
		return clusterType == resources.TypeNative || clusterType == resources.TypeStandalone
	})
	return ctrl.NewControllerManagedBy(mgr).
		For(&appsv1.Deployment{}, builder.WithPredicates(managed)).
		// Real JobManagers take a while to start: start several clusters side by side.
		WithOptions(controller.Options{MaxConcurrentReconciles: 4}).
		Named("localruntime").
		Complete(rt)
}

// Reconcile starts, restarts or stops the JobManager behind one Deployment and reports its availability.
func (rt *Runtime) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	key := req.Namespace + "/" + req.Name
	deployment := &appsv1.Deployment{}
	err := rt.client.Get(ctx, req.NamespacedName, deployment)
	if apierrors.IsNotFound(err) || (err == nil && !deployment.DeletionTimestamp.IsZero()) {
		return ctrl.Result{}, rt.stop(req.Namespace, req.Name, key)
	}
	if err != nil {
		return ctrl.Result{}, err
	}
	if deployment.Labels[resources.LabelComponent] == resources.ComponentTaskManager {
		return ctrl.Result{}, rt.markAvailable(ctx, deployment, true)
	}
	if deployment.Spec.Replicas != nil && *deployment.Spec.Replicas == 0 {
		return ctrl.Result{}, errors.Join(rt.stop(req.Namespace, req.Name, key), rt.markAvailable(ctx, deployment, false))
	}
	config, fingerprint, err := rt.readConfig(ctx, deployment)
	if err != nil {
		return ctrl.Result{}, err
	}
	rt.mu.Lock()
	current := rt.clusters[key]
	rt.mu.Unlock()
	if current != nil && current.fingerprint == fingerprint {
		if !current.cluster.Alive() {
			return ctrl.Result{}, rt.markAvailable(ctx, deployment, false)
		}
		return ctrl.Result{RequeueAfter: time.Second}, rt.markAvailable(ctx, deployment, true)
	}
	if err := rt.stop(req.Namespace, req.Name, key); err != nil {
		return ctrl.Result{}, err
	}
	cluster, err := rt.backend.Start(ctx, ClusterSpec{
		Namespace: req.Namespace, Name: req.Name, Config: config,
		Standalone: deployment.Labels[resources.LabelType] == resources.TypeStandalone,
	})
	if err != nil {
		return ctrl.Result{}, fmt.Errorf("starting the JobManager of %s: %w", key, err)
	}
	target, err := url.Parse(cluster.URL())
	if err != nil {
		return ctrl.Result{}, errors.Join(err, cluster.Stop())
	}
	rt.mu.Lock()
	rt.clusters[key] = &running{cluster: cluster, fingerprint: fingerprint}
	rt.started[key]++
	rt.mu.Unlock()
	rt.router.set(req.Namespace, req.Name, target)
	// Alive is polled: a JobManager that dies makes its Deployment unavailable, as a failing pod would.
	return ctrl.Result{RequeueAfter: time.Second}, rt.markAvailable(ctx, deployment, true)
}

// readConfig reads the Flink configuration the JobManager would mount, and a fingerprint of everything that
// restarts a real JobManager pod (the pod template and the configuration).
func (rt *Runtime) readConfig(ctx context.Context, deployment *appsv1.Deployment) (map[string]string, string, error) {
	configMap := &corev1.ConfigMap{}
	key := client.ObjectKey{Namespace: deployment.Namespace, Name: resources.ConfigMapName(deployment.Labels[resources.LabelApp])}
	if err := rt.client.Get(ctx, key, configMap); err != nil {
		return nil, "", fmt.Errorf("reading ConfigMap %s: %w", key, err)
	}
	for _, name := range []string{"config.yaml", "flink-conf.yaml"} {
		if content, found := configMap.Data[name]; found {
			config, err := resources.ParseConfig(content, name)
			if err != nil {
				return nil, "", err
			}
			return config, fingerprint(deployment, content), nil
		}
	}
	return nil, "", fmt.Errorf("ConfigMap %s has no Flink configuration", key)
}

func fingerprint(deployment *appsv1.Deployment, config string) string {
	hash := sha256.New()
	fmt.Fprintf(hash, "%s\n%s\n", deployment.UID, config)
	annotations := make([]string, 0, len(deployment.Spec.Template.Annotations))
	for key, value := range deployment.Spec.Template.Annotations {
		annotations = append(annotations, key+"="+value)
	}
	sort.Strings(annotations)
	fmt.Fprintf(hash, "%s\n%s\n", strings.Join(annotations, ","), deployment.Spec.Template.Spec.Containers[0].Image)
	return hex.EncodeToString(hash.Sum(nil))
}

func (rt *Runtime) stop(namespace, name, key string) error {
	rt.mu.Lock()
	current := rt.clusters[key]
	delete(rt.clusters, key)
	rt.mu.Unlock()
	rt.router.set(namespace, name, nil)
	if current == nil {
		return nil
	}
	return current.cluster.Stop()
}

// markAvailable writes the Deployment status a kubelet and the Deployment controller would produce.
func (rt *Runtime) markAvailable(ctx context.Context, deployment *appsv1.Deployment, available bool) error {
	replicas := int32(1)
	if deployment.Spec.Replicas != nil {
		replicas = *deployment.Spec.Replicas
	}
	ready := replicas
	condition := appsv1.DeploymentCondition{Type: appsv1.DeploymentAvailable, Status: corev1.ConditionTrue, Reason: "MinimumReplicasAvailable"}
	if !available {
		ready = 0
		condition.Status, condition.Reason = corev1.ConditionFalse, "MinimumReplicasUnavailable"
	}
	status := appsv1.DeploymentStatus{
		ObservedGeneration: deployment.Generation, Replicas: replicas, UpdatedReplicas: replicas,
		ReadyReplicas: ready, AvailableReplicas: ready, UnavailableReplicas: replicas - ready,
		Conditions: []appsv1.DeploymentCondition{condition},
	}
	if statusEqual(deployment.Status, status) {
		return nil
	}
	updated := deployment.DeepCopy()
	updated.Status = status
	updated.Status.Conditions[0].LastUpdateTime = metav1.Now()
	updated.Status.Conditions[0].LastTransitionTime = metav1.Now()
	if err := rt.client.Status().Update(ctx, updated); err != nil && !apierrors.IsNotFound(err) && !apierrors.IsConflict(err) {
		return fmt.Errorf("updating Deployment %s status: %w", deployment.Name, err)
	}
	return nil
}

func statusEqual(a, b appsv1.DeploymentStatus) bool {
	if a.ObservedGeneration != b.ObservedGeneration || a.Replicas != b.Replicas || a.ReadyReplicas != b.ReadyReplicas ||
		a.AvailableReplicas != b.AvailableReplicas || len(a.Conditions) != 1 {
		return false
	}
	return a.Conditions[0].Status == b.Conditions[0].Status
}

// Close stops every JobManager and the router.
func (rt *Runtime) Close() error {
	rt.mu.Lock()
	clusters := rt.clusters
	rt.clusters = map[string]*running{}
	rt.mu.Unlock()
	var errs []error
	for _, r := range clusters {
		errs = append(errs, r.cluster.Stop())
	}
	return errors.Join(append(errs, rt.router.close())...)
}
