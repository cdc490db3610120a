package flinkdeployment

import (
	"context"
	"fmt"
	"strconv"
	"time"

	corev1 "k8s.io/api/core/v1"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
	"github.com/teal-flink/teal/internal/operatorconfig"
	"github.com/teal-flink/teal/internal/upgradeplan"
)

// finishedShutdownDue reports whether the JobManager of a job that ran to its end has outlived
// kubernetes.operator.jm-deployment.shutdown-ttl (upstream: one day), counted from when the operator saw the job
// finish (status.jobStatus.updateTime); before that, it asks to be woken when the TTL runs out.
func (r *Reconciler) finishedShutdownDue(s *scope, obs upgradeplan.Observation) bool {
	if !upgradeplan.FinishedClusterRuns(obs) {
		return false
	}
	finishedAt, err := strconv.ParseInt(s.deployment.Status.JobStatus.UpdateTime, 10, 64)
	if err != nil {
		return false
	}
	remaining := upgradeplan.ShutdownRemaining(r.Now(), time.UnixMilli(finishedAt), s.config.DurationOr(operatorconfig.KeyJMShutdownTTL))
	if remaining > 0 {
		s.wakeWithin(remaining)
		return false
	}
	return true
}

// shutDownFinished removes the cluster of a finished job once the TTL passed, as upstream does, so a bounded
// job's JobManager does not hold its resources forever. The job stays FINISHED and the resource Ready; the newest
// savepoint the job left is recorded first, for a later upgrade to start from.
func (r *Reconciler) shutDownFinished(ctx context.Context, s *scope) error {
	if _, err := r.takeOverTerminalState(ctx, s); err != nil {
		return err
	}
	if err := r.recordClusterRemoval(ctx, s, upgradeplan.StepShutDownFinished); err != nil {
		return err
	}
	if err := r.deleteDeployments(ctx, s.deployment); err != nil {
		return err
	}
	s.deployment.Status.JobManagerDeploymentStatus = flinkv1beta1.JobManagerDeploymentMissing
	r.event(s, corev1.EventTypeNormal, flinkv1beta1.ReasonFinished, fmt.Sprintf(
		"the job finished more than %s ago (%s): its JobManager Deployment was removed",
		s.config.DurationOr(operatorconfig.KeyJMShutdownTTL), operatorconfig.KeyJMShutdownTTL))
	return nil
}
