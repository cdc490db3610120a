package flinkdeployment

import (
	"context"
	"fmt"
	"strconv"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
	"github.com/teal-flink/teal/internal/deploystatus"
	"github.com/teal-flink/teal/internal/jobops"
	"github.com/teal-flink/teal/internal/kubeapply"
	"github.com/teal-flink/teal/internal/lifecycle"
	"github.com/teal-flink/teal/internal/operatorconfig"
	"github.com/teal-flink/teal/internal/reconciled"
	"github.com/teal-flink/teal/internal/resources"
	"github.com/teal-flink/teal/internal/specdiff"
	"github.com/teal-flink/teal/internal/upgradeplan"
)

// perform carries out one step. Steps that start something in Flink record it in status and patch before they
// act, so a restart polls the same operation rather than starting another.
func (r *Reconciler) perform(ctx context.Context, s *scope, next upgradeplan.Step) (ctrl.Result, error) {
	switch next {
	case upgradeplan.StepBeginUpgrade:
		return ctrl.Result{}, r.beginUpgrade(ctx, s)
	case upgradeplan.StepRecordIgnorable:
		return ctrl.Result{}, r.recordInPlace(ctx, s)
	case upgradeplan.StepScale:
		return ctrl.Result{}, r.scale(ctx, s)
	case upgradeplan.StepStopWithSavepoint:
		return ctrl.Result{}, r.stopWithSavepoint(ctx, s, flinkv1beta1.SnapshotTriggerUpgrade, "upgrade")
	case upgradeplan.StepAwaitSavepoint:
		return ctrl.Result{}, r.awaitSavepoint(ctx, s)
	case upgradeplan.StepCheckpointAndCancel:
		return ctrl.Result{}, r.checkpointAndCancel(ctx, s)
	case upgradeplan.StepCancel:
		return ctrl.Result{}, r.cancel(ctx, s)
	case upgradeplan.StepAwaitJobEnd:
		s.setProgress(flinkv1beta1.ReasonUpgrading, "waiting for the old job to end")
	case upgradeplan.StepAwaitJobRunning:
		s.setProgress(flinkv1beta1.ReasonUpgrading, fmt.Sprintf("waiting for job %s to run before taking its state (it is %s)", s.job.ID, s.job.State))
	case upgradeplan.StepDeleteCluster:
		return ctrl.Result{}, r.deleteCluster(ctx, s)
	case upgradeplan.StepDeploy, upgradeplan.StepRecoverJobManager:
		return ctrl.Result{}, r.deploy(ctx, s, next == upgradeplan.StepRecoverJobManager)
	case upgradeplan.StepBeginRollback:
		return ctrl.Result{}, r.beginRollback(ctx, s)
	case upgradeplan.StepBeginRestart:
		return ctrl.Result{}, r.beginRestart(ctx, s)
	case upgradeplan.StepMarkDeployed:
		markDeployed(s)
		s.setProgress(flinkv1beta1.ReasonDeploying, "cluster deployed, waiting for the job")
	case upgradeplan.StepMarkSuspended:
		r.markSuspended(s)
	case upgradeplan.StepLostCluster:
		r.reportLostCluster(s)
	case upgradeplan.StepAwaitCheckpoint:
		r.awaitCheckpoint(s)
	case upgradeplan.StepShutDownFinished:
		return ctrl.Result{}, r.shutDownFinished(ctx, s)
	case upgradeplan.StepManualRestore:
		s.deployment.Status.Error = "JobManager deployment is missing and the job's state cannot be recovered without HA. " + lifecycle.MsgManualRestoreRequired
		s.setStalled(flinkv1beta1.ReasonManualRestore, s.deployment.Status.Error)
		r.event(s, corev1.EventTypeWarning, flinkv1beta1.ReasonManualRestore, s.deployment.Status.Error)
	}
	return ctrl.Result{}, nil
}

// beginUpgrade makes the desired spec the target, before anything is stopped, and sets where the new job will
// restore from when that is known now.
func (r *Reconciler) beginUpgrade(ctx context.Context, s *scope) error {
	var diff specdiff.Result
	if s.target != nil {
		var err error
		if diff, err = specdiff.FlinkDeployment(s.target, &s.deployment.Spec); err != nil {
			return err
		}
	}
	jobStatus := &s.deployment.Status.JobStatus
	switch {
	case diff.Type == specdiff.SavepointRedeploy:
		jobStatus.UpgradeSavepointPath = s.deployment.Spec.Job.InitialSavepointPath
	case upgradeplan.UpgradeMode(&s.deployment.Spec) == flinkv1beta1.UpgradeModeStateless:
		jobStatus.UpgradeSavepointPath = ""
	}
	if err := r.recordTarget(s, flinkv1beta1.ReconciliationStateUpgrading); err != nil {
		return err
	}
	message := "deploying"
	if s.targetMeta.FirstDeployment {
		r.event(s, corev1.EventTypeNormal, flinkv1beta1.ReasonDeploying, "first deployment")
	} else {
		message = "upgrading: " + diff.String()
		r.event(s, corev1.EventTypeNormal, flinkv1beta1.ReasonUpgrading, message)
	}
	s.setProgress(flinkv1beta1.ReasonUpgrading, message)
	return s.patch(ctx)
}

// recordTarget writes the desired spec as the last reconciled spec.
func (r *Reconciler) recordTarget(s *scope, state flinkv1beta1.ReconciliationState) error {
	first := s.target == nil
	serialized, err := reconciled.Serialize(s.deployment.Spec, first)
	if err != nil {
		return err
	}
	reconciliation := &s.deployment.Status.ReconciliationStatus
	reconciliation.LastReconciledSpec = serialized
	reconciliation.State = state
	reconciliation.ReconciliationTimestamp = r.Now().UnixMilli()
	s.target, s.stable = s.deployment.Spec.DeepCopy(), nil
	s.targetMeta = reconciled.Metadata{APIVersion: flinkv1beta1.GroupVersion.String(), FirstDeployment: first}
	return r.computeFlinkConfig(s)
}

// recordInPlace records the desired spec as the target of the running cluster, for a change that needs no new
// cluster (operator options, nonces, an in-place scale), and writes the new target's spec hash on the JobManager
// Deployment, so that the cluster still counts as the target's. Without it, a later health-check or failed-job
// restart of that cluster was carried out as an upgrade by the upgrade mode: with upgradeMode savepoint, a
// stop-with-savepoint of the unhealthy job instead of a cancel and a restore from the checkpoint the restart
// recorded. The annotation is written before the status records the target: a crash in between records the same
// target again. Only a JobManager built from the previous target is relabelled.
func (r *Reconciler) recordInPlace(ctx context.Context, s *scope) error {
	previous := s.deployedRecord()
	if err := r.recordTarget(s, flinkv1beta1.ReconciliationStateDeployed); err != nil {
		return err
	}
	if s.jobManager == nil {
		return nil
	}
	hash, relabel := upgradeplan.SpecHashAfterInPlaceChange(s.jobManager.Annotations, previous, s.deployedRecord())
	if !relabel {
		return nil
	}
	patch := client.MergeFrom(s.jobManager.DeepCopy())
	s.jobManager.Annotations[upgradeplan.AnnotationSpecHash] = hash
	if err := r.Patch(ctx, s.jobManager, patch); err != nil {
		return fmt.Errorf("recording the spec hash on the JobManager Deployment: %w", err)
	}
	return nil
}

// stopWithSavepoint records the savepoint's trigger as intent (jobops.RecordIntent: a recorded trigger is asked
// for again under its id, a new attempt gets a new one), then asks Flink to stop the job with it.
func (r *Reconciler) stopWithSavepoint(ctx context.Context, s *scope, triggerType flinkv1beta1.SnapshotTriggerType, purpose string) error {
	info := jobops.RecordIntent(&s.deployment.Status.JobStatus, jobops.Attempt{
		UID: string(s.deployment.UID), Subject: strconv.FormatInt(s.deployment.Generation, 10), Purpose: purpose,
		Type: triggerType, At: r.Now(),
		Format: flinkv1beta1.SavepointFormatType(s.config.String(operatorconfig.KeySavepointFormatType)),
	})
	s.setProgress(flinkv1beta1.ReasonSavepointing, fmt.Sprintf("stopping job %s with savepoint %s", s.job.ID, info.TriggerID))
	if err := s.patch(ctx); err != nil {
		return err
	}
	r.intentRecorded(ctx, s, upgradeplan.StepStopWithSavepoint)
	if err := jobops.StopWithSavepoint(ctx, s.flink, s.job.ID, info, resources.SavepointDir(s.flinkConfig)); err != nil {
		// The trigger stays recorded: Flink may have started it before the answer was lost, and the next
		// reconcile polls it (or sends it again under the same id).
		return err
	}
	r.event(s, corev1.EventTypeNormal, flinkv1beta1.ReasonSavepointing, s.progress.message)
	return nil
}

// awaitSavepoint polls the savepoint in flight and records its location when it completes; what follows a poll
// is decided by jobops.AfterPoll, the same for every controller.
func (r *Reconciler) awaitSavepoint(ctx context.Context, s *scope) error {
	info := s.deployment.Status.JobStatus.SavepointInfo
	jobID := s.deployment.Status.JobStatus.JobID
	if s.flink == nil {
		s.setProgress(flinkv1beta1.ReasonSavepointing, "waiting for the JobManager to report the savepoint")
		return nil
	}
	poll := jobops.PollSavepoint(ctx, s.flink, jobID, info)
	jobState := flinkv1beta1.JobStatusState("")
	if s.job != nil {
		jobState = s.job.State
	}
	next := jobops.AfterPoll(poll, jobState)
	jobops.Settle(info, next)
	switch next {
	case jobops.NextResend:
		// The JobManager lost the operation (failover, or it never arrived): ask again under the same id.
		return r.stopWithSavepoint(ctx, s, info.TriggerType, "upgrade")
	case jobops.NextBackOff:
		return fmt.Errorf("polling savepoint %s: %w", info.TriggerID, poll.Err)
	case jobops.NextWait:
		s.setProgress(flinkv1beta1.ReasonSavepointing, fmt.Sprintf("savepoint %s in progress", info.TriggerID))
		return nil
	case jobops.NextStall:
		message, warn := jobops.UpgradeSavepointStall(poll, jobID, jobState)
		if warn {
			r.event(s, corev1.EventTypeWarning, flinkv1beta1.ReasonSavepointFailed, message)
		}
		s.setStalled(flinkv1beta1.ReasonSavepointFailed, message)
		return nil
	case jobops.NextRetry:
		// Flink keeps the job running when a stop-with-savepoint fails: retry with a fresh trigger id later.
		r.event(s, corev1.EventTypeWarning, flinkv1beta1.ReasonSavepointFailed, poll.Failure)
		return fmt.Errorf("savepoint failed: %s", poll.Failure)
	}
	// Recorded as a snapshot resource before status forgets the trigger, so a failure here retries both.
	if err := r.snapshotResources().RecordUpgradeSavepoint(ctx, s.snapshotOwner(), poll.Location); err != nil {
		return err
	}
	jobops.RecordCompleted(info, poll.Location, r.Now())
	s.deployment.Status.JobStatus.UpgradeSavepointPath = poll.Location
	s.deployment.Status.JobStatus.State = flinkv1beta1.JobStatusFinished
	r.event(s, corev1.EventTypeNormal, flinkv1beta1.ReasonSavepointing, "savepoint completed: "+poll.Location)
	s.setProgress(flinkv1beta1.ReasonUpgrading, "savepoint completed")
	return s.patch(ctx)
}

// checkpointAndCancel records the latest checkpoint as the restore point, then cancels the job. When the
// configured checkpoint retention deletes checkpoints on cancel, the recorded path would be gone by the time the
// new job starts: the state is handed over through a savepoint instead.
func (r *Reconciler) checkpointAndCancel(ctx context.Context, s *scope) error {
	path := ""
	if jobops.CheckpointsSurviveCancel(s.flinkConfig) {
		var err error
		if path, err = jobops.LatestCheckpoint(ctx, s.flink, s.job.ID); err != nil {
			return fmt.Errorf("reading the latest checkpoint of job %s: %w", s.job.ID, err)
		}
	}
	switch {
	case path == "" && s.stable != nil:
		// Rolling back: the stable spec restores the state the failed upgrade started from.
		return r.cancel(ctx, s)
	case path == "":
		// No checkpoint that outlives the cancel (the job just started, checkpointing is off, or the retention
		// deletes them): the running job can still hand its state over through a savepoint.
		return r.stopWithSavepoint(ctx, s, flinkv1beta1.SnapshotTriggerUpgrade, "upgrade")
	}
	s.deployment.Status.JobStatus.UpgradeSavepointPath = path
	s.setProgress(flinkv1beta1.ReasonUpgrading, fmt.Sprintf("cancelling job %s; it restores from checkpoint %s", s.job.ID, path))
	if err := s.patch(ctx); err != nil {
		return err
	}
	r.intentRecorded(ctx, s, upgradeplan.StepCheckpointAndCancel)
	return r.cancel(ctx, s)
}

// cancel cancels the job; the cluster is deleted once Flink reports it ended. A job already terminal (Flink's
// 409) is what the cancel asked for.
func (r *Reconciler) cancel(ctx context.Context, s *scope) error {
	outcome, err := jobops.Cancel(ctx, s.flink, s.job.ID)
	if err != nil {
		return err
	}
	r.event(s, corev1.EventTypeNormal, flinkv1beta1.ReasonUpgrading, "cancelling job "+s.job.ID+": "+outcome.String())
	s.setProgress(flinkv1beta1.ReasonUpgrading, "cancelling the old job")
	return nil
}

// intentRecorded reports that a step's intent is in status and its action is next (see Reconciler.OnStep).
func (r *Reconciler) intentRecorded(ctx context.Context, s *scope, current upgradeplan.Step) {
	if r.OnStep != nil {
		r.OnStep(ctx, s.deployment, current.String()+"/intent")
	}
}

// deleteCluster removes the JobManager (and TaskManager) Deployment; ConfigMap and Services are updated in place
// by the next deployment.
func (r *Reconciler) deleteCluster(ctx context.Context, s *scope) error {
	if !s.jobManager.DeletionTimestamp.IsZero() {
		s.setProgress(flinkv1beta1.ReasonUpgrading, "waiting for the old JobManager to shut down")
		return nil
	}
	if upgradeplan.NeedsTerminalState(s.observed) {
		proceed, err := r.recordTerminalState(ctx, s)
		if err != nil || !proceed {
			return err
		}
	}
	if err := r.recordClusterRemoval(ctx, s, upgradeplan.StepDeleteCluster); err != nil {
		return err
	}
	if err := r.deleteDeployments(ctx, s.deployment); err != nil {
		return err
	}
	s.deployment.Status.JobManagerDeploymentStatus = flinkv1beta1.JobManagerDeploymentMissing
	s.setProgress(flinkv1beta1.ReasonUpgrading, "old cluster deleted")
	return nil
}

func (r *Reconciler) deleteDeployments(ctx context.Context, deployment *flinkv1beta1.FlinkDeployment) error {
	for _, name := range []string{resources.JobManagerName(deployment.Name), resources.TaskManagerName(deployment.Name)} {
		object := &appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Namespace: deployment.Namespace, Name: name}}
		if err := r.Delete(ctx, object, client.PropagationPolicy(metav1.DeletePropagationBackground)); err != nil && !apierrors.IsNotFound(err) {
			return fmt.Errorf("deleting Deployment %s: %w", name, err)
		}
	}
	return nil
}

// restorePath is where the job of the deployed spec starts from (jobops.RestorePoint).
func restorePath(s *scope) string {
	spec := s.deployedSpec()
	restore := jobops.Restore{
		HasJob: spec.Job != nil, FirstDeployment: s.targetMeta.FirstDeployment, RollingBack: s.stable != nil,
		Recorded: s.deployment.Status.JobStatus.UpgradeSavepointPath, Restarted: restartsRecorded(&s.deployment.Status) > 0,
	}
	if s.target != nil && s.target.Job != nil {
		restore.Initial = s.target.Job.InitialSavepointPath
	}
	return jobops.RestorePoint(restore)
}

// deploy creates every object of the target spec's cluster.
func (r *Reconciler) deploy(ctx context.Context, s *scope, recovery bool) error {
	if s.jobManager != nil {
		s.setProgress(flinkv1beta1.ReasonUpgrading, "waiting for the old JobManager to shut down")
		return nil
	}
	restore := restorePath(s)
	spec := s.deployedSpec()
	cluster, err := resources.Build(withSpec(s.deployment, spec), resources.ConfigOptions{Defaults: s.config.FlinkDefaults(spec.FlinkVersion), RestoreSavepointPath: restore})
	if err != nil {
		s.setStalled(flinkv1beta1.ReasonValidationError, err.Error())
		return nil
	}
	for key, value := range upgradeplan.ClusterAnnotations(s.deployedRecord(), restartsRecorded(&s.deployment.Status)) {
		cluster.JobManager.Annotations[key] = value
	}
	for _, object := range cluster.Objects() {
		if err := kubeapply.Apply(ctx, r.Client, r.Scheme, s.deployment, object); err != nil {
			return err
		}
	}
	upgradeplan.RecordDeployed(&s.deployment.Status, s.target, s.stable != nil)
	reason, message := deploystatus.Deployed(restore, s.stable != nil, recovery)
	r.event(s, corev1.EventTypeNormal, reason, message)
	s.setProgress(reason, message)
	return nil
}

// markSuspended records a completed suspend.
func (r *Reconciler) markSuspended(s *scope) {
	status := &s.deployment.Status
	status.ReconciliationStatus.State = flinkv1beta1.ReconciliationStateDeployed
	status.JobStatus.State = flinkv1beta1.JobStatusSuspended
	status.JobManagerDeploymentStatus = flinkv1beta1.JobManagerDeploymentMissing
	r.event(s, corev1.EventTypeNormal, flinkv1beta1.ReasonSuspended, "job suspended")
}
