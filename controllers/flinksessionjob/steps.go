package flinksessionjob

import (
	"context"
	"fmt"

	corev1 "k8s.io/api/core/v1"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
	"github.com/teal-flink/teal/internal/flink"
	"github.com/teal-flink/teal/internal/jobops"
	"github.com/teal-flink/teal/internal/lifecycle"
	"github.com/teal-flink/teal/internal/operatorconfig"
	"github.com/teal-flink/teal/internal/reconciled"
	"github.com/teal-flink/teal/internal/resources"
	"github.com/teal-flink/teal/internal/snapshots"
)

// perform carries out one step; steps that start something in Flink record it in status and patch first.
func (r *Reconciler) perform(ctx context.Context, s *scope, next step) error {
	switch next {
	case stepBeginUpgrade:
		return r.beginUpgrade(ctx, s)
	case stepRecordIgnorable:
		return r.recordTarget(s, flinkv1beta1.ReconciliationStateDeployed, false)
	case stepStopWithSavepoint:
		return r.stopWithSavepoint(ctx, s, "upgrade")
	case stepAwaitSavepoint:
		return r.awaitSavepoint(ctx, s)
	case stepCheckpointAndCancel:
		return r.checkpointAndCancel(ctx, s)
	case stepCancel:
		return r.cancel(ctx, s)
	case stepAwaitJobEnd:
		s.setProgress(flinkv1beta1.ReasonUpgrading, "waiting for job %s to end", s.current.id)
	case stepSubmit:
		return r.submit(ctx, s)
	case stepResubmit:
		return r.resubmit(ctx, s)
	case stepMarkDeployed:
		s.job.Status.ReconciliationStatus.State = flinkv1beta1.ReconciliationStateDeployed
		s.setProgress(flinkv1beta1.ReasonDeploying, "job %s submitted", s.current.id)
	case stepMarkSuspended:
		status := &s.job.Status
		status.ReconciliationStatus.State = flinkv1beta1.ReconciliationStateDeployed
		status.JobStatus.State = flinkv1beta1.JobStatusSuspended
		r.event(s, corev1.EventTypeNormal, flinkv1beta1.ReasonSuspended, "job suspended")
	}
	return nil
}

// recordTarget writes the desired spec as the last reconciled spec.
func (r *Reconciler) recordTarget(s *scope, state flinkv1beta1.ReconciliationState, newSubmission bool) error {
	first := s.target == nil
	serialized, err := reconciled.Serialize(s.job.Spec, first)
	if err != nil {
		return err
	}
	reconciliation := &s.job.Status.ReconciliationStatus
	reconciliation.LastReconciledSpec, reconciliation.State = serialized, state
	if newSubmission || reconciliation.ReconciliationTimestamp == 0 {
		// The target job id derives from this timestamp: only a new submission may change it.
		reconciliation.ReconciliationTimestamp = r.Now().UnixMilli()
	}
	s.target, s.firstDeployment = s.job.Spec.DeepCopy(), first
	return nil
}

// beginUpgrade makes the desired spec the target before anything is stopped.
func (r *Reconciler) beginUpgrade(ctx context.Context, s *scope) error {
	first := s.target == nil
	if upgradeMode(&s.job.Spec) == flinkv1beta1.UpgradeModeStateless {
		s.job.Status.JobStatus.UpgradeSavepointPath = ""
	}
	if err := r.recordTarget(s, flinkv1beta1.ReconciliationStateUpgrading, true); err != nil {
		return err
	}
	message := "submitting"
	if !first {
		message = "upgrading"
	}
	r.event(s, corev1.EventTypeNormal, flinkv1beta1.ReasonUpgrading, message)
	s.setProgress(flinkv1beta1.ReasonUpgrading, "%s", message)
	return s.patch(ctx)
}

// stopWithSavepoint records the savepoint's trigger as intent (jobops.RecordIntent: a recorded trigger is asked
// for again under its id, a new attempt — a retry after a failed or expired one — gets a new id), then stops the
// old job with it.
func (r *Reconciler) stopWithSavepoint(ctx context.Context, s *scope, purpose string) error {
	info := jobops.RecordIntent(&s.job.Status.JobStatus, jobops.Attempt{
		UID: string(s.job.UID), Subject: s.current.id, Purpose: purpose, Type: flinkv1beta1.SnapshotTriggerUpgrade,
		Format: flinkv1beta1.SavepointFormatType(s.config.String(operatorconfig.KeySavepointFormatType)), At: r.Now(),
	})
	s.setProgress(flinkv1beta1.ReasonSavepointing, "stopping job %s with savepoint %s", s.current.id, info.TriggerID)
	if err := s.patch(ctx); err != nil {
		return err
	}
	r.intentRecorded(ctx, s, stepStopWithSavepoint)
	if err := jobops.StopWithSavepoint(ctx, s.cluster.Client, s.current.id, info, resources.SavepointDir(s.cluster.FlinkConfig)); err != nil {
		// The trigger stays recorded: Flink may have started it before the answer was lost, and the next
		// reconcile polls it (or sends it again under the same id).
		return err
	}
	r.event(s, corev1.EventTypeNormal, flinkv1beta1.ReasonSavepointing, s.progress.message)
	return nil
}

// awaitSavepoint polls the upgrade savepoint and records where the new job restores from; what follows a poll
// is decided by jobops.AfterPoll, the same for every controller.
func (r *Reconciler) awaitSavepoint(ctx context.Context, s *scope) error {
	info := s.job.Status.JobStatus.SavepointInfo
	jobID := s.job.Status.JobStatus.JobID
	poll := jobops.PollSavepoint(ctx, s.cluster.Client, jobID, info)
	jobState := flinkv1beta1.JobStatusState("")
	if s.current != nil {
		jobState = s.current.state
	}
	next := jobops.AfterPoll(poll, jobState)
	jobops.Settle(info, next)
	switch next {
	case jobops.NextResend:
		return r.stopWithSavepoint(ctx, s, "upgrade")
	case jobops.NextBackOff:
		return fmt.Errorf("polling savepoint %s: %w", info.TriggerID, poll.Err)
	case jobops.NextWait:
		s.setProgress(flinkv1beta1.ReasonSavepointing, "savepoint %s in progress", info.TriggerID)
		return nil
	case jobops.NextStall:
		message := "the savepoint's result is no longer known to Flink and the job has ended; set " +
			"job.initialSavepointPath and a new savepointRedeployNonce to restore. " + lifecycle.MsgManualRestoreRequired
		if poll.Outcome == jobops.PollFailed {
			message = fmt.Sprintf("the upgrade savepoint of job %s failed while the job is %s: %s; the upgrade "+
				"retries once the job runs again, or use upgradeMode last-state", jobID, jobState, poll.Failure)
			r.event(s, corev1.EventTypeWarning, flinkv1beta1.ReasonSavepointFailed, message)
		}
		s.setStalled(flinkv1beta1.ReasonSavepointFailed, "%s", message)
		return nil
	case jobops.NextRetry:
		// Flink keeps the job running when a stop-with-savepoint fails: retry with a fresh trigger id later.
		r.event(s, corev1.EventTypeWarning, flinkv1beta1.ReasonSavepointFailed, poll.Failure)
		return fmt.Errorf("savepoint failed: %s", poll.Failure)
	}
	// Recorded as a snapshot resource before status forgets the trigger, so a failure here retries both.
	resources := snapshots.Resources{Client: r.Client, Now: r.Now}
	if err := resources.RecordUpgradeSavepoint(ctx, s.snapshotOwner(), poll.Location); err != nil {
		return err
	}
	jobops.RecordCompleted(info, poll.Location, r.Now())
	s.job.Status.JobStatus.UpgradeSavepointPath = poll.Location
	r.event(s, corev1.EventTypeNormal, flinkv1beta1.ReasonSavepointing, "savepoint completed: "+poll.Location)
	s.setProgress(flinkv1beta1.ReasonUpgrading, "savepoint completed")
	return s.patch(ctx)
}

// checkpointAndCancel records the old job's latest checkpoint as the restore point, then cancels it; without a
// checkpoint Flink still keeps, or when the job's checkpoint retention deletes them on cancel, it hands the
// state over through a savepoint.
func (r *Reconciler) checkpointAndCancel(ctx context.Context, s *scope) error {
	if !jobops.CheckpointsSurviveCancel(jobFlinkConfig(s)) {
		return r.stopWithSavepoint(ctx, s, "upgrade")
	}
	path, err := jobops.LatestCheckpoint(ctx, s.cluster.Client, s.current.id)
	if err != nil {
		return fmt.Errorf("reading the checkpoints of job %s: %w", s.current.id, err)
	}
	if path == "" {
		return r.stopWithSavepoint(ctx, s, "upgrade")
	}
	s.job.Status.JobStatus.UpgradeSavepointPath = path
	s.setProgress(flinkv1beta1.ReasonUpgrading, "cancelling job %s; it restores from checkpoint %s", s.current.id, path)
	if err := s.patch(ctx); err != nil {
		return err
	}
	r.intentRecorded(ctx, s, stepCheckpointAndCancel)
	return r.cancel(ctx, s)
}

// jobFlinkConfig is the configuration the running job has: the session cluster's, overridden by the job's
// flinkConfiguration (a job-level retention wins, as in Flink).
func jobFlinkConfig(s *scope) map[string]string {
	config := map[string]string{}
	for key, value := range s.cluster.FlinkConfig {
		config[key] = value
	}
	if s.target != nil {
		if jobConfig, err := s.target.FlinkConfiguration.Flatten(); err == nil {
			for key, value := range jobConfig {
				config[key] = value
			}
		}
	}
	return config
}

// cancel cancels the old job. A job already terminal (Flink's 409) is what the cancel asked for.
func (r *Reconciler) cancel(ctx context.Context, s *scope) error {
	outcome, err := jobops.Cancel(ctx, s.cluster.Client, s.current.id)
	if err != nil {
		return err
	}
	r.event(s, corev1.EventTypeNormal, flinkv1beta1.ReasonUpgrading, "cancelling job "+s.current.id+": "+outcome.String())
	s.setProgress(flinkv1beta1.ReasonUpgrading, "cancelling job %s", s.current.id)
	return nil
}

// intentRecorded reports that a step's intent is in status and its Flink call is next (see Reconciler.OnStep).
func (r *Reconciler) intentRecorded(ctx context.Context, s *scope, current step) {
	if r.OnStep != nil {
		r.OnStep(ctx, s.job, current.String()+"/intent")
	}
}

// restorePath is where the target's job starts from (jobops.RestorePoint).
func restorePath(s *scope) string {
	restore := jobops.Restore{
		HasJob: s.target.Job != nil, FirstDeployment: s.firstDeployment,
		Recorded: s.job.Status.JobStatus.UpgradeSavepointPath,
	}
	if s.target.Job != nil {
		restore.Initial = s.target.Job.InitialSavepointPath
	}
	return jobops.RestorePoint(restore)
}

// submit fetches the jar, uploads it and runs the target's job under its id (recorded in status first).
func (r *Reconciler) submit(ctx context.Context, s *scope) error {
	jobStatus := &s.job.Status.JobStatus
	id := targetJobID(s.job)
	if jobStatus.JobID != id {
		jobStatus.JobID, jobStatus.State = id, flinkv1beta1.JobStatusReconciling
		s.setProgress(flinkv1beta1.ReasonDeploying, "submitting job %s", id)
		if err := s.patch(ctx); err != nil {
			return err
		}
	}
	// The job id is in status (now or by an earlier attempt): a restart from here submits under the same id and
	// finds the job if Flink already runs it.
	r.intentRecorded(ctx, s, stepSubmit)
	job := s.target.Job
	fetchOptions, err := FetchOptionsFrom(s.config)
	if err != nil {
		return err
	}
	fetchOptions.S3 = S3OptionsFrom(sessionJobFlinkConfig(s))
	jarPath, err := r.Jars.Fetch(ctx, job.JarURI, fetchOptions)
	if err != nil {
		return fmt.Errorf("fetching %s: %w", job.JarURI, err)
	}
	jarID, err := s.cluster.Client.UploadJar(ctx, jarPath)
	if err != nil {
		return fmt.Errorf("uploading %s: %w", job.JarURI, err)
	}
	// Flink keeps the jar only for the submission; the job has its own copy.
	defer func() { _ = s.cluster.Client.DeleteJar(ctx, jarID) }()
	flinkConfig, err := s.target.FlinkConfiguration.Flatten()
	if err != nil {
		return err
	}
	for key := range flinkConfig {
		if len(key) >= len(operatorconfig.OperatorPrefix) && key[:len(operatorconfig.OperatorPrefix)] == operatorconfig.OperatorPrefix {
			delete(flinkConfig, key)
		}
	}
	restore := restorePath(s)
	run := flink.RunJarRequest{
		EntryClass: job.EntryClass, ProgramArgs: job.Args, Parallelism: int(job.Parallelism), SavepointPath: restore,
		AllowNonRestoredState: job.AllowNonRestoredState != nil && *job.AllowNonRestoredState, JobID: id,
		FlinkConfiguration: flinkConfig,
	}
	if _, err := s.cluster.Client.RunJar(ctx, jarID, run); err != nil {
		if flink.IsConflict(err) {
			// Submitted before a restart: the next reconcile finds it.
			s.setProgress(flinkv1beta1.ReasonDeploying, "job %s already submitted", id)
			return nil
		}
		return fmt.Errorf("submitting job %s: %w", id, err)
	}
	s.job.Status.ReconciliationStatus.State = flinkv1beta1.ReconciliationStateDeployed
	s.job.Status.Error = ""
	message := "job " + id + " submitted"
	if restore != "" {
		message += ", restoring from " + restore
	}
	r.event(s, corev1.EventTypeNormal, flinkv1beta1.ReasonDeploying, message)
	s.setProgress(flinkv1beta1.ReasonDeploying, "%s", message)
	return nil
}

// resubmit starts a job the session cluster lost over again, as a new submission of the same spec from the
// newest state known (a completed savepoint or checkpoint of the job; none for a stateless job). The restore
// point and the new submission are recorded before anything is submitted.
func (r *Reconciler) resubmit(ctx context.Context, s *scope) error {
	lost := s.job.Status.JobStatus.JobID
	jobStatus := &s.job.Status.JobStatus
	if upgradeMode(s.target) == flinkv1beta1.UpgradeModeStateless {
		jobStatus.UpgradeSavepointPath = ""
	} else {
		restore, err := r.lastKnownState(ctx, s)
		if err != nil {
			return err
		}
		if restore != "" {
			jobStatus.UpgradeSavepointPath = restore
		}
	}
	if err := r.recordTarget(s, flinkv1beta1.ReconciliationStateUpgrading, true); err != nil {
		return err
	}
	message := fmt.Sprintf("job %s is no longer known to session cluster %s: resubmitting it", lost, s.target.DeploymentName)
	if path := jobStatus.UpgradeSavepointPath; path != "" {
		message += " from " + path
	}
	r.event(s, corev1.EventTypeWarning, flinkv1beta1.ReasonRestarting, message)
	s.setProgress(flinkv1beta1.ReasonRestarting, "%s", message)
	return s.patch(ctx)
}

// lastKnownState is the newest completed savepoint or checkpoint of the session job (snapshots.Newest): from its
// snapshot resources or the savepoint recorded in status, else the state its last upgrade handed over.
func (r *Reconciler) lastKnownState(ctx context.Context, s *scope) (string, error) {
	owned, err := snapshots.Resources{Client: r.Client, Now: r.Now}.List(ctx, s.snapshotOwner())
	if err != nil {
		return "", err
	}
	return snapshots.Newest(&s.job.Status.JobStatus, owned), nil
}
