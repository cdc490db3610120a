package flinkdeployment

import (
	"context"
	"fmt"
	"time"

	corev1 "k8s.io/api/core/v1"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
	"github.com/teal-flink/teal/internal/operatorconfig"
	"github.com/teal-flink/teal/internal/reconciled"
)

// rollbackInput is what the rollback decision depends on.
type rollbackInput struct {
	// enabled is kubernetes.operator.deployment.rollback.enabled.
	enabled bool
	// timeout is kubernetes.operator.deployment.readiness.timeout.
	timeout time.Duration
	// reconciliation is status.reconciliationStatus.
	reconciliation flinkv1beta1.ReconciliationStatus
	// target is the last reconciled spec, stable the last stable spec (nil when none).
	target, stable *flinkv1beta1.FlinkDeploymentSpec
	// ready: the target already runs as asked (it becomes the stable spec in this reconcile).
	ready bool
	// now is the current time.
	now time.Time
}

// rollbackDue reports whether a deployed spec that never became stable has run out of time and must be rolled
// back; when not yet, wait is how long until it would be (0 when it never will).
func rollbackDue(in rollbackInput) (due bool, wait time.Duration) {
	status := in.reconciliation
	switch {
	case !in.enabled, in.ready, in.target == nil, in.stable == nil,
		status.State != flinkv1beta1.ReconciliationStateDeployed,
		reconciled.SameSpec(status.LastReconciledSpec, status.LastStableSpec),
		// A suspend cannot fail to become ready, and a suspended stable spec has nothing to return to.
		jobState(in.target) == flinkv1beta1.JobStateSuspended, jobState(in.stable) == flinkv1beta1.JobStateSuspended:
		return false, 0
	}
	deadline := time.UnixMilli(status.ReconciliationTimestamp).Add(in.timeout)
	if in.now.Before(deadline) {
		return false, deadline.Sub(in.now)
	}
	return true, 0
}

// isReady reports whether the deployed spec runs as asked: the job RUNNING, or a session cluster's JobManager
// ready.
func isReady(s *scope) bool {
	status := &s.deployment.Status
	if status.JobManagerDeploymentStatus != flinkv1beta1.JobManagerDeploymentReady {
		return false
	}
	spec := s.deployedSpec()
	return spec == nil || spec.Job == nil || status.JobStatus.State == flinkv1beta1.JobStatusRunning
}

// checkRollback evaluates the rollback rule for the observation and schedules a wake-up at the deadline.
func (r *Reconciler) checkRollback(s *scope) (bool, error) {
	if s.target == nil || s.deployment.Status.ReconciliationStatus.LastStableSpec == "" {
		return false, nil
	}
	stable, _, _, err := reconciled.Parse[flinkv1beta1.FlinkDeploymentSpec](s.deployment.Status.ReconciliationStatus.LastStableSpec)
	if err != nil {
		return false, fmt.Errorf("status.reconciliationStatus.lastStableSpec: %w", err)
	}
	due, wait := rollbackDue(rollbackInput{
		enabled:        s.config.Bool(operatorconfig.KeyRollbackEnabled),
		timeout:        s.config.DurationOr(operatorconfig.KeyReadinessTimeout),
		reconciliation: s.deployment.Status.ReconciliationStatus,
		target:         s.target, stable: &stable,
		ready: isReady(s),
		now:   r.Now(),
	})
	s.wakeWithin(wait)
	return due, nil
}

// beginRollback records that the cluster returns to the last stable spec, before anything is stopped. The last
// reconciled spec stays the one that failed, so the commit that brought it is not retried until it changes.
func (r *Reconciler) beginRollback(ctx context.Context, s *scope) error {
	stable, _, _, err := reconciled.Parse[flinkv1beta1.FlinkDeploymentSpec](s.deployment.Status.ReconciliationStatus.LastStableSpec)
	if err != nil {
		return fmt.Errorf("status.reconciliationStatus.lastStableSpec: %w", err)
	}
	s.stable = &stable
	s.deployment.Status.ReconciliationStatus.State = flinkv1beta1.ReconciliationStateRollingBack
	if err := r.computeFlinkConfig(s); err != nil {
		return err
	}
	message := fmt.Sprintf("generation %d did not become ready within %s: rolling back to the last stable spec",
		s.deployment.Generation, s.config.DurationOr(operatorconfig.KeyReadinessTimeout))
	r.event(s, corev1.EventTypeWarning, flinkv1beta1.ReasonRollingBack, message)
	s.setProgress(flinkv1beta1.ReasonRollingBack, message)
	return s.patch(ctx)
}

// rollingBackOrRolledBack reports whether the cluster runs (or is being brought back to) the last stable spec.
func rollingBackOrRolledBack(state flinkv1beta1.ReconciliationState) bool {
	return state == flinkv1beta1.ReconciliationStateRollingBack || state == flinkv1beta1.ReconciliationStateRolledBack
}

// markDeployed records that the cluster of the deployed spec exists.
func markDeployed(s *scope) {
	if s.stable != nil {
		s.deployment.Status.ReconciliationStatus.State = flinkv1beta1.ReconciliationStateRolledBack
		return
	}
	s.deployment.Status.ReconciliationStatus.State = flinkv1beta1.ReconciliationStateDeployed
}
