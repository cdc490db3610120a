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
		Ready: upgradeplan.RunsAsAsked(s.deployedSpec(), s.deployment.Status.JobManagerDeploymentStatus, s.deployment.Status.JobStatus.State),
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

// markDeployed records that the cluster of the deployed spec exists.
func markDeployed(s *scope) {
	s.deployment.Status.ReconciliationStatus.State = upgradeplan.DeployedState(s.stable != nil)
}
