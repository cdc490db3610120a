package bluegreen

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
	"github.com/teal-flink/teal/internal/bluegreenstate"
	"github.com/teal-flink/teal/internal/jobops"
	"github.com/teal-flink/teal/internal/kubeapply"
)

// errNotOwned: the coordination ConfigMap's name is taken by an object this deployment does not own.
var errNotOwned = errors.New("exists and is not owned by this blue/green deployment: delete or rename it")

// observeGate reads the coordination ConfigMap of an ADVANCED deployment.
func (r *Reconciler) observeGate(ctx context.Context, s *scope) error {
	bg := s.bg
	cm := &corev1.ConfigMap{}
	err := r.Get(ctx, client.ObjectKey{Namespace: bg.Namespace, Name: bluegreenstate.GateConfigMapName(bg)}, cm)
	switch {
	case apierrors.IsNotFound(err):
		return nil
	case err != nil:
		return fmt.Errorf("reading ConfigMap %s: %w", bluegreenstate.GateConfigMapName(bg), err)
	}
	if !isControlledBy(cm, bg) {
		return fmt.Errorf("ConfigMap %s: %w", cm.Name, errNotOwned)
	}
	s.gateConfigMap = cm
	s.obs.Gate = bluegreenstate.Gate{
		Exists: true,
		Active: flinkv1beta1.BlueGreenDeploymentType(cm.Data[bluegreenstate.GateKeyActive]),
		Stage:  cm.Data[bluegreenstate.GateKeyStage],
	}
	if cm.Data[bluegreenstate.GateKeyWatermarkStage] == bluegreenstate.WatermarkSet {
		s.obs.Gate.W = cm.Data[bluegreenstate.GateKeyWatermark]
	}
	for key := range cm.Data {
		if strings.HasPrefix(key, bluegreenstate.GateKeyCandidatePrefix) {
			s.obs.Gate.Candidates = append(s.obs.Gate.Candidates, key)
		}
	}
	sort.Strings(s.obs.Gate.Candidates)
	return nil
}

// writeGate writes a change to the coordination ConfigMap: created with an owner reference when absent, else
// merge-patched conditionally on the resourceVersion observed (a gate's write in between fails the patch with a
// conflict, and the next reconcile decides again from what the gate wrote).
func (r *Reconciler) writeGate(ctx context.Context, s *scope, w *bluegreenstate.GateWrite) error {
	bg := s.bg
	if s.gateConfigMap == nil {
		cm := &corev1.ConfigMap{}
		cm.Name, cm.Namespace = bluegreenstate.GateConfigMapName(bg), bg.Namespace
		cm.Data = map[string]string{}
		for key, value := range w.Set {
			cm.Data[key] = value
		}
		if err := controllerutil.SetControllerReference(bg, cm, r.Scheme); err != nil {
			return err
		}
		if err := r.Create(ctx, cm, client.FieldOwner(kubeapply.FieldManager)); err != nil {
			return fmt.Errorf("creating ConfigMap %s: %w", cm.Name, err)
		}
		s.gateConfigMap = cm
		return nil
	}
	cm := s.gateConfigMap.DeepCopy()
	base := cm.DeepCopy()
	if cm.Data == nil {
		cm.Data = map[string]string{}
	}
	for key, value := range w.Set {
		cm.Data[key] = value
	}
	for _, key := range w.Remove {
		delete(cm.Data, key)
	}
	patch := client.MergeFromWithOptions(base, client.MergeFromWithOptimisticLock{})
	if err := r.Patch(ctx, cm, patch, client.FieldOwner(kubeapply.FieldManager)); err != nil {
		return fmt.Errorf("writing ConfigMap %s (%s): %w", cm.Name, w, err)
	}
	s.gateConfigMap = cm
	return nil
}

// stopChild stops a child's job with a savepoint under the trigger id recorded in status: the savepoint
// commits a transactional sink's last records, which a plain delete would abort.
func (r *Reconciler) stopChild(ctx context.Context, s *scope, t flinkv1beta1.BlueGreenDeploymentType) error {
	triggerID := s.bg.Status.SavepointTriggerID
	if triggerID == "" {
		return fmt.Errorf("no stop-with-savepoint trigger id recorded")
	}
	api, jobID, err := r.activeJob(ctx, s, t)
	if err != nil {
		return err
	}
	info, targetDirectory := savepointRequest(s, t, triggerID)
	if err := jobops.StopWithSavepoint(ctx, api, jobID, info, targetDirectory); err != nil {
		return fmt.Errorf("%s: %w", s.children[t].Name, err)
	}
	return nil
}
