package localruntime

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
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
	// dir holds each start's materialized volumes.
	dir string

	mu       sync.Mutex
	clusters map[string]*running
	// started counts JobManagers started per cluster, for tests that assert a job started exactly once.
	started map[string]int
	// crashes counts failed starts per cluster (the crash-looping pod's restart count).
	crashes map[string]int32
	// serviceAccountNamespaces are the namespaces whose pods need their service account to exist.
	serviceAccountNamespaces map[string]bool
	// runs counts starts, naming their directories.
	runs int
}

type running struct {
	cluster Cluster
	// fingerprint identifies the pod template it was started from (templateFingerprint).
	fingerprint string
	// dir holds the pod's materialized volumes.
	dir string
	// pod is what the JobManager's pod ran with (its mounts).
	pod *PodRun
}

// New creates a runtime serving clusters from backend; register it with a manager with SetupWithManager.
func New(backend Backend) (*Runtime, error) {
	dir, err := os.MkdirTemp("", "teal-localruntime-")
	if err != nil {
		return nil, err
	}
	r, err := newRouter()
	if err != nil {
		return nil, errors.Join(err, os.RemoveAll(dir))
	}
	return &Runtime{backend: backend, router: r, dir: dir, clusters: map[string]*running{}, started: map[string]int{},
		crashes: map[string]int32{}, serviceAccountNamespaces: map[string]bool{}}, nil
}

// RequireServiceAccounts makes pods in namespace need their service account, as the API server's
// ServiceAccount admission does: a missing one keeps the pod from being created (ReplicaFailure on the
// Deployment). The envtest control plane creates no default service accounts, so this is per namespace.
func (rt *Runtime) RequireServiceAccounts(namespace string) {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	rt.serviceAccountNamespaces[namespace] = true
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

// PodPath maps a path inside the running JobManager container of a cluster to this machine (a file in a mounted
// volume, e.g. what an init container wrote); ok is false when no JobManager runs or no mount covers the path.
func (rt *Runtime) PodPath(namespace, name, containerPath string) (string, bool) {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	if r := rt.clusters[namespace+"/"+name]; r != nil && r.pod != nil {
		return r.pod.HostPath(containerPath)
	}
	return "", false
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
		// Real JobManagers take a while to start: start several clusters side by side. Not the priority queue,
		// which can deadlock on shutdown in controller-runtime v0.24.1 (see internal/manager's controllerOptions).
		WithOptions(controller.Options{MaxConcurrentReconciles: 4, UsePriorityQueue: new(bool) /* false */}).
		Named("localruntime").
		Complete(rt)
}

// Reconcile starts, restarts or stops the JobManager behind one Deployment and reports its availability.
func (rt *Runtime) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	key := req.Namespace + "/" + req.Name
	deployment := &appsv1.Deployment{}
	err := rt.client.Get(ctx, req.NamespacedName, deployment)
	if apierrors.IsNotFound(err) || (err == nil && !deployment.DeletionTimestamp.IsZero()) {
		deployment.Namespace, deployment.Name = req.Namespace, req.Name
		return ctrl.Result{}, rt.stop(ctx, deployment)
	}
	if err != nil {
		return ctrl.Result{}, err
	}
	if deployment.Labels[resources.LabelComponent] == resources.ComponentTaskManager {
		return ctrl.Result{}, rt.markAvailable(ctx, deployment, true)
	}
	if deployment.Spec.Replicas != nil && *deployment.Spec.Replicas == 0 {
		return ctrl.Result{}, errors.Join(rt.stop(ctx, deployment), rt.markAvailable(ctx, deployment, false))
	}
	rt.mu.Lock()
	current := rt.clusters[key]
	requireServiceAccount := rt.serviceAccountNamespaces[req.Namespace]
	rt.runs++
	runDir := filepath.Join(rt.dir, fmt.Sprintf("%s-%s-%d", req.Namespace, req.Name, rt.runs))
	rt.mu.Unlock()
	run, err := resolvePod(ctx, rt.client, deployment, runDir, requireServiceAccount)
	if err != nil {
		_ = os.RemoveAll(runDir)
		var failure *podError
		if !errors.As(err, &failure) {
			return ctrl.Result{}, err
		}
		if failure.replicaFailure {
			return ctrl.Result{RequeueAfter: time.Second}, errors.Join(rt.stop(ctx, deployment), rt.writeStatus(ctx, deployment, false, failure))
		}
		return rt.crashed(ctx, deployment, failure.reason, failure.message)
	}
	if current != nil && current.fingerprint == run.fingerprint {
		_ = os.RemoveAll(runDir)
		if !current.cluster.Alive() {
			return ctrl.Result{}, rt.markAvailable(ctx, deployment, false)
		}
		return ctrl.Result{RequeueAfter: time.Second}, rt.markAvailable(ctx, deployment, true)
	}
	if err := rt.stop(ctx, deployment); err != nil {
		return ctrl.Result{}, err
	}
	launch, err := PlanLaunch(run)
	if err != nil {
		_ = os.RemoveAll(runDir)
		var failure *launchError
		if !errors.As(err, &failure) {
			return ctrl.Result{}, err
		}
		return rt.crashed(ctx, deployment, "CrashLoopBackOff", failure.message)
	}
	cluster, err := rt.backend.Start(ctx, ClusterSpec{
		Namespace: req.Namespace, Name: req.Name, Config: launch.Config,
		Standalone: deployment.Labels[resources.LabelType] == resources.TypeStandalone,
		Pod:        run, Launch: launch,
	})
	if err != nil {
		// The JobManager exited during start-up: the kubelet restarts it, and the pod crash-loops.
		_ = os.RemoveAll(runDir)
		return rt.crashed(ctx, deployment, "CrashLoopBackOff", fmt.Sprintf("starting the JobManager of %s: %v", key, err))
	}
	target, err := url.Parse(cluster.URL())
	if err != nil {
		return ctrl.Result{}, errors.Join(err, cluster.Stop())
	}
	rt.mu.Lock()
	rt.clusters[key] = &running{cluster: cluster, fingerprint: run.fingerprint, dir: runDir, pod: run}
	rt.started[key]++
	delete(rt.crashes, key)
	rt.mu.Unlock()
	rt.router.set(req.Namespace, req.Name, target)
	if err := rt.deleteCrashedPod(ctx, deployment); err != nil {
		return ctrl.Result{}, err
	}
	// Alive is polled: a JobManager that dies makes its Deployment unavailable, as a failing pod would.
	return ctrl.Result{RequeueAfter: time.Second}, rt.markAvailable(ctx, deployment, true)
}

// crashedPodName names the pod object that reports a crash-looping JobManager.
func crashedPodName(deployment *appsv1.Deployment) string { return deployment.Name + "-local" }

// crashed reports a JobManager that does not start as the kubelet would: a pod whose container waits in reason
// (CrashLoopBackOff, CreateContainerConfigError…) with the failure as its last termination message and one more
// restart each time, an unavailable Deployment, and another try after a back-off.
func (rt *Runtime) crashed(ctx context.Context, deployment *appsv1.Deployment, reason, message string) (ctrl.Result, error) {
	key := deployment.Namespace + "/" + deployment.Name
	rt.mu.Lock()
	rt.crashes[key]++
	restarts := rt.crashes[key]
	rt.mu.Unlock()
	pod := &corev1.Pod{}
	podKey := client.ObjectKey{Namespace: deployment.Namespace, Name: crashedPodName(deployment)}
	err := rt.client.Get(ctx, podKey, pod)
	if apierrors.IsNotFound(err) {
		container := findMainContainer(deployment.Spec.Template.Spec.Containers)
		pod = &corev1.Pod{
			ObjectMeta: metav1.ObjectMeta{Namespace: deployment.Namespace, Name: podKey.Name, Labels: deployment.Spec.Template.Labels,
				OwnerReferences: []metav1.OwnerReference{*metav1.NewControllerRef(deployment, appsv1.SchemeGroupVersion.WithKind("Deployment"))}},
			Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: container.Name, Image: container.Image}}},
		}
		if err := rt.client.Create(ctx, pod); err != nil {
			return ctrl.Result{}, fmt.Errorf("reporting the crashed JobManager pod: %w", err)
		}
	} else if err != nil {
		return ctrl.Result{}, err
	}
	now := metav1.Now()
	state := corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: reason, Message: message}}
	if reason == "CrashLoopBackOff" {
		state.Waiting.Message = fmt.Sprintf("back-off restarting failed container %s in pod %s", pod.Spec.Containers[0].Name, pod.Name)
	}
	pod.Status = corev1.PodStatus{Phase: corev1.PodRunning, PodIP: PodIP, ContainerStatuses: []corev1.ContainerStatus{{
		Name: pod.Spec.Containers[0].Name, Image: pod.Spec.Containers[0].Image, RestartCount: restarts, State: state,
	}}}
	if reason == "CrashLoopBackOff" {
		pod.Status.ContainerStatuses[0].LastTerminationState = corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{
			ExitCode: 1, Reason: "Error", Message: message, StartedAt: now, FinishedAt: now}}
	}
	if err := rt.client.Status().Update(ctx, pod); err != nil && !apierrors.IsConflict(err) {
		return ctrl.Result{}, fmt.Errorf("reporting the crashed JobManager pod: %w", err)
	}
	backOff := time.Duration(restarts) * 500 * time.Millisecond
	return ctrl.Result{RequeueAfter: min(backOff, 5*time.Second)}, rt.markAvailable(ctx, deployment, false)
}

func (rt *Runtime) deleteCrashedPod(ctx context.Context, deployment *appsv1.Deployment) error {
	pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: deployment.Namespace, Name: crashedPodName(deployment)}}
	if err := rt.client.Delete(ctx, pod); err != nil && !apierrors.IsNotFound(err) {
		return fmt.Errorf("removing the crashed JobManager pod: %w", err)
	}
	return nil
}

func (rt *Runtime) stop(ctx context.Context, deployment *appsv1.Deployment) error {
	return errors.Join(rt.stopCluster(deployment.Namespace, deployment.Name), rt.deleteCrashedPod(ctx, deployment))
}

func (rt *Runtime) stopCluster(namespace, name string) error {
	key := namespace + "/" + name
	rt.mu.Lock()
	current := rt.clusters[key]
	delete(rt.clusters, key)
	rt.mu.Unlock()
	rt.router.set(namespace, name, nil)
	if current == nil {
		return nil
	}
	return errors.Join(current.cluster.Stop(), os.RemoveAll(current.dir))
}

// markAvailable writes the Deployment status a kubelet and the Deployment controller would produce.
func (rt *Runtime) markAvailable(ctx context.Context, deployment *appsv1.Deployment, available bool) error {
	return rt.writeStatus(ctx, deployment, available, nil)
}

// writeStatus writes the Deployment status a kubelet and the Deployment controller would produce; failure, when
// set, is a pod the API server refused (ReplicaFailure, copied from the ReplicaSet).
func (rt *Runtime) writeStatus(ctx context.Context, deployment *appsv1.Deployment, available bool, failure *podError) error {
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
	if failure != nil {
		status.Replicas, status.UpdatedReplicas, status.UnavailableReplicas = 0, 0, replicas
		status.Conditions = append(status.Conditions, appsv1.DeploymentCondition{Type: appsv1.DeploymentReplicaFailure,
			Status: corev1.ConditionTrue, Reason: failure.reason, Message: failure.message})
	}
	if statusEqual(deployment.Status, status) {
		return nil
	}
	updated := deployment.DeepCopy()
	updated.Status = status
	for i := range updated.Status.Conditions {
		updated.Status.Conditions[i].LastUpdateTime = metav1.Now()
		updated.Status.Conditions[i].LastTransitionTime = metav1.Now()
	}
	if err := rt.client.Status().Update(ctx, updated); err != nil && !apierrors.IsNotFound(err) && !apierrors.IsConflict(err) {
		return fmt.Errorf("updating Deployment %s status: %w", deployment.Name, err)
	}
	return nil
}

func statusEqual(a, b appsv1.DeploymentStatus) bool {
	if a.ObservedGeneration != b.ObservedGeneration || a.Replicas != b.Replicas || a.ReadyReplicas != b.ReadyReplicas ||
		a.AvailableReplicas != b.AvailableReplicas || len(a.Conditions) != len(b.Conditions) {
		return false
	}
	for i := range a.Conditions {
		if a.Conditions[i].Type != b.Conditions[i].Type || a.Conditions[i].Status != b.Conditions[i].Status ||
			a.Conditions[i].Message != b.Conditions[i].Message {
			return false
		}
	}
	return true
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
	return errors.Join(append(errs, rt.router.close(), os.RemoveAll(rt.dir))...)
}
