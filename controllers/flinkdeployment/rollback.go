package flinkdeployment

import (
	"context"
	"fmt"

	corev1 "k8s.io/api/core/v1"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
	"github.com/teal-flink/teal/internal/operatorconfig"
	"github.com/teal-flink/teal/internal/reconciled"
	"github.com/teal-flink/teal/internal/upgradeplan"
)

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
	due, wait := upgradeplan.RollbackDue(upgradeplan.RollbackInput{
		Enabled:        s.config.Bool(operatorconfig.KeyRollbackEnabled),
		Timeout:        s.config.DurationOr(operatorconfig.KeyReadinessTimeout),
		Reconciliation: s.deployment.Status.ReconciliationStatus,
		Target:         s.target, Stable: &stable,
		Ready: isReady(s),
		Now:   r.Now(),
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
