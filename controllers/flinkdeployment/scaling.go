package flinkdeployment

import (
	"context"
	"fmt"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
	"github.com/teal-flink/teal/internal/flinkapi"
	"github.com/teal-flink/teal/internal/kubeapply"
	"github.com/teal-flink/teal/internal/resources"
	"github.com/teal-flink/teal/internal/upgradeplan"
)

// KeyParallelismOverrides sets per-vertex parallelism ("<vertex id>:<parallelism>,…").
const KeyParallelismOverrides = upgradeplan.KeyParallelismOverrides

// canScaleInPlace reports whether the scale change between target and the desired spec can be made without
// an upgrade right now.
func canScaleInPlace(s *scope) bool {
	if s.target.Mode == flinkv1beta1.DeploymentModeStandalone {
		return true
	}
	if s.flink == nil || s.job == nil || s.job.State != flinkv1beta1.JobStatusRunning {
		return false
	}
	return upgradeplan.RescalesInPlace(s.target.FlinkVersion, s.flinkConfig)
}

// rescaleJob sets the running job's vertex parallelism to the desired overrides through the adaptive
// scheduler, and writes the new configuration into the cluster's ConfigMap so a recreated JobManager starts
// with it. The change is made before it is recorded: repeating it after a restart is harmless.
func (r *Reconciler) rescaleJob(ctx context.Context, s *scope, restore string) error {
	desired, err := s.deployment.Spec.FlinkConfiguration.Flatten()
	if err != nil {
		return err
	}
	overrides, err := upgradeplan.ParseParallelismOverrides(desired[KeyParallelismOverrides])
	if err != nil {
		s.setStalled(flinkv1beta1.ReasonValidationError, "spec.flinkConfiguration: "+err.Error())
		return nil
	}
	if len(overrides) > 0 {
		if err := flinkapi.UpdateParallelism(ctx, s.flink, s.job.ID, overrides); err != nil {
			return fmt.Errorf("rescaling job %s in place: %w", s.job.ID, err)
		}
	}
	cluster, err := resources.Build(s.deployment, resources.ConfigOptions{
		Defaults: s.config.FlinkDefaults(s.deployment.Spec.FlinkVersion), RestoreSavepointPath: restore})
	if err != nil {
		return err
	}
	if err := kubeapply.Apply(ctx, r.Client, r.Scheme, s.deployment, cluster.ConfigMap); err != nil {
		return err
	}
	r.event(s, corev1.EventTypeNormal, flinkv1beta1.ReasonUpgrading, fmt.Sprintf("rescaled job %s in place: %s", s.job.ID, desired[KeyParallelismOverrides]))
	return nil
}

// scale applies a scale-only change without restarting the job, then records it: a standalone cluster's
// TaskManager Deployment is resized, a native cluster's job rescaled by the adaptive scheduler. Both are
// repeatable, so a restart between acting and recording only repeats them.
func (r *Reconciler) scale(ctx context.Context, s *scope) error {
	if s.target.Mode == flinkv1beta1.DeploymentModeStandalone {
		if err := r.scaleTaskManagers(ctx, s); err != nil {
			return err
		}
	} else if err := r.rescaleJob(ctx, s, restorePath(s)); err != nil || s.stalled != nil {
		return err
	}
	return r.recordInPlace(ctx, s)
}

// scaleTaskManagers resizes a standalone cluster's TaskManager Deployment to the desired spec.
func (r *Reconciler) scaleTaskManagers(ctx context.Context, s *scope) error {
	replicas := resources.StandaloneTaskManagers(s.deployment, s.flinkConfig)
	taskManager := &appsv1.Deployment{}
	key := client.ObjectKey{Namespace: s.deployment.Namespace, Name: resources.TaskManagerName(s.deployment.Name)}
	if err := r.Get(ctx, key, taskManager); err != nil {
		return fmt.Errorf("reading the TaskManager Deployment: %w", err)
	}
	if taskManager.Spec.Replicas != nil && *taskManager.Spec.Replicas == replicas {
		return nil
	}
	scaled := taskManager.DeepCopy()
	scaled.Spec.Replicas = &replicas
	if err := r.Patch(ctx, scaled, client.MergeFrom(taskManager)); err != nil {
		return fmt.Errorf("scaling TaskManagers to %d: %w", replicas, err)
	}
	r.event(s, corev1.EventTypeNormal, flinkv1beta1.ReasonUpgrading, fmt.Sprintf("scaled TaskManagers to %d", replicas))
	return nil
}
