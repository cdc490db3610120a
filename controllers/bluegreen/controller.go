package bluegreen

import (
	"context"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"k8s.io/client-go/tools/events"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	"sigs.k8s.io/controller-runtime/pkg/predicate"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
	"github.com/teal-flink/teal/internal/flinkapi"
	"github.com/teal-flink/teal/internal/gitops"
	"github.com/teal-flink/teal/internal/kubeapply"
	"github.com/teal-flink/teal/internal/operatorconfig"
	"github.com/teal-flink/teal/internal/phases"
)

// RetryAnnotation asks the controller to re-attempt the current spec after an aborted transition or a failed
// savepoint, without a new commit: `kubectl annotate flinkbgdep NAME teal.flink.apache.org/retry=$(date +%s)`.
// The controller removes it once acted upon.
const RetryAnnotation = "teal.flink.apache.org/retry"

// specHashAnnotation on a child records the hash of the spec the controller applied, so that a child status
// read from a cache that has not seen the apply yet is never taken for the new spec's.
const specHashAnnotation = "teal.flink.apache.org/bluegreen-spec-hash"

// Reconciler reconciles FlinkBlueGreenDeployments.
type Reconciler struct {
	client.Client
	// ControllerOptions bound how many resources reconcile at once and how long one reconcile may take
	// (kubernetes.operator.reconcile.parallelism; see internal/manager).
	ControllerOptions controller.Options
	// Scheme owns the children and the ingress.
	Scheme *runtime.Scheme
	// Recorder emits events with the same reasons as the conditions.
	Recorder events.EventRecorder
	// OperatorConfig returns the operator configuration in force.
	OperatorConfig func() *operatorconfig.Config
	// Flink creates REST clients of the children's JobManagers; nil uses flinkapi.NewFactory without an observer.
	Flink flinkapi.Factory
	// Validate re-runs the admission rules; nil skips validation.
	Validate func(bg, old *flinkv1beta1.FlinkBlueGreenDeployment) field.ErrorList
	// Now is the clock (tests may pin it).
	Now func() time.Time
	// Metrics, when set, observes state changes and finished transitions (see TransitionRecorder).
	Metrics TransitionRecorder
	// OnStep, when set, is called after the intent is recorded ("Intent <STATE>", "Intent <STATE> teardown" for
	// the ADVANCED teardown trigger) and after each effect
	// ("ApplyChild(GREEN)", …), before the reconcile's final status patch (tracing; crash tests stop here).
	OnStep func(ctx context.Context, bg *flinkv1beta1.FlinkBlueGreenDeployment, step string)

	// started remembers when each transition began in this process, for TransitionRecorder durations.
	started sync.Map
}

// SetupWithManager registers the controller: it watches FlinkBlueGreenDeployments (spec and annotation changes)
// and the children, ingress and coordination ConfigMap it owns, so each step proceeds as soon as a child's status changes.
func (r *Reconciler) SetupWithManager(mgr ctrl.Manager) error {
	if r.Now == nil {
		r.Now = time.Now
	}
	if r.Flink == nil {
		r.Flink = flinkapi.NewFactory(nil)
	}
	return ctrl.NewControllerManagedBy(mgr).
		For(&flinkv1beta1.FlinkBlueGreenDeployment{}, builder.WithPredicates(
			predicate.Or(predicate.GenerationChangedPredicate{}, predicate.AnnotationChangedPredicate{}))).
		Owns(&flinkv1beta1.FlinkDeployment{}).
		Owns(&networkingv1.Ingress{}).
		// A gate's write to the coordination ConfigMap (W, CLEAR_TO_TEARDOWN) moves an ADVANCED cut-over on.
		Owns(&corev1.ConfigMap{}).
		Named("flinkbluegreendeployment").
		WithOptions(r.ControllerOptions).
		Complete(r)
}

// Reconcile moves one FlinkBlueGreenDeployment one step along its state machine and reports where it stands.
func (r *Reconciler) Reconcile(ctx context.Context, req ctrl.Request) (result ctrl.Result, retErr error) {
	bg := &flinkv1beta1.FlinkBlueGreenDeployment{}
	if err := r.Get(ctx, req.NamespacedName, bg); err != nil {
		return ctrl.Result{}, client.IgnoreNotFound(err)
	}
	if !bg.DeletionTimestamp.IsZero() {
		// The children and the ingress are owned: the garbage collector removes them.
		return ctrl.Result{}, nil
	}
	s := &scope{bg: bg, patcher: gitops.NewPatcher(bg, r.Client, kubeapply.FieldManager), initialState: bg.Status.BlueGreenState}
	defer func() {
		r.summarize(s, retErr)
		if err := gitops.FinishReconcile(ctx, s.patcher, bg, gitops.Ending{RequeueAfter: s.requeueAfter}, &result, &retErr); err != nil {
			return
		}
		r.report(s)
	}()
	// Before anything else, say that the object is being worked on: a status-less object reads Current.
	if _, err := gitops.Acknowledge(ctx, s.patcher, bg); err != nil {
		return ctrl.Result{}, err
	}
	return phases.Run(ctx, s,
		r.loadConfig,
		r.validateSpec,
		r.observeChildren,
		r.observeSavepoint,
		r.decide,
		r.act,
	)
}

// Done reports that the remaining phases of the reconcile are skipped.
func (s *scope) Done() bool { return s.done }
