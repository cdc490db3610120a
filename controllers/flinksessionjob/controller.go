package flinksessionjob

import (
	"context"
	"fmt"
	"time"

	"k8s.io/apimachinery/pkg/util/validation/field"
	"k8s.io/client-go/tools/events"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/predicate"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
	"github.com/teal-flink/teal/internal/flinkapi"
	"github.com/teal-flink/teal/internal/gitops"
	"github.com/teal-flink/teal/internal/kubeapply"
	"github.com/teal-flink/teal/internal/operatorconfig"
	"github.com/teal-flink/teal/internal/phases"
)

// Finalizer holds a FlinkSessionJob until its job is stopped (upstream's name).
const Finalizer = "flinksessionjobs.flink.apache.org/finalizer"

// Reconciler reconciles FlinkSessionJobs.
type Reconciler struct {
	client.Client
	// ControllerOptions bound how many resources reconcile at once and how long one reconcile may take
	// (kubernetes.operator.reconcile.parallelism; see internal/manager).
	ControllerOptions controller.Options
	// APIReader reads straight from the API server (the manager's uncached reader): before a step acts on Flink
	// it confirms that the status it decided on is the one the server holds; nil skips the check.
	APIReader client.Reader
	// Recorder emits events with the same reasons as the conditions.
	Recorder events.EventRecorder
	// OperatorConfig returns the operator configuration in force.
	OperatorConfig func() *operatorconfig.Config
	// Validate re-runs the admission rules with the session cluster (nil when missing); nil skips validation.
	Validate func(job, old *flinkv1beta1.FlinkSessionJob, session *flinkv1beta1.FlinkDeployment) field.ErrorList
	// Jars fetches job jars; nil uses a JarFetcher in the OS temp dir.
	Jars *JarFetcher
	// Now is the clock.
	Now func() time.Time
	// OnStep, when set, is called after each step is carried out, before the reconcile's final status patch
	// (tests kill the operator there), and with "<step>/intent" between recording a step's intent in status and
	// calling Flink.
	OnStep func(ctx context.Context, job *flinkv1beta1.FlinkSessionJob, step string)
}

// SetupWithManager registers the controller: it watches FlinkSessionJobs and their session clusters, so a
// session cluster becoming ready (or going away) is noticed at once.
func (r *Reconciler) SetupWithManager(mgr ctrl.Manager) error {
	if r.Now == nil {
		r.Now = time.Now
	}
	if r.Jars == nil {
		r.Jars = &JarFetcher{}
	}
	return ctrl.NewControllerManagedBy(mgr).
		For(&flinkv1beta1.FlinkSessionJob{}, builder.WithPredicates(
			predicate.Or(predicate.GenerationChangedPredicate{}, predicate.AnnotationChangedPredicate{}))).
		Watches(&flinkv1beta1.FlinkDeployment{}, handler.EnqueueRequestsFromMapFunc(r.jobsOfSession)).
		Named("flinksessionjob").
		WithOptions(r.ControllerOptions).
		Complete(r)
}

// jobsOfSession maps a FlinkDeployment to the session jobs that run on it.
func (r *Reconciler) jobsOfSession(ctx context.Context, session client.Object) []reconcile.Request {
	jobs := &flinkv1beta1.FlinkSessionJobList{}
	if err := r.List(ctx, jobs, client.InNamespace(session.GetNamespace())); err != nil {
		return nil
	}
	var requests []reconcile.Request
	for _, job := range jobs.Items {
		if job.Spec.DeploymentName == session.GetName() {
			requests = append(requests, reconcile.Request{NamespacedName: client.ObjectKeyFromObject(&job)})
		}
	}
	return requests
}

// Reconcile brings one session job one step closer to its spec and reports where it stands.
func (r *Reconciler) Reconcile(ctx context.Context, req ctrl.Request) (result ctrl.Result, retErr error) {
	job := &flinkv1beta1.FlinkSessionJob{}
	if err := r.Get(ctx, req.NamespacedName, job); err != nil {
		return ctrl.Result{}, client.IgnoreNotFound(err)
	}
	s := &scope{job: job, patcher: gitops.NewPatcher(job, r.Client, kubeapply.FieldManager), config: r.OperatorConfig()}
	defer func() {
		r.summarize(s, retErr)
		gitops.FinishReconcile(ctx, s.patcher, job,
			gitops.Ending{Released: s.released, RequeueAfter: s.requeueAfter}, &result, &retErr)
	}()
	if !job.DeletionTimestamp.IsZero() {
		return r.reconcileDelete(ctx, s)
	}
	// Before anything else, say that the object is being worked on: a status-less object reads Current.
	if _, err := gitops.Acknowledge(ctx, s.patcher, job); err != nil {
		return ctrl.Result{}, err
	}
	if controllerutil.AddFinalizer(job, Finalizer) {
		if err := s.patch(ctx); err != nil {
			return ctrl.Result{}, err
		}
	}
	return phases.Run(ctx, s,
		r.loadTarget,
		r.findSession,
		r.validate,
		r.observeJob,
		r.reconcileSnapshots,
		r.reconcileSpec,
	)
}

// scope carries what earlier phases found to the later ones of one reconcile.
type scope struct {
	// job is the object reconciled; the deferred patch writes its status.
	job *flinkv1beta1.FlinkSessionJob
	// patcher patches it; steps use it to record intent before acting.
	patcher *gitops.Patcher
	// config is the operator configuration for the job (session cluster and job keys layered).
	config *operatorconfig.Config
	// target is the last reconciled spec; nil before the first submission.
	target *flinkv1beta1.FlinkSessionJobSpec
	// firstDeployment is the flag recorded with target.
	firstDeployment bool
	// session is the session cluster; nil when missing.
	session *flinkv1beta1.FlinkDeployment
	// cluster reaches the session cluster's JobManager; nil while it is not ready.
	cluster *flinkapi.Cluster
	// current is the job recorded in status as observed on the cluster; nil when the cluster does not know it.
	current *jobInfo
	// jobLost: the session cluster answered and no longer knows the job recorded in status (it was redeployed
	// without HA, for instance).
	jobLost bool
	// invalid: the desired spec fails validation; the running job is kept.
	invalid bool
	// progress, stalled: what the reconcile does, or why it needs a person.
	progress, stalled *reasonMessage
	// inFlight: something is under way; requeue at the progress-check interval.
	inFlight bool
	// nextSnapshot is when a periodic snapshot is due.
	nextSnapshot time.Duration
	// done stops the remaining phases; released: the finalizer is gone.
	done, released bool
}

type reasonMessage struct{ reason, message string }

func (s *scope) setProgress(reason, format string, args ...any) {
	s.progress = &reasonMessage{reason: reason, message: fmt.Sprintf(format, args...)}
	s.inFlight = true
}

func (s *scope) setStalled(reason, format string, args ...any) {
	s.stalled = &reasonMessage{reason: reason, message: fmt.Sprintf(format, args...)}
}

// patch writes the object mid-reconcile to record intent; it never advances observedGeneration.
func (s *scope) patch(ctx context.Context) error {
	if s.progress != nil {
		gitops.MarkReconciling(s.job, s.progress.reason, "%s", s.progress.message)
	}
	return s.patcher.Patch(ctx, s.job)
}

func (s *scope) requeueAfter() time.Duration {
	interval := s.config.DurationOr(operatorconfig.KeyReconcileInterval)
	if s.inFlight {
		interval = s.config.DurationOr(operatorconfig.KeyProgressCheckInterval)
	}
	if s.nextSnapshot > 0 && s.nextSnapshot < interval {
		return s.nextSnapshot
	}
	return interval
}

func (r *Reconciler) event(s *scope, eventType, reason, message string) {
	if r.Recorder != nil {
		r.Recorder.Eventf(s.job, nil, eventType, reason, "Reconcile", "%s", message)
	}
}

// Done reports that the remaining phases of the reconcile are skipped.
func (s *scope) Done() bool { return s.done }
