package flinkdeployment

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"
	ctrl "sigs.k8s.io/controller-runtime"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
	"github.com/teal-flink/teal/internal/conditions"
	"github.com/teal-flink/teal/internal/operatorconfig"
	"github.com/teal-flink/teal/internal/reconciled"
	"github.com/teal-flink/teal/internal/resources"
	"github.com/teal-flink/teal/internal/snapshots"
	"github.com/teal-flink/teal/internal/specdiff"
)

// snapshotResources returns the snapshot resource helper bound to this controller's client and clock.
func (r *Reconciler) snapshotResources() snapshots.Resources {
	return snapshots.Resources{Client: r.Client, Now: r.Now}
}

// snapshotOwner describes the deployment to the snapshot helpers.
func (s *scope) snapshotOwner() snapshots.Owner {
	owner := snapshots.Owner{
		Object: s.deployment, Kind: flinkv1beta1.JobKindFlinkDeployment, Desired: s.deployment.Spec.Job,
		JobStatus: &s.deployment.Status.JobStatus, Config: s.config,
	}
	if s.target != nil {
		owner.Reconciled = s.target.Job
	}
	return owner
}

// reconcileSnapshots takes the manual (nonce) and periodic snapshots that are due, as FlinkStateSnapshot
// resources or, with kubernetes.operator.snapshot.resource.enabled=false, in status (upstream's legacy path),
// and prunes the snapshot history. Snapshots are only taken of a running job whose spec needs no upgrade: an
// upgrade comes first and takes its own savepoint.
func (r *Reconciler) reconcileSnapshots(ctx context.Context, s *scope) (ctrl.Result, error) {
	if s.invalid != "" || s.target == nil || s.target.Job == nil ||
		s.deployment.Status.ReconciliationStatus.State != flinkv1beta1.ReconciliationStateDeployed {
		return ctrl.Result{}, nil
	}
	resourcesEnabled := s.config.Bool(operatorconfig.KeySnapshotResource)
	if resourcesEnabled {
		deleted, err := r.snapshotResources().CleanupHistory(ctx, s.snapshotOwner())
		if err != nil {
			return ctrl.Result{}, err
		}
		if len(deleted) > 0 {
			r.event(s, corev1.EventTypeNormal, flinkv1beta1.ReasonSavepointing, "snapshot history cleaned up: "+strings.Join(deleted, ", "))
		}
	}
	if !resourcesEnabled {
		return r.reconcileLegacySnapshots(ctx, s)
	}
	if s.job == nil || s.job.State != flinkv1beta1.JobStatusRunning {
		return ctrl.Result{}, nil
	}
	if diff, err := specdiff.FlinkDeployment(s.target, &s.deployment.Spec); err != nil || diff.Type >= specdiff.Scale {
		return ctrl.Result{}, err
	}
	outcome, err := r.snapshotResources().TriggerDue(ctx, s.snapshotOwner())
	r.reportSchedules(s, outcome.InvalidSchedules)
	for _, name := range outcome.Created {
		r.event(s, corev1.EventTypeNormal, flinkv1beta1.ReasonSavepointing, "snapshot requested: "+name)
	}
	if err != nil {
		return ctrl.Result{}, err
	}
	s.wakeWithin(outcome.NextCheck)
	return ctrl.Result{}, r.recordHandledNonces(s, outcome.SavepointNonce, outcome.CheckpointNonce)
}

// reconcileLegacySnapshots runs the status-based savepoint path for the deployment's job.
func (r *Reconciler) reconcileLegacySnapshots(ctx context.Context, s *scope) (ctrl.Result, error) {
	if s.flink == nil || s.job == nil {
		return ctrl.Result{}, nil
	}
	running := s.job.State == flinkv1beta1.JobStatusRunning
	if running {
		// A change that needs an upgrade comes first; the upgrade takes its own savepoint.
		diff, err := specdiff.FlinkDeployment(s.target, &s.deployment.Spec)
		if err != nil {
			return ctrl.Result{}, err
		}
		running = diff.Type < specdiff.Scale
	}
	outcome, err := snapshots.Legacy{
		Owner: s.snapshotOwner(), API: s.flink, JobID: s.job.ID, JobRunning: running,
		SavepointDir: resources.SavepointDir(s.flinkConfig),
		UID:          string(s.deployment.UID), Subject: strconv.FormatInt(s.deployment.Generation, 10),
		Now:   r.Now,
		Event: func(eventType, reason, message string) { r.event(s, eventType, reason, message) },
		Record: func(ctx context.Context, nonce *int64) error {
			if err := r.recordHandledNonces(s, nonce, nil); err != nil {
				return err
			}
			return s.patch(ctx)
		},
	}.Reconcile(ctx)
	s.wakeWithin(outcome.WakeIn)
	s.inFlight = s.inFlight || outcome.InFlight
	return ctrl.Result{}, err
}

// recordHandledNonces writes trigger nonces that have been acted on into the last reconciled spec, as upstream
// does: a nonce differing from the reconciled one asks for a snapshot.
func (r *Reconciler) recordHandledNonces(s *scope, savepoint, checkpoint *int64) error {
	if savepoint == nil && checkpoint == nil {
		return nil
	}
	if savepoint != nil {
		s.target.Job.SavepointTriggerNonce = savepoint
	}
	if checkpoint != nil {
		s.target.Job.CheckpointTriggerNonce = checkpoint
	}
	serialized, err := reconciled.Serialize(*s.target, s.targetMeta.FirstDeployment)
	if err != nil {
		return fmt.Errorf("recording the snapshot trigger nonce: %w", err)
	}
	s.deployment.Status.ReconciliationStatus.LastReconciledSpec = serialized
	return nil
}

// ConditionPeriodicSnapshots is False while a periodic snapshot setting cannot be parsed, so no periodic
// snapshot is taken; absent otherwise.
const ConditionPeriodicSnapshots = "PeriodicSnapshots"

// reportSchedules makes an unparsable periodic snapshot schedule visible: a condition for as long as it lasts
// and a Warning event when it appears, instead of silently taking no snapshots.
func (r *Reconciler) reportSchedules(s *scope, invalid []string) {
	if len(invalid) == 0 {
		conditions.Delete(s.deployment, ConditionPeriodicSnapshots)
		return
	}
	message := "no periodic snapshots: " + strings.Join(invalid, "; ")
	if conditions.GetMessage(s.deployment, ConditionPeriodicSnapshots) != message {
		r.event(s, corev1.EventTypeWarning, flinkv1beta1.ReasonScheduleInvalid, message)
	}
	conditions.MarkFalse(s.deployment, ConditionPeriodicSnapshots, flinkv1beta1.ReasonScheduleInvalid, "%s", message)
}
