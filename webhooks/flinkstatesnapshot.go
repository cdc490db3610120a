package webhooks

import (
	"context"
	"fmt"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/webhook/admission"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
)

// +kubebuilder:webhook:path=/validate-flink-apache-org-v1beta1-flinkstatesnapshot,mutating=false,failurePolicy=fail,sideEffects=None,groups=flink.apache.org,resources=flinkstatesnapshots,verbs=create;update,versions=v1beta1,name=vflinkstatesnapshot.flink.apache.org,admissionReviewVersions=v1

// NewFlinkStateSnapshotValidator returns the validating webhook of FlinkStateSnapshot; it looks up the referenced job.
func NewFlinkStateSnapshotValidator(opts Options) admission.Validator[*flinkv1beta1.FlinkStateSnapshot] {
	return onWrite[*flinkv1beta1.FlinkStateSnapshot](func(ctx context.Context, newObj, oldObj *flinkv1beta1.FlinkStateSnapshot) (admission.Warnings, error) {
		exists, err := SnapshotTargetExists(ctx, opts.Reader, newObj)
		if err != nil {
			return nil, err
		}
		options, err := opts.optionsFor(newObj.Namespace, "")
		if err != nil {
			return nil, err
		}
		errs := opts.Validator.ValidateFlinkStateSnapshot(newObj, oldObj, exists, options)
		return nil, invalid("FlinkStateSnapshot", newObj.Name, errs)
	})
}

// SnapshotTargetExists reports whether the FlinkDeployment or FlinkSessionJob a snapshot references exists in
// its namespace (false when the reference is incomplete).
func SnapshotTargetExists(ctx context.Context, reader client.Reader, snapshot *flinkv1beta1.FlinkStateSnapshot) (bool, error) {
	ref := snapshot.Spec.JobReference
	if ref == nil || ref.Name == "" {
		return false, nil
	}
	var target client.Object
	switch ref.Kind {
	case flinkv1beta1.JobKindFlinkSessionJob:
		target = &flinkv1beta1.FlinkSessionJob{}
	case flinkv1beta1.JobKindFlinkDeployment:
		target = &flinkv1beta1.FlinkDeployment{}
	default:
		return false, nil
	}
	err := reader.Get(ctx, client.ObjectKey{Namespace: snapshot.Namespace, Name: ref.Name}, target)
	switch {
	case apierrors.IsNotFound(err):
		return false, nil
	case err != nil:
		return false, fmt.Errorf("looking up snapshot target %s %s/%s: %w", ref.Kind, snapshot.Namespace, ref.Name, err)
	}
	return true, nil
}

// +kubebuilder:webhook:path=/mutate-flink-apache-org-v1beta1-flinkstatesnapshot,mutating=true,failurePolicy=fail,sideEffects=None,groups=flink.apache.org,resources=flinkstatesnapshots,verbs=create;update,versions=v1beta1,name=mflinkstatesnapshot.flink.apache.org,admissionReviewVersions=v1

// FlinkStateSnapshotDefaulter is the defaulting webhook of FlinkStateSnapshot; it sets nothing (backoffLimit,
// formatType and disposeOnDelete keep upstream's implicit defaults where they are read).
type FlinkStateSnapshotDefaulter struct{}

var _ admission.Defaulter[*flinkv1beta1.FlinkStateSnapshot] = (*FlinkStateSnapshotDefaulter)(nil)

// Default leaves the FlinkStateSnapshot unchanged.
func (d *FlinkStateSnapshotDefaulter) Default(context.Context, *flinkv1beta1.FlinkStateSnapshot) error {
	return nil
}
