package flinkdeployment

import (
	"context"
	"fmt"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/types"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
	"github.com/teal-flink/teal/internal/flinkapi"
	"github.com/teal-flink/teal/internal/jmfailure"
	"github.com/teal-flink/teal/internal/jobops"
	"github.com/teal-flink/teal/internal/operatorconfig"
	"github.com/teal-flink/teal/internal/reconciled"
	"github.com/teal-flink/teal/internal/resources"
	"github.com/teal-flink/teal/internal/specdiff"
	"github.com/teal-flink/teal/internal/upgradeplan"
)

// loadConfig reads the operator configuration for this resource and the last reconciled spec.
func (r *Reconciler) loadConfig(_ context.Context, s *scope) (ctrl.Result, error) {
	desiredConfig, err := s.deployment.Spec.FlinkConfiguration.Flatten()
	if err != nil {
		s.setStalled(flinkv1beta1.ReasonValidationError, fmt.Sprintf("spec.flinkConfiguration: %v", err))
		s.done = true
		return ctrl.Result{}, nil
	}
	s.config = r.OperatorConfig().InNamespace(s.deployment.Namespace).ForResource(desiredConfig)
	target, meta, deployed, err := reconciled.Parse[flinkv1beta1.FlinkDeploymentSpec](s.deployment.Status.ReconciliationStatus.LastReconciledSpec)
	if err != nil {
		s.setStalled(flinkv1beta1.ReasonValidationError, fmt.Sprintf("status.reconciliationStatus.lastReconciledSpec: %v", err))
		s.done = true
		return ctrl.Result{}, nil
	}
	if deployed {
		s.target, s.targetMeta = &target, meta
	}
	if reconciliation := s.deployment.Status.ReconciliationStatus; deployed && upgradeplan.RunsStableSpec(reconciliation.State) {
		stable, _, ok, err := reconciled.Parse[flinkv1beta1.FlinkDeploymentSpec](reconciliation.LastStableSpec)
		if err != nil || !ok {
			s.setStalled(flinkv1beta1.ReasonValidationError, fmt.Sprintf("status.reconciliationStatus.lastStableSpec: cannot roll back to it: %v", err))
			s.done = true
			return ctrl.Result{}, nil
		}
		s.stable = &stable
	}
	return ctrl.Result{}, r.computeFlinkConfig(s)
}

// computeFlinkConfig derives the effective configuration of the spec the cluster runs (or will run first).
func (r *Reconciler) computeFlinkConfig(s *scope) error {
	spec := s.deployedSpec()
	if spec == nil {
		spec = &s.deployment.Spec
	}
	config, err := resources.EffectiveConfig(withSpec(s.deployment, spec), resources.ConfigOptions{Defaults: s.config.FlinkDefaults(spec.FlinkVersion)})
	if err != nil {
		s.setStalled(flinkv1beta1.ReasonValidationError, err.Error())
		s.done = true
		return nil
	}
	s.flinkConfig = config
	return nil
}

func withSpec(deployment *flinkv1beta1.FlinkDeployment, spec *flinkv1beta1.FlinkDeploymentSpec) *flinkv1beta1.FlinkDeployment {
	copied := deployment.DeepCopy()
	copied.Spec = *spec.DeepCopy()
	return copied
}

// validateSpec re-runs the admission rules; an invalid spec is reported and the cluster keeps its last valid one.
func (r *Reconciler) validateSpec(_ context.Context, s *scope) (ctrl.Result, error) {
	if r.Validate == nil {
		return ctrl.Result{}, nil
	}
	var old *flinkv1beta1.FlinkDeployment
	if s.target != nil {
		old = withSpec(s.deployment, s.target)
	}
	if errs := r.Validate(s.deployment, old); len(errs) > 0 {
		s.invalid = errs.ToAggregate().Error()
		s.setStalled(flinkv1beta1.ReasonValidationError, s.invalid)
		r.event(s, corev1.EventTypeWarning, flinkv1beta1.ReasonValidationError, s.invalid)
	}
	return ctrl.Result{}, nil
}

// observeJobManager reads the JobManager Deployment and its pods into jobManagerDeploymentStatus.
func (r *Reconciler) observeJobManager(ctx context.Context, s *scope) (ctrl.Result, error) {
	jobManager := &appsv1.Deployment{}
	key := types.NamespacedName{Namespace: s.deployment.Namespace, Name: resources.JobManagerName(s.deployment.Name)}
	if err := r.Get(ctx, key, jobManager); err != nil {
		if !apierrors.IsNotFound(err) {
			return ctrl.Result{}, fmt.Errorf("reading the JobManager Deployment: %w", err)
		}
		if s.target != nil {
			s.deployment.Status.JobManagerDeploymentStatus = flinkv1beta1.JobManagerDeploymentMissing
		}
		return ctrl.Result{}, nil
	}
	if !jobManager.DeletionTimestamp.IsZero() {
		// Still shutting down: to every step it is already gone, but a new one cannot be created yet.
		s.jobManager = jobManager
		s.deployment.Status.JobManagerDeploymentStatus = flinkv1beta1.JobManagerDeploymentDeploying
		return ctrl.Result{}, nil
	}
	s.jobManager = jobManager
	status := &s.deployment.Status
	if failure, err := r.jobManagerFailure(ctx, jobManager); err != nil {
		return ctrl.Result{}, err
	} else if failure != "" {
		status.JobManagerDeploymentStatus = flinkv1beta1.JobManagerDeploymentError
		status.Error = failure
		return ctrl.Result{}, nil
	}
	if jobManager.Status.AvailableReplicas > 0 && jobManager.Status.ObservedGeneration >= jobManager.Generation {
		status.JobManagerDeploymentStatus = flinkv1beta1.JobManagerDeploymentDeployedNotReady
	} else {
		status.JobManagerDeploymentStatus = flinkv1beta1.JobManagerDeploymentDeploying
	}
	return ctrl.Result{}, nil
}

// jobManagerFailure returns why the JobManager cannot start, or "" (see internal/jmfailure).
func (r *Reconciler) jobManagerFailure(ctx context.Context, jobManager *appsv1.Deployment) (string, error) {
	if failure := jmfailure.DeploymentFailure(jobManager); failure != "" {
		return failure, nil
	}
	pods := &corev1.PodList{}
	if err := r.List(ctx, pods, client.InNamespace(jobManager.Namespace), client.MatchingLabels(jobManager.Spec.Selector.MatchLabels)); err != nil {
		return "", fmt.Errorf("listing JobManager pods: %w", err)
	}
	return jmfailure.PodFailure(pods.Items, r.Now()), nil
}

// observeJob asks a running JobManager for its job.
func (r *Reconciler) observeJob(ctx context.Context, s *scope) (ctrl.Result, error) {
	status := &s.deployment.Status
	if status.JobManagerDeploymentStatus != flinkv1beta1.JobManagerDeploymentDeployedNotReady {
		return ctrl.Result{}, nil
	}
	url, err := flinkapi.RestURL(s.config.String(operatorconfig.KeyRestURLTemplate), s.deployment, s.flinkConfig)
	if err != nil {
		s.setStalled(flinkv1beta1.ReasonValidationError, err.Error())
		s.done = true
		return ctrl.Result{}, nil
	}
	api, err := r.Flink(url, s.config)
	if err != nil {
		return ctrl.Result{}, fmt.Errorf("creating the Flink client: %w", err)
	}
	jobs, err := flinkapi.ListJobs(ctx, api)
	if err != nil {
		// The Deployment is up but the REST endpoint is not (yet): wait, and decide nothing about the job.
		s.setProgress(flinkv1beta1.ReasonDeploying, fmt.Sprintf("waiting for the JobManager REST endpoint: %v", err))
		s.done = true
		return ctrl.Result{}, nil
	}
	s.flink = api
	status.JobManagerDeploymentStatus = flinkv1beta1.JobManagerDeploymentReady
	if job, found := jobops.NewestJob(jobs); found {
		s.job = &job
		jobops.RecordObserved(&status.JobStatus, job, r.Now())
	}
	return ctrl.Result{}, nil
}

// reconcileSpec decides the next step towards the desired spec and performs it.
func (r *Reconciler) reconcileSpec(ctx context.Context, s *scope) (ctrl.Result, error) {
	if s.invalid != "" {
		return ctrl.Result{}, nil
	}
	obs, err := r.observe(ctx, s)
	if err != nil {
		return ctrl.Result{}, err
	}
	s.observed = obs
	next := upgradeplan.NextStep(obs)
	if next.ActsOnFlink() {
		fresh, err := r.confirmStatus(ctx, s)
		if err != nil || !fresh {
			return ctrl.Result{}, err
		}
	}
	result, err := r.perform(ctx, s, next)
	if next == upgradeplan.StepBeginUpgrade && err == nil && s.stalled == nil && result.IsZero() {
		// The target is recorded and nothing is in flight yet: take the next step (create or stop the cluster)
		// at once rather than after the progress-check interval, which a status patch does not cut short.
		result.RequeueAfter = time.Millisecond
	}
	if r.OnStep != nil && next != upgradeplan.StepNone {
		r.OnStep(ctx, s.deployment, next.String())
	}
	return result, err
}

// observe gathers the planner's inputs from the scope.
func (r *Reconciler) observe(ctx context.Context, s *scope) (upgradeplan.Observation, error) {
	obs := upgradeplan.Observation{
		Desired:           &s.deployment.Spec,
		Target:            s.target,
		Reconciliation:    s.deployment.Status.ReconciliationStatus.State,
		ClusterExists:     s.jobManager != nil,
		Job:               s.job,
		HighAvailability:  resources.HighAvailabilityActivated(s.flinkConfig),
		RecoveryEnabled:   s.config.Bool(operatorconfig.KeyJMDeploymentRecovery),
		JobOnRecord:       jobOnRecord(&s.deployment.Status),
		LastStateFallback: s.config.Bool(operatorconfig.KeyLastStateFallback),
		Finished:          s.deployment.Status.JobStatus.State == flinkv1beta1.JobStatusFinished,
		SavepointInFlight: jobops.UpgradeInFlight(s.deployment.Status.JobStatus),
	}
	if s.target == nil {
		return obs, nil
	}
	if job := s.target.Job; job != nil && job.SavepointRedeployNonce != nil {
		done := s.deployment.Status.LastSavepointRedeployNonce
		obs.SavepointRedeploy = done == nil || *done != *job.SavepointRedeployNonce
	}
	if s.jobManager != nil {
		obs.ClusterIsTarget, obs.Restarting = upgradeplan.ClusterBuild(s.jobManager.Annotations, s.deployedRecord(),
			restartsRecorded(&s.deployment.Status))
	}
	obs.RestartDue = s.restartReason != ""
	obs.RollingBack = s.stable != nil
	obs.ScaleInPlace = canScaleInPlace(s)
	diff, err := specdiff.FlinkDeployment(s.target, &s.deployment.Spec)
	if err != nil {
		return obs, err
	}
	obs.Diff, obs.SpecChanged = diff.Type, len(diff.Changes) > 0
	if obs.RollbackDue, err = r.checkRollback(s); err != nil {
		return obs, err
	}
	obs.ShutdownDue = r.finishedShutdownDue(s, obs)
	if obs.HADataAvailable, err = r.observeHAData(ctx, s, obs); err != nil {
		return obs, err
	}
	if obs.CheckpointAge, err = r.observeCheckpointAge(ctx, s, obs); err != nil {
		return obs, err
	}
	return obs, nil
}
