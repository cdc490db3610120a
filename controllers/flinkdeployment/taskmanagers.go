package flinkdeployment

import (
	"context"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
	"github.com/teal-flink/teal/internal/conditions"
	"github.com/teal-flink/teal/internal/deploystatus"
	"github.com/teal-flink/teal/internal/jmfailure"
	"github.com/teal-flink/teal/internal/resources"
)

// observeTaskManagers reads the cluster's TaskManager pods (labels app=<name>, component=taskmanager, on the pods
// native Flink creates and on a standalone cluster's) into the TaskManagers condition: False with the failing
// pod's reason while they cannot run (jmfailure.TaskManagersFailing), its lastTransitionTime when that was first
// seen, and one Warning event when it appears. The steady-state verdict turns it into Ready False, then Stalled.
func (r *Reconciler) observeTaskManagers(ctx context.Context, s *scope) (ctrl.Result, error) {
	if s.target == nil || s.jobManager == nil || !s.jobManager.DeletionTimestamp.IsZero() {
		conditions.Delete(s.deployment, flinkv1beta1.ConditionTaskManagers)
		return ctrl.Result{}, nil
	}
	pods := &corev1.PodList{}
	if err := r.List(ctx, pods, client.InNamespace(s.deployment.Namespace), client.HasLabels{resources.LabelType},
		client.MatchingLabels{resources.LabelApp: s.deployment.Name, resources.LabelComponent: resources.ComponentTaskManager}); err != nil {
		return ctrl.Result{}, fmt.Errorf("listing TaskManager pods: %w", err)
	}
	failure := jmfailure.TaskManagersFailing(pods.Items, r.Now(), deploystatus.TaskManagerFailure(s.deployment))
	if conditions.Report(s.deployment, flinkv1beta1.ConditionTaskManagers, flinkv1beta1.ReasonTaskManagerFailed, failure) {
		r.event(s, corev1.EventTypeWarning, flinkv1beta1.ReasonTaskManagerFailed, failure)
	}
	return ctrl.Result{}, nil
}

// taskManagerPodOwner maps a TaskManager pod to its FlinkDeployment, so a pod that starts failing, or recovers,
// is looked at without waiting for the reconcile interval.
func taskManagerPodOwner(_ context.Context, pod client.Object) []reconcile.Request {
	if cluster, ok := resources.TaskManagerCluster(pod.GetLabels()); ok {
		return []reconcile.Request{{NamespacedName: client.ObjectKey{Namespace: pod.GetNamespace(), Name: cluster}}}
	}
	return nil
}
