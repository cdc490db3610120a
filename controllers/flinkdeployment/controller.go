package flinkdeployment

import (
	"context"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"k8s.io/client-go/tools/events"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/predicate"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
	"github.com/teal-flink/teal/internal/flinkapi"
	"github.com/teal-flink/teal/internal/gitops"
	"github.com/teal-flink/teal/internal/jobexceptions"
	"github.com/teal-flink/teal/internal/kubeapply"
	"github.com/teal-flink/teal/internal/operatorconfig"
	"github.com/teal-flink/teal/internal/phases"
)

// Finalizer holds a FlinkDeployment until its cluster is shut down (upstream's name).
const Finalizer = "flinkdeployments.flink.apache.org/finalizer"

// Reconciler reconciles FlinkDeployments.
type Reconciler struct {
	client.Client
	// ControllerOptions bound how many resources reconcile at once and how long one reconcile may take
	// (kubernetes.operator.reconcile.parallelism; see internal/manager).
	ControllerOptions controller.Options
	// Scheme owns the objects the controller creates.
	Scheme *runtime.Scheme
	// APIReader reads straight from the API server (the manager's uncached reader): before a step acts on Flink
	// it confirms that the status it decided on is the one the server holds; nil skips the check.
	APIReader client.Reader
	// Recorder emits events with the same reasons as the conditions.
	Recorder events.EventRecorder
	// OperatorConfig returns the operator configuration in force (it may be reloaded at run time).
	OperatorConfig func() *operatorconfig.Config
	// Flink creates JobManager REST clients.
	Flink flinkapi.Factory
	// Validate re-runs the admission rules, since a webhook can be disabled or bypassed; nil skips validation.
	Validate func(deployment, old *flinkv1beta1.FlinkDeployment) field.ErrorList
	// Now is the clock (tests may pin it).
	Now func() time.Time
	// OnStep, when set, is called after each step is carried out, before the reconcile's final status patch
	// (tracing; crash tests stop the operator here).
	OnStep func(ctx context.Context, deployment *flinkv1beta1.FlinkDeployment, step string)
	// OnStep is also called, with "<step>/intent", between recording a step's intent in status and acting
	// on it (crash tests kill the operator there too).

	// exceptions remembers which job exceptions were already reported as events.
	exceptions jobexceptions.Tracker
}

// SetupWithManager registers the controller: it watches FlinkDeployments (spec and annotation changes), every
// object it creates and the TaskManager pods Flink creates, so progress follows the cluster's own events.
func (r *Reconciler) SetupWithManager(mgr ctrl.Manager) error {
	if r.Now == nil {
		r.Now = time.Now
	}
	return ctrl.NewControllerManagedBy(mgr).
		For(&flinkv1beta1.FlinkDeployment{}, builder.WithPredicates(
			predicate.Or(predicate.GenerationChangedPredicate{}, predicate.AnnotationChangedPredicate{}))).
		Owns(&appsv1.Deployment{}).
		Owns(&corev1.ConfigMap{}).
		Owns(&corev1.Service{}).
		Owns(&networkingv1.Ingress{}).
		Watches(&corev1.Pod{}, handler.EnqueueRequestsFromMapFunc(taskManagerPodOwner)).
		Named("flinkdeployment").
		WithOptions(r.ControllerOptions).
		Complete(r)
}

// Reconcile brings one FlinkDeployment one step closer to its spec and reports where it stands.
func (r *Reconciler) Reconcile(ctx context.Context, req ctrl.Request) (result ctrl.Result, retErr error) {
	deployment := &flinkv1beta1.FlinkDeployment{}
	if err := r.Get(ctx, req.NamespacedName, deployment); err != nil {
		return ctrl.Result{}, client.IgnoreNotFound(err)
	}
	s := &scope{deployment: deployment, patcher: gitops.NewPatcher(deployment, r.Client, kubeapply.FieldManager)}
	defer func() {
		r.summarize(s, retErr)
		gitops.FinishReconcile(ctx, s.patcher, deployment,
			gitops.Ending{Released: s.released, RequeueAfter: s.requeueAfter}, &result, &retErr)
	}()

	if !deployment.DeletionTimestamp.IsZero() {
		return r.reconcileDelete(ctx, s)
	}
	// Before anything else, say that the object is being worked on: a status-less object reads Current.
	if _, err := gitops.Acknowledge(ctx, s.patcher, deployment); err != nil {
		return ctrl.Result{}, err
	}
	if controllerutil.AddFinalizer(deployment, Finalizer) {
		if err := s.patch(ctx); err != nil {
			return ctrl.Result{}, err
		}
	}
	return phases.Run(ctx, s,
		r.loadConfig,
		r.validateSpec,
		r.observeJobManager,
		r.observeJob,
		r.observeTaskManagers,
		r.reportJobExceptions,
		r.reconcileSnapshots,
		r.observeHealth,
		r.reconcileSpec,
	)
}

// Done reports that the remaining phases of the reconcile are skipped.
func (s *scope) Done() bool { return s.done }
