package bluegreen

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	networkingv1 "k8s.io/api/networking/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
	"github.com/teal-flink/teal/internal/bluegreenstate"
	"github.com/teal-flink/teal/internal/flinkapi"
	"github.com/teal-flink/teal/internal/gatejar"
	"github.com/teal-flink/teal/internal/jobops"
	"github.com/teal-flink/teal/internal/kubeapply"
	"github.com/teal-flink/teal/internal/operatorconfig"
	"github.com/teal-flink/teal/internal/resources"
)

// childName is upstream's child name: <name>-blue or <name>-green.
func childName(bg *flinkv1beta1.FlinkBlueGreenDeployment, t flinkv1beta1.BlueGreenDeploymentType) string {
	return bg.Name + "-" + bluegreenstate.Lower(t)
}

func isControlledBy(obj metav1.Object, owner metav1.Object) bool {
	ref := metav1.GetControllerOf(obj)
	return ref != nil && ref.UID == owner.GetUID()
}

// carryOut performs one effect.
func (r *Reconciler) carryOut(ctx context.Context, s *scope, e bluegreenstate.Effect) error {
	switch e.Kind {
	case bluegreenstate.EffectApplyChild:
		fd, err := r.buildChild(s, e.Child)
		if err != nil {
			return err
		}
		return kubeapply.Apply(ctx, r.Client, r.Scheme, s.bg, fd)
	case bluegreenstate.EffectSuspendChild:
		return r.suspendChild(ctx, s, e.Child)
	case bluegreenstate.EffectDeleteChild:
		fd := s.children[e.Child]
		if fd == nil || !fd.DeletionTimestamp.IsZero() {
			return nil
		}
		if err := r.Delete(ctx, fd, client.Preconditions{UID: &fd.UID}); err != nil && !apierrors.IsNotFound(err) {
			return fmt.Errorf("deleting %s: %w", fd.Name, err)
		}
		return nil
	case bluegreenstate.EffectSwitchIngress:
		return r.switchIngress(ctx, s, e.Child)
	case bluegreenstate.EffectTriggerSavepoint:
		return r.triggerSavepoint(ctx, s, e.Child)
	case bluegreenstate.EffectWriteGate:
		return r.writeGate(ctx, s, e.Gate)
	case bluegreenstate.EffectStopChild:
		return r.stopChild(ctx, s, e.Child)
	}
	return fmt.Errorf("unknown effect %s", e.Kind)
}

// buildChild renders child t from the last reconciled spec, starting from status.jobStatus.upgradeSavepointPath.
func (r *Reconciler) buildChild(s *scope, t flinkv1beta1.BlueGreenDeploymentType) (*flinkv1beta1.FlinkDeployment, error) {
	bg := s.bg
	if s.reconciled == nil {
		return nil, fmt.Errorf("no reconciled spec to deploy")
	}
	template := s.reconciled.Template.DeepCopy()
	spec := template.Spec
	if spec.Job != nil {
		spec.Job.InitialSavepointPath = bg.Status.JobStatus.UpgradeSavepointPath
	}
	if s.reconciled.EffectiveTransitionMode() == flinkv1beta1.TransitionModeAdvanced {
		if err := gatejar.AddToChild(&spec, t, bluegreenstate.GateConfigMapName(bg), gatejar.DeliveryFrom(s.config)); err != nil {
			return nil, err
		}
	}
	if spec.Ingress != nil {
		// Upstream prefixes the child's own ingress so that the two children never share a host or path.
		spec.Ingress.Template = bluegreenstate.Lower(t) + "-" + spec.Ingress.Template
	}
	labels := map[string]string{}
	for key, value := range template.Labels {
		labels[key] = value
	}
	labels[flinkv1beta1.LabelBlueGreenDeploymentType] = string(t)
	annotations := map[string]string{}
	for key, value := range template.Annotations {
		annotations[key] = value
	}
	raw, err := json.Marshal(spec)
	if err != nil {
		return nil, fmt.Errorf("rendering the %s child: %w", bluegreenstate.Lower(t), err)
	}
	sum := sha256.Sum256(raw)
	annotations[specHashAnnotation] = hex.EncodeToString(sum[:8])
	return &flinkv1beta1.FlinkDeployment{
		TypeMeta: metav1.TypeMeta{APIVersion: flinkv1beta1.GroupVersion.String(), Kind: "FlinkDeployment"},
		ObjectMeta: metav1.ObjectMeta{
			Name: childName(bg, t), Namespace: bg.Namespace, Labels: labels, Annotations: annotations,
		},
		Spec: spec,
	}, nil
}

// suspendChild sets job.state suspended on a child (a merge patch: the rest of its spec stays as applied).
func (r *Reconciler) suspendChild(ctx context.Context, s *scope, t flinkv1beta1.BlueGreenDeploymentType) error {
	fd := s.children[t]
	if fd == nil || fd.Spec.Job == nil || fd.Spec.Job.State == flinkv1beta1.JobStateSuspended {
		return nil
	}
	base := fd.DeepCopy()
	fd.Spec.Job.State = flinkv1beta1.JobStateSuspended
	if err := r.Patch(ctx, fd, client.MergeFrom(base), client.FieldOwner(kubeapply.FieldManager)); err != nil && !apierrors.IsNotFound(err) {
		return fmt.Errorf("suspending %s: %w", fd.Name, err)
	}
	return nil
}

// switchIngress points the ingress <name> at the REST service of child t, or removes it when spec.ingress is
// unset (it exists only when configured).
func (r *Reconciler) switchIngress(ctx context.Context, s *scope, t flinkv1beta1.BlueGreenDeploymentType) error {
	bg := s.bg
	if bg.Spec.Ingress == nil {
		existing := &networkingv1.Ingress{}
		err := r.Get(ctx, client.ObjectKey{Namespace: bg.Namespace, Name: bg.Name}, existing)
		if apierrors.IsNotFound(err) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("reading ingress %s: %w", bg.Name, err)
		}
		if !isControlledBy(existing, bg) {
			return nil
		}
		if err := r.Delete(ctx, existing); err != nil && !apierrors.IsNotFound(err) {
			return fmt.Errorf("deleting ingress %s: %w", bg.Name, err)
		}
		return nil
	}
	port := resources.DefaultRestPort
	if fd := s.children[t]; fd != nil {
		if flat, err := fd.Spec.FlinkConfiguration.Flatten(); err == nil && flat[resources.KeyRestPort] != "" {
			if parsed, err := strconv.Atoi(flat[resources.KeyRestPort]); err == nil {
				port = parsed
			}
		}
	}
	ingress, err := resources.BuildIngress(bg.Name, bg.Namespace, bg.Spec.Ingress, resources.RestServiceName(childName(bg, t)), port)
	if err != nil {
		return err
	}
	return kubeapply.Apply(ctx, r.Client, r.Scheme, bg, ingress)
}

// childAPI returns a REST client of a child's JobManager.
func (r *Reconciler) childAPI(s *scope, fd *flinkv1beta1.FlinkDeployment) (flinkapi.API, error) {
	flat, err := fd.Spec.FlinkConfiguration.Flatten()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", fd.Name, err)
	}
	config := s.config.ForResource(flat)
	url, err := flinkapi.RestURL(config.String(operatorconfig.KeyRestURLTemplate), fd, flat)
	if err != nil {
		return nil, err
	}
	return r.Flink(url, config)
}

// triggerSavepoint sends the hand-over savepoint under the trigger id recorded in status.
func (r *Reconciler) triggerSavepoint(ctx context.Context, s *scope, t flinkv1beta1.BlueGreenDeploymentType) error {
	triggerID := s.bg.Status.SavepointTriggerID
	if triggerID == "" {
		return fmt.Errorf("no savepoint trigger id recorded")
	}
	api, jobID, err := r.activeJob(ctx, s, t)
	if err != nil {
		return err
	}
	info, targetDirectory := savepointRequest(s, t, triggerID)
	return jobops.TriggerSavepoint(ctx, api, jobID, info, targetDirectory)
}

// savepointRequest is the trigger recorded in status and the savepoint format and directory of child t, as
// jobops sends them.
func savepointRequest(s *scope, t flinkv1beta1.BlueGreenDeploymentType, triggerID string) (*flinkv1beta1.SavepointInfo, string) {
	flat, _ := s.children[t].Spec.FlinkConfiguration.Flatten()
	format := strings.ToUpper(s.config.ForResource(flat).String(operatorconfig.KeySavepointFormatType))
	return &flinkv1beta1.SavepointInfo{TriggerID: triggerID, FormatType: flinkv1beta1.SavepointFormatType(format)}, resources.SavepointDir(flat)
}
