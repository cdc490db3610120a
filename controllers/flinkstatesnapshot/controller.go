package flinkstatesnapshot

import (
	"context"
	"fmt"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"k8s.io/client-go/tools/events"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"
	"sigs.k8s.io/controller-runtime/pkg/predicate"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
	"github.com/teal-flink/teal/internal/flinkapi"
	"github.com/teal-flink/teal/internal/gitops"
	"github.com/teal-flink/teal/internal/kubeapply"
	"github.com/teal-flink/teal/internal/operatorconfig"
	"github.com/teal-flink/teal/internal/phases"
)

// Finalizer holds a snapshot until its savepoint is disposed (when it asks for disposal).
const Finalizer = "flinkstatesnapshots.flink.apache.org/finalizer"

// AnnotationDisposalTrigger records the trigger id of the savepoint disposal in flight while the resource is
// being deleted, so that a restarted operator polls it instead of asking again.
const AnnotationDisposalTrigger = "teal.flink.apache.org/disposal-trigger-id"

// Reconciler reconciles FlinkStateSnapshots.
type Reconciler struct {
	client.Client
	// ControllerOptions bound how many resources reconcile at once and how long one reconcile may take
	// (kubernetes.operator.reconcile.parallelism; see internal/manager).
	ControllerOptions controller.Options
	// Recorder emits events with the same reasons as the conditions.
	Recorder events.EventRecorder
	// OperatorConfig returns the operator configuration in force.
	OperatorConfig func() *operatorconfig.Config
	// Validate re-runs the admission rules; nil skips validation.
	Validate func(snapshot *flinkv1beta1.FlinkStateSnapshot, targetExists bool) field.ErrorList
	// Now is the clock.
	Now func() time.Time
	// OnStep, when set, is called with "Trigger/intent" between recording the trigger id and asking Flink, and
	// with "Trigger" after Flink accepted the trigger, before the reconcile's final status patch (tracing;
	// crash tests stop the operator there).
	OnStep func(ctx context.Context, snapshot *flinkv1beta1.FlinkStateSnapshot, step string)
}

// SetupWithManager registers the controller. Snapshots are polled while in flight: Flink tells no one when a
// savepoint completes.
func (r *Reconciler) SetupWithManager(mgr ctrl.Manager) error {
	if r.Now == nil {
		r.Now = time.Now
	}
	return ctrl.NewControllerManagedBy(mgr).
		For(&flinkv1beta1.FlinkStateSnapshot{}, builder.WithPredicates(predicate.GenerationChangedPredicate{})).
		Named("flinkstatesnapshot").
		WithOptions(r.ControllerOptions).
		Complete(r)
}

// Reconcile moves one snapshot one step through its states and reports where it stands.
func (r *Reconciler) Reconcile(ctx context.Context, req ctrl.Request) (result ctrl.Result, retErr error) {
	snapshot := &flinkv1beta1.FlinkStateSnapshot{}
	if err := r.Get(ctx, req.NamespacedName, snapshot); err != nil {
		return ctrl.Result{}, client.IgnoreNotFound(err)
	}
	s := &scope{snapshot: snapshot, patcher: gitops.NewPatcher(snapshot, r.Client, kubeapply.FieldManager), config: r.OperatorConfig()}
	defer func() {
		if !s.released {
			r.summarize(s, retErr)
			setLabels(s)
		}
		gitops.FinishReconcile(ctx, s.patcher, snapshot,
			gitops.Ending{Released: s.released, RequeueAfter: s.requeueAfter}, &result, &retErr)
	}()
	if !snapshot.DeletionTimestamp.IsZero() {
		return r.reconcileDelete(ctx, s)
	}
	// Before anything else, say that the object is being worked on: a status-less object reads Current.
	if _, err := gitops.Acknowledge(ctx, s.patcher, snapshot); err != nil {
		return ctrl.Result{}, err
	}
	if controllerutil.AddFinalizer(snapshot, Finalizer) {
		if err := s.patch(ctx); err != nil {
			return ctrl.Result{}, err
		}
	}
	if snapshot.Status.State == "" {
		snapshot.Status.State = flinkv1beta1.SnapshotStateTriggerPending
	}
	return phases.Run(ctx, s, r.resolveJob, r.validate, r.reconcileState)
}

// scope carries what earlier phases found to the later ones.
type scope struct {
	// snapshot is the object reconciled.
	snapshot *flinkv1beta1.FlinkStateSnapshot
	// patcher patches it; phases use it to record intent before acting.
	patcher *gitops.Patcher
	// config is the operator configuration (of the referenced resource once found).
	config *operatorconfig.Config
	// referenceFound: the referenced FlinkDeployment or FlinkSessionJob exists.
	referenceFound bool
	// jobID is the referenced job's id; jobRunning says whether it runs.
	jobID      string
	jobRunning bool
	// cluster reaches the JobManager that runs the job; nil when it cannot be reached.
	cluster *flinkapi.Cluster
	// progress, stalled: what the reconcile is doing, or why it needs a person.
	progress, stalled *reasonMessage
	// retryAfter, when set, is the backoff before the next attempt.
	retryAfter time.Duration
	// done stops the remaining phases; released: the finalizer is gone.
	done, released bool
}

type reasonMessage struct{ reason, message string }

func (s *scope) setProgress(reason, format string, args ...any) {
	s.progress = &reasonMessage{reason: reason, message: fmt.Sprintf(format, args...)}
}

func (s *scope) setStalled(reason, format string, args ...any) {
	s.stalled = &reasonMessage{reason: reason, message: fmt.Sprintf(format, args...)}
}

// patch writes the object mid-reconcile to record intent; it never advances observedGeneration.
func (s *scope) patch(ctx context.Context) error {
	if s.progress != nil {
		gitops.MarkReconciling(s.snapshot, s.progress.reason, "%s", s.progress.message)
	}
	return s.patcher.Patch(ctx, s.snapshot)
}

func (s *scope) requeueAfter() time.Duration {
	switch {
	case s.retryAfter > 0:
		return s.retryAfter
	case s.progress != nil || s.snapshot.Status.State == flinkv1beta1.SnapshotStateInProgress ||
		s.snapshot.Status.State == flinkv1beta1.SnapshotStateTriggerPending:
		return s.config.DurationOr(operatorconfig.KeyProgressCheckInterval)
	}
	return 0
}

// resolveJob finds the referenced resource, its job and the JobManager that runs it.
func (r *Reconciler) resolveJob(ctx context.Context, s *scope) (ctrl.Result, error) {
	ref := s.snapshot.Spec.JobReference
	if ref == nil || ref.Name == "" {
		return ctrl.Result{}, nil
	}
	key := client.ObjectKey{Namespace: s.snapshot.Namespace, Name: ref.Name}
	var jobStatus flinkv1beta1.JobStatus
	var clusterName string
	switch ref.Kind {
	case flinkv1beta1.JobKindFlinkSessionJob:
		job := &flinkv1beta1.FlinkSessionJob{}
		if err := r.Get(ctx, key, job); err != nil {
			return ctrl.Result{}, client.IgnoreNotFound(err)
		}
		jobStatus, clusterName = job.Status.JobStatus, job.Spec.DeploymentName
	default:
		clusterName = ref.Name
	}
	deployment := &flinkv1beta1.FlinkDeployment{}
	if err := r.Get(ctx, client.ObjectKey{Namespace: s.snapshot.Namespace, Name: clusterName}, deployment); err != nil {
		if apierrors.IsNotFound(err) {
			return ctrl.Result{}, nil
		}
		return ctrl.Result{}, err
	}
	if ref.Kind != flinkv1beta1.JobKindFlinkSessionJob {
		jobStatus = deployment.Status.JobStatus
	}
	s.referenceFound = true
	s.jobID = jobStatus.JobID
	s.jobRunning = jobStatus.State == flinkv1beta1.JobStatusRunning && jobStatus.JobID != ""
	cluster, err := flinkapi.ClusterClient(deployment, r.OperatorConfig())
	if err != nil {
		return ctrl.Result{}, fmt.Errorf("reaching the JobManager of %s: %w", clusterName, err)
	}
	s.cluster, s.config = cluster, cluster.Config
	return ctrl.Result{}, nil
}

// validate re-runs the admission rules, which a webhook may not have run.
func (r *Reconciler) validate(_ context.Context, s *scope) (ctrl.Result, error) {
	if r.Validate == nil {
		return ctrl.Result{}, nil
	}
	if errs := r.Validate(s.snapshot, s.referenceFound); len(errs) > 0 {
		s.setStalled(flinkv1beta1.ReasonValidationError, "%s", errs.ToAggregate().Error())
		s.done = true
	}
	return ctrl.Result{}, nil
}

func (r *Reconciler) step(ctx context.Context, s *scope, step string) {
	if r.OnStep != nil {
		r.OnStep(ctx, s.snapshot, step)
	}
}

func (r *Reconciler) event(s *scope, eventType, reason, message string) {
	if r.Recorder != nil {
		r.Recorder.Eventf(s.snapshot, nil, eventType, reason, "Reconcile", "%s", message)
	}
}

// Done reports that the remaining phases of the reconcile are skipped.
func (s *scope) Done() bool { return s.done }
