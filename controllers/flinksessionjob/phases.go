package flinksessionjob

import (
	"context"
	"fmt"
	"strconv"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
	"github.com/teal-flink/teal/internal/flink"
	"github.com/teal-flink/teal/internal/flinkapi"
	"github.com/teal-flink/teal/internal/gitops"
	"github.com/teal-flink/teal/internal/operatorconfig"
	"github.com/teal-flink/teal/internal/reconciled"
	"github.com/teal-flink/teal/internal/resources"
	"github.com/teal-flink/teal/internal/snapshots"
	"github.com/teal-flink/teal/internal/specdiff"
)

// loadTarget reads the last reconciled spec.
func (r *Reconciler) loadTarget(_ context.Context, s *scope) (ctrl.Result, error) {
	target, meta, deployed, err := reconciled.Parse[flinkv1beta1.FlinkSessionJobSpec](s.job.Status.ReconciliationStatus.LastReconciledSpec)
	if err != nil {
		s.setStalled(flinkv1beta1.ReasonValidationError, "status.reconciliationStatus.lastReconciledSpec: %v", err)
		s.done = true
		return ctrl.Result{}, nil
	}
	if deployed {
		s.target, s.firstDeployment = &target, meta.FirstDeployment
	}
	return ctrl.Result{}, nil
}

// findSession looks up the session cluster and reaches its JobManager. A missing or unready cluster is reported
// and waited for (its watch wakes the job up), never a crash loop.
func (r *Reconciler) findSession(ctx context.Context, s *scope) (ctrl.Result, error) {
	name := s.job.Spec.DeploymentName
	if s.target != nil {
		name = s.target.DeploymentName
	}
	session := &flinkv1beta1.FlinkDeployment{}
	if err := r.Get(ctx, client.ObjectKey{Namespace: s.job.Namespace, Name: name}, session); err != nil {
		if !apierrors.IsNotFound(err) {
			return ctrl.Result{}, fmt.Errorf("reading session cluster %s: %w", name, err)
		}
		s.job.Status.JobStatus.State = ""
		s.setProgress(flinkv1beta1.ReasonSessionNotFound, "session cluster %s not found: waiting for it to be created", name)
		s.inFlight = false
		s.done = true
		return ctrl.Result{}, nil
	}
	s.session = session
	desiredConfig, err := s.job.Spec.FlinkConfiguration.Flatten()
	if err != nil {
		s.setStalled(flinkv1beta1.ReasonValidationError, "spec.flinkConfiguration: %v", err)
		s.done = true
		return ctrl.Result{}, nil
	}
	cluster, err := flinkapi.ClusterClient(session, r.OperatorConfig())
	if err != nil {
		s.setStalled(flinkv1beta1.ReasonValidationError, "session cluster %s: %v", name, err)
		s.done = true
		return ctrl.Result{}, nil
	}
	s.config = cluster.Config.ForResource(desiredConfig)
	// A session cluster being deleted still runs (it waits for its jobs), so its jobs can still be stopped.
	if session.Status.JobManagerDeploymentStatus != flinkv1beta1.JobManagerDeploymentReady {
		return ctrl.Result{}, nil
	}
	s.cluster = cluster
	return ctrl.Result{}, nil
}

// validate re-runs the admission rules; an invalid spec is reported and the running job kept.
func (r *Reconciler) validate(_ context.Context, s *scope) (ctrl.Result, error) {
	r.validateWith(s, s.session)
	return ctrl.Result{}, nil
}

func (r *Reconciler) validateWith(s *scope, session *flinkv1beta1.FlinkDeployment) {
	if r.Validate == nil {
		return
	}
	var old *flinkv1beta1.FlinkSessionJob
	if s.target != nil {
		old = s.job.DeepCopy()
		old.Spec = *s.target
	}
	if errs := r.Validate(s.job, old, session); len(errs) > 0 {
		s.invalid = true
		s.setStalled(flinkv1beta1.ReasonValidationError, "%s", errs.ToAggregate().Error())
		r.event(s, corev1.EventTypeWarning, flinkv1beta1.ReasonValidationError, s.stalled.message)
	}
}

// observeJob asks the session cluster about the job recorded in status.
func (r *Reconciler) observeJob(ctx context.Context, s *scope) (ctrl.Result, error) {
	if s.cluster == nil {
		if s.session != nil {
			s.setProgress(flinkv1beta1.ReasonDeploying, "waiting for session cluster %s to be ready (JobManager %s)",
				s.session.Name, orUnknown(string(s.session.Status.JobManagerDeploymentStatus)))
			s.done = true
		}
		return ctrl.Result{}, nil
	}
	jobStatus := &s.job.Status.JobStatus
	if jobStatus.JobID == "" {
		return ctrl.Result{}, nil
	}
	jobs, err := s.cluster.Client.ListJobs(ctx)
	if err != nil {
		s.setProgress(flinkv1beta1.ReasonDeploying, "waiting for the session cluster's REST endpoint: %v", err)
		s.done = true
		return ctrl.Result{}, nil
	}
	for _, job := range jobs {
		if job.ID == jobStatus.JobID {
			// A job whose tasks are not all running yet counts as CREATED (no TaskManager slot yet), so Ready
			// never stands for a job that has not run.
			s.current = &jobInfo{id: job.ID, state: flinkv1beta1.JobStatusState(job.EffectiveState())}
			// updateTime is when the job's state last changed: rewriting it on every observation would
			// patch the status of every resource every interval.
			if jobStatus.State != s.current.state || jobStatus.UpdateTime == "" {
				jobStatus.UpdateTime = strconv.FormatInt(r.Now().UnixMilli(), 10)
			}
			jobStatus.State, jobStatus.JobName = s.current.state, job.Name
			if job.StartTime > 0 {
				jobStatus.StartTime = strconv.FormatInt(job.StartTime, 10)
			}
		}
	}
	// A job last seen ended (a finished bounded job, say) may simply have expired from the cluster's history:
	// only one that was still running counts as lost.
	s.jobLost = s.current == nil && !jobStatus.State.IsGloballyTerminal()
	return ctrl.Result{}, nil
}

func orUnknown(value string) string {
	if value == "" {
		return "unknown"
	}
	return value
}

// targetJobID is the job id of the target's submission: derived from the resource and the moment the target was
// recorded, so a restarted operator resubmits under the same id (Flink rejects the duplicate) and every upgrade
// gets a fresh one.
func targetJobID(job *flinkv1beta1.FlinkSessionJob) string {
	return flink.TriggerID(string(job.UID), strconv.FormatInt(job.Status.ReconciliationStatus.ReconciliationTimestamp, 10), "job")
}

// snapshotOwner describes the session job to the snapshot helpers.
func (s *scope) snapshotOwner() snapshots.Owner {
	owner := snapshots.Owner{Object: s.job, Kind: flinkv1beta1.JobKindFlinkSessionJob, Desired: s.job.Spec.Job,
		JobStatus: &s.job.Status.JobStatus, Config: s.config}
	if s.target != nil {
		owner.Reconciled = s.target.Job
	}
	return owner
}

// reconcileSnapshots takes the manual and periodic snapshots that are due as FlinkStateSnapshot resources and
// prunes the history, while the job runs its target spec.
func (r *Reconciler) reconcileSnapshots(ctx context.Context, s *scope) (ctrl.Result, error) {
	if s.invalid || s.target == nil || s.job.Status.ReconciliationStatus.State != flinkv1beta1.ReconciliationStateDeployed {
		return ctrl.Result{}, nil
	}
	if !s.config.Bool(operatorconfig.KeySnapshotResource) {
		return r.reconcileLegacySnapshots(ctx, s)
	}
	resources := snapshots.Resources{Client: r.Client, Now: r.Now}
	if _, err := resources.CleanupHistory(ctx, s.snapshotOwner()); err != nil {
		return ctrl.Result{}, err
	}
	if running, err := s.runsTarget(); err != nil || !running {
		return ctrl.Result{}, err
	}
	outcome, err := resources.TriggerDue(ctx, s.snapshotOwner())
	for _, name := range outcome.Created {
		r.event(s, corev1.EventTypeNormal, flinkv1beta1.ReasonSavepointing, "snapshot requested: "+name)
	}
	if err != nil {
		return ctrl.Result{}, err
	}
	s.nextSnapshot = outcome.NextCheck
	return ctrl.Result{}, s.recordHandledNonces(outcome.SavepointNonce, outcome.CheckpointNonce)
}

// runsTarget reports whether the job runs the target spec, so snapshots may be taken of it: a change that needs
// a resubmission comes first, and its upgrade takes its own savepoint.
func (s *scope) runsTarget() (bool, error) {
	if s.current == nil || s.current.state != flinkv1beta1.JobStatusRunning {
		return false, nil
	}
	diff, err := specdiff.FlinkSessionJob(s.target, &s.job.Spec)
	return err == nil && diff.Type < specdiff.Scale, err
}

// recordHandledNonces writes the trigger nonces acted on into the last reconciled spec, as upstream does.
func (s *scope) recordHandledNonces(savepoint, checkpoint *int64) error {
	if savepoint == nil && checkpoint == nil {
		return nil
	}
	if savepoint != nil {
		s.target.Job.SavepointTriggerNonce = savepoint
	}
	if checkpoint != nil {
		s.target.Job.CheckpointTriggerNonce = checkpoint
	}
	serialized, err := reconciled.Serialize(*s.target, s.firstDeployment)
	if err != nil {
		return err
	}
	s.job.Status.ReconciliationStatus.LastReconciledSpec = serialized
	return nil
}

// reconcileLegacySnapshots runs upstream's status-based savepoint path (snapshot resources disabled) for the
// session job, through its session cluster.
func (r *Reconciler) reconcileLegacySnapshots(ctx context.Context, s *scope) (ctrl.Result, error) {
	if s.cluster == nil || s.current == nil {
		return ctrl.Result{}, nil
	}
	running, err := s.runsTarget()
	if err != nil {
		return ctrl.Result{}, err
	}
	outcome, err := snapshots.Legacy{
		Owner: s.snapshotOwner(), API: s.cluster.Client, JobID: s.current.id, JobRunning: running,
		SavepointDir: resources.SavepointDir(s.cluster.FlinkConfig), UID: string(s.job.UID), Subject: s.current.id,
		Now:   r.Now,
		Event: func(eventType, reason, message string) { r.event(s, eventType, reason, message) },
		Record: func(ctx context.Context, nonce *int64) error {
			if err := s.recordHandledNonces(nonce, nil); err != nil {
				return err
			}
			return s.patch(ctx)
		},
	}.Reconcile(ctx)
	if outcome.WakeIn > 0 {
		s.nextSnapshot = outcome.WakeIn
	}
	s.inFlight = s.inFlight || outcome.InFlight
	return ctrl.Result{}, err
}

// reconcileSpec decides the next step and performs it.
func (r *Reconciler) reconcileSpec(ctx context.Context, s *scope) (ctrl.Result, error) {
	if s.invalid {
		return ctrl.Result{}, nil
	}
	obs := observation{target: s.target, reconciliation: s.job.Status.ReconciliationStatus.State, jobLost: s.jobLost}
	if s.target != nil {
		diff, err := specdiff.FlinkSessionJob(s.target, &s.job.Spec)
		if err != nil {
			return ctrl.Result{}, err
		}
		obs.changed, obs.upgrade = len(diff.Changes) > 0, diff.Type >= specdiff.Scale
	}
	if info := s.job.Status.JobStatus.SavepointInfo; info != nil && info.TriggerID != "" && info.TriggerType == flinkv1beta1.SnapshotTriggerUpgrade {
		obs.savepointInFlight = true
	}
	if s.current != nil {
		if s.current.id == targetJobID(s.job) {
			obs.targetJobFound = true
		} else {
			obs.oldJob = s.current
		}
	}
	next := nextStep(obs)
	if actsOnFlink(next) {
		fresh, err := r.confirmStatus(ctx, s)
		if err != nil || !fresh {
			return ctrl.Result{}, err
		}
	}
	if err := r.perform(ctx, s, next); err != nil {
		return ctrl.Result{}, err
	}
	if r.OnStep != nil && next != stepNone {
		r.OnStep(ctx, s.job, next.String())
	}
	return ctrl.Result{}, nil
}

// actsOnFlink reports whether a step has a side effect in Flink that a decision made on an outdated status would
// repeat: a second savepoint, a cancel of the new job, a second submission.
func actsOnFlink(next step) bool {
	switch next {
	case stepStopWithSavepoint, stepCheckpointAndCancel, stepCancel, stepSubmit:
		return true
	}
	return false
}

// confirmStatus reads the session job through the uncached API reader and reports whether the copy this
// reconcile decided on is the one the server holds (the informer cache may lack the trigger id or job id this
// controller just recorded). A stale copy ends the reconcile, to be retried at the progress-check interval.
func (r *Reconciler) confirmStatus(ctx context.Context, s *scope) (bool, error) {
	if r.APIReader == nil {
		return true, nil
	}
	if current, err := gitops.IsCurrent(ctx, r.APIReader, s.job); current || err != nil {
		return current, err
	}
	s.setProgress(flinkv1beta1.ReasonProgressing, "waiting for the informer cache to catch up with the recorded status")
	return false, nil
}
