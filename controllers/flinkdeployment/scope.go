package flinkdeployment

import (
	"context"
	"time"

	appsv1 "k8s.io/api/apps/v1"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
	"github.com/teal-flink/teal/internal/flinkapi"
	"github.com/teal-flink/teal/internal/gitops"
	"github.com/teal-flink/teal/internal/operatorconfig"
	"github.com/teal-flink/teal/internal/reconciled"
	"github.com/teal-flink/teal/internal/upgradeplan"
)

// scope carries what earlier phases found to the later ones of one reconcile.
type scope struct {
	// deployment is the object reconciled; phases change its status, the deferred patch writes it.
	deployment *flinkv1beta1.FlinkDeployment
	// patcher patches the object; phases use it to record intent before acting.
	patcher *gitops.Patcher
	// config is the operator configuration for this resource.
	config *operatorconfig.Config
	// target is the last reconciled spec (deployed, or being deployed); nil before the first deployment.
	target *flinkv1beta1.FlinkDeploymentSpec
	// targetMeta is the metadata recorded with target.
	targetMeta reconciled.Metadata
	// stable is the last stable spec while rolling back to it or rolled back (the cluster runs it, not target);
	// nil otherwise.
	stable *flinkv1beta1.FlinkDeploymentSpec
	// flinkConfig is the effective Flink configuration of target (or of the desired spec before a first deploy).
	flinkConfig map[string]string
	// jobManager is the JobManager Deployment, nil when missing.
	jobManager *appsv1.Deployment
	// flink reaches the JobManager's REST API; nil while it is not ready.
	flink flinkapi.API
	// job is the job the JobManager reports; nil when none is known.
	job *JobInfo
	// restartReason, when set, is why the deployed job must be restarted from its last state (health check,
	// or a failed job with kubernetes.operator.job.restart.failed).
	restartReason string
	// observed is what reconcileSpec gathered for the planner (upgradeplan.NextStep) in this reconcile.
	observed upgradeplan.Observation
	// invalid holds the validation failure of the desired spec; the cluster keeps running target.
	invalid string
	// stalled, when set, is why progress needs a person.
	stalled *reasonMessage
	// progress, when set, says what the controller is doing.
	progress *reasonMessage
	// inFlight: a Flink operation or a Kubernetes change is under way; requeue at the progress-check interval.
	inFlight bool
	// wakeIn, when set, is when something time-based is due (a periodic snapshot, the readiness deadline of an
	// upgrade): the reconcile is requeued by then.
	wakeIn time.Duration
	// done stops the remaining phases.
	done bool
	// released: the finalizer is gone and the object may no longer exist.
	released bool
}

type reasonMessage struct {
	reason, message string
}

// patch writes the object now, mid-reconcile: used to record intent before a step acts. The work is under way,
// so it says so (Reconciling) and never advances observedGeneration; only the final patch of a reconcile may.
func (s *scope) patch(ctx context.Context) error {
	if s.progress != nil {
		gitops.MarkReconciling(s.deployment, s.progress.reason, "%s", s.progress.message)
	}
	return s.patcher.Patch(ctx, s.deployment)
}

func (s *scope) setProgress(reason, message string) {
	s.progress = &reasonMessage{reason: reason, message: message}
	s.inFlight = true
}

func (s *scope) setStalled(reason, message string) {
	s.stalled = &reasonMessage{reason: reason, message: message}
}

func (s *scope) requeueAfter() time.Duration {
	if s.config == nil {
		return 0
	}
	interval := s.config.DurationOr(operatorconfig.KeyReconcileInterval)
	if s.inFlight {
		interval = s.config.DurationOr(operatorconfig.KeyProgressCheckInterval)
	}
	if s.wakeIn > 0 && s.wakeIn < interval {
		return s.wakeIn
	}
	return interval
}

// wakeWithin asks for the reconcile to be requeued within d.
func (s *scope) wakeWithin(d time.Duration) {
	if d > 0 && (s.wakeIn == 0 || d < s.wakeIn) {
		s.wakeIn = d
	}
}

// deployedSpec is the spec the cluster is built from: the last stable spec while rolling back or rolled back,
// otherwise target.
func (s *scope) deployedSpec() *flinkv1beta1.FlinkDeploymentSpec {
	if s.stable != nil {
		return s.stable
	}
	return s.target
}

// deployedRecord is the serialized form of deployedSpec, whose hash marks the cluster built from it.
func (s *scope) deployedRecord() string {
	if s.stable != nil {
		return s.deployment.Status.ReconciliationStatus.LastStableSpec
	}
	return s.deployment.Status.ReconciliationStatus.LastReconciledSpec
}
