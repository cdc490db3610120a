package metrics

import (
	"context"
	"time"

	toolscache "k8s.io/client-go/tools/cache"
	"sigs.k8s.io/controller-runtime/pkg/cache"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
)

// Savepoints returns a manager Runnable that records savepoint durations and failures from the
// FlinkStateSnapshot status changes the cache sees. It runs on the leader only, so that replicas watching the
// same objects do not count the same savepoint twice.
func (m *Metrics) Savepoints(informers cache.Informers) *SavepointObserver {
	return &SavepointObserver{metrics: m, informers: informers}
}

// SavepointObserver observes savepoint outcomes; see Metrics.Savepoints.
type SavepointObserver struct {
	metrics   *Metrics
	informers cache.Informers
}

// NeedLeaderElection is true: only the leader counts.
func (o *SavepointObserver) NeedLeaderElection() bool { return true }

// Start watches FlinkStateSnapshots until ctx ends.
func (o *SavepointObserver) Start(ctx context.Context) error {
	informer, err := o.informers.GetInformer(ctx, &flinkv1beta1.FlinkStateSnapshot{})
	if err != nil {
		return err
	}
	registration, err := informer.AddEventHandler(toolscache.ResourceEventHandlerFuncs{
		UpdateFunc: func(oldObj, newObj any) {
			before, ok1 := oldObj.(*flinkv1beta1.FlinkStateSnapshot)
			after, ok2 := newObj.(*flinkv1beta1.FlinkStateSnapshot)
			if ok1 && ok2 {
				o.observe(before, after)
			}
		},
	})
	if err != nil {
		return err
	}
	<-ctx.Done()
	return informer.RemoveEventHandler(registration)
}

// observe records a savepoint that completed (its duration) or whose attempt failed (the failures counter).
func (o *SavepointObserver) observe(before, after *flinkv1beta1.FlinkStateSnapshot) {
	if after.Spec.Savepoint == nil {
		return
	}
	kind := "unknown"
	if after.Spec.JobReference != nil && after.Spec.JobReference.Kind != "" {
		kind = string(after.Spec.JobReference.Kind)
	}
	if failed := after.Status.Failures - before.Status.Failures; failed > 0 {
		o.metrics.savepointFailures.WithLabelValues(after.Namespace, kind).Add(float64(failed))
	} else if after.Status.State == flinkv1beta1.SnapshotStateFailed && before.Status.State != flinkv1beta1.SnapshotStateFailed {
		o.metrics.savepointFailures.WithLabelValues(after.Namespace, kind).Inc()
	}
	if after.Status.State != flinkv1beta1.SnapshotStateCompleted || before.Status.State == flinkv1beta1.SnapshotStateCompleted {
		return
	}
	triggered, err1 := time.Parse(time.RFC3339Nano, after.Status.TriggerTimestamp)
	finished, err2 := time.Parse(time.RFC3339Nano, after.Status.ResultTimestamp)
	if err1 != nil || err2 != nil || finished.Before(triggered) {
		return
	}
	o.metrics.savepointDuration.WithLabelValues(after.Namespace, kind).Observe(finished.Sub(triggered).Seconds())
}
