package flinkdeployment

import (
	"context"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
	"github.com/teal-flink/teal/internal/gitops"
)

// confirmStatus reads the deployment through the uncached API reader and reports whether the copy this
// reconcile decided on is the one the server holds. The informer cache may not yet have the status this
// controller just wrote (a savepoint's trigger id, a restore point): deciding on it would start the same
// operation a second time. A stale copy ends the reconcile, to be retried at the progress-check interval.
func (r *Reconciler) confirmStatus(ctx context.Context, s *scope) (bool, error) {
	if r.APIReader == nil {
		return true, nil
	}
	if current, err := gitops.IsCurrent(ctx, r.APIReader, s.deployment); current || err != nil {
		return current, err
	}
	s.setProgress(flinkv1beta1.ReasonProgressing, "waiting for the informer cache to catch up with the recorded status")
	return false, nil
}
