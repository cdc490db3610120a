package flinksessionjob

import (
	"context"
	"fmt"
	"time"

	corev1 "k8s.io/api/core/v1"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
	"github.com/teal-flink/teal/controllers/flinkdeployment"
	"github.com/teal-flink/teal/internal/flink"
	"github.com/teal-flink/teal/internal/jobops"
	"github.com/teal-flink/teal/internal/operatorconfig"
	"github.com/teal-flink/teal/internal/reconciled"
	"github.com/teal-flink/teal/internal/resources"
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

// stopWithSavepoint records the trigger, then stops the old job with a savepoint. A trigger already recorded
// (the JobManager lost it, or the call's answer was lost) is sent again under the same id; a new attempt gets a
// new id (see jobops.TriggerID).
func (r *Reconciler) stopWithSavepoint(ctx context.Context, s *scope, purpose string) error {
	jobStatus := &s.job.Status.JobStatus
	if jobStatus.SavepointInfo == nil {
		jobStatus.SavepointInfo = &flinkv1beta1.SavepointInfo{}
	}
	info := jobStatus.SavepointInfo
	if info.TriggerID == "" || info.TriggerType != flinkv1beta1.SnapshotTriggerUpgrade {
		now := r.Now()
		millis := now.UnixMilli()
		info.TriggerID = jobops.TriggerID(string(s.job.UID), s.current.id, purpose, now)
		info.TriggerType, info.TriggerTimestamp = flinkv1beta1.SnapshotTriggerUpgrade, &millis
		info.FormatType = flinkv1beta1.SavepointFormatType(s.config.String(operatorconfig.KeySavepointFormatType))
	}
	s.setProgress(flinkv1beta1.ReasonSavepointing, "stopping job %s with savepoint %s", s.current.id, info.TriggerID)
	if err := s.patch(ctx); err != nil {
		return err
	}
	_, err := s.cluster.Client.StopWithSavepoint(ctx, s.current.id, flink.StopRequest{
		TargetDirectory: s.cluster.FlinkConfig[resources.KeySavepointsDir], TriggerID: info.TriggerID,
		FormatType: flink.SavepointFormat(info.FormatType),
	})
	if err != nil {
		// The trigger stays recorded: Flink may have started it before the answer was lost, and the next
		// reconcile polls it (or sends it again under the same id).
		return fmt.Errorf("stopping job %s with a savepoint: %w", s.current.id, err)
	}
	r.event(s, corev1.EventTypeNormal, flinkv1beta1.ReasonSavepointing, s.progress.message)
	return nil
}

// awaitSavepoint polls the upgrade savepoint and records where the new job restores from.
func (r *Reconciler) awaitSavepoint(ctx context.Context, s *scope) error {
	info := s.job.Status.JobStatus.SavepointInfo
	jobID := s.job.Status.JobStatus.JobID
	result, err := s.cluster.Client.SavepointStatus(ctx, jobID, info.TriggerID)
	switch {
	case flink.IsNotFound(err) && s.current.active():
		return r.stopWithSavepoint(ctx, s, "upgrade")
	case flink.IsNotFound(err):
		info.TriggerID = ""
		s.setStalled(flinkv1beta1.ReasonSavepointFailed, "the savepoint's result is no longer known to Flink and the job has ended; set job.initialSavepointPath and a new savepointRedeployNonce to restore")
		return nil
	case err != nil:
		return fmt.Errorf("polling savepoint %s: %w", info.TriggerID, err)
	case !result.Done():
		s.setProgress(flinkv1beta1.ReasonSavepointing, "savepoint %s in progress", info.TriggerID)
		return nil
	case result.Failure != nil:
		info.TriggerID = ""
		r.event(s, corev1.EventTypeWarning, flinkv1beta1.ReasonSavepointFailed, result.Failure.Summary())
		return fmt.Errorf("savepoint failed: %s", result.Failure.Summary())
	}
	snapshots := flinkdeployment.Snapshots{Client: r.Client, Now: r.Now}
	if err := snapshots.RecordUpgradeSavepoint(ctx, s.snapshotOwner(), result.Location); err != nil {
		return err
	}
	savepoint := flinkv1beta1.Savepoint{TimeStamp: r.Now().UnixMilli(), Location: result.Location, TriggerType: info.TriggerType, FormatType: info.FormatType}
	info.LastSavepoint = &savepoint
	info.SavepointHistory = append(info.SavepointHistory, savepoint)
	info.TriggerID, info.TriggerTimestamp = "", nil
	s.job.Status.JobStatus.UpgradeSavepointPath = result.Location
	r.event(s, corev1.EventTypeNormal, flinkv1beta1.ReasonSavepointing, "savepoint completed: "+result.Location)
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
	statistics, err := s.cluster.Client.CheckpointStatistics(ctx, s.current.id)
	if err != nil {
		return fmt.Errorf("reading the checkpoints of job %s: %w", s.current.id, err)
	}
	retained := statistics.LatestRetainedCheckpoint()
	if retained == nil {
		return r.stopWithSavepoint(ctx, s, "upgrade")
	}
	s.job.Status.JobStatus.UpgradeSavepointPath = retained.ExternalPath
	s.setProgress(flinkv1beta1.ReasonUpgrading, "cancelling job %s; it restores from checkpoint %s", s.current.id, retained.ExternalPath)
	if err := s.patch(ctx); err != nil {
		return err
	}
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

// cancel cancels the old job.
func (r *Reconciler) cancel(ctx context.Context, s *scope) error {
	if err := s.cluster.Client.CancelJob(ctx, s.current.id); err != nil && !flink.IsConflict(err) {
		return fmt.Errorf("cancelling job %s: %w", s.current.id, err)
	}
	r.event(s, corev1.EventTypeNormal, flinkv1beta1.ReasonUpgrading, "cancelling job "+s.current.id)
	s.setProgress(flinkv1beta1.ReasonUpgrading, "cancelling job %s", s.current.id)
	return nil
}

// restorePath is where the target's job starts from.
func restorePath(s *scope) string {
	if s.target.Job == nil {
		return ""
	}
	if s.firstDeployment {
		return s.target.Job.InitialSavepointPath
	}
	return s.job.Status.JobStatus.UpgradeSavepointPath
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

// lastKnownState is the newest completed savepoint or checkpoint of the session job: from its snapshot
// resources or the savepoint recorded in status, else the state its last upgrade handed over.
func (r *Reconciler) lastKnownState(ctx context.Context, s *scope) (string, error) {
	snapshots, err := flinkdeployment.Snapshots{Client: r.Client, Now: r.Now}.List(ctx, s.snapshotOwner())
	if err != nil {
		return "", err
	}
	newest, path := time.Time{}, s.job.Status.JobStatus.UpgradeSavepointPath
	if info := s.job.Status.JobStatus.SavepointInfo; info != nil && info.LastSavepoint != nil && info.LastSavepoint.Location != "" {
		newest, path = time.UnixMilli(info.LastSavepoint.TimeStamp), info.LastSavepoint.Location
	}
	for i := range snapshots {
		snapshot := &snapshots[i]
		if snapshot.Status.State != flinkv1beta1.SnapshotStateCompleted || snapshot.Status.Path == "" {
			continue
		}
		if at := flinkdeployment.SnapshotTime(snapshot); at.After(newest) {
			newest, path = at, snapshot.Status.Path
		}
	}
	return path, nil
}
