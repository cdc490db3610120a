package webhooks

import (
	"context"

	"sigs.k8s.io/controller-runtime/pkg/webhook/admission"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
	"github.com/teal-flink/teal/validators"
)

// +kubebuilder:webhook:path=/validate-flink-apache-org-v1beta1-flinkbluegreendeployment,mutating=false,failurePolicy=fail,sideEffects=None,groups=flink.apache.org,resources=flinkbluegreendeployments,verbs=create;update,versions=v1beta1,name=vflinkbluegreendeployment.flink.apache.org,admissionReviewVersions=v1

// NewFlinkBlueGreenDeploymentValidator returns the validating webhook of FlinkBlueGreenDeployment.
func NewFlinkBlueGreenDeploymentValidator(opts Options) admission.Validator[*flinkv1beta1.FlinkBlueGreenDeployment] {
	return onWrite[*flinkv1beta1.FlinkBlueGreenDeployment](func(_ context.Context, newObj, oldObj *flinkv1beta1.FlinkBlueGreenDeployment) (admission.Warnings, error) {
		options, err := opts.optionsFor(newObj.Namespace, newObj.Spec.Template.Spec.FlinkVersion)
		if err != nil {
			return nil, err
		}
		errs := opts.Validator.ValidateFlinkBlueGreenDeployment(newObj, oldObj, options)
		return validators.FlinkBlueGreenDeploymentWarnings(newObj), invalid("FlinkBlueGreenDeployment", newObj.Name, errs)
	})
}

// +kubebuilder:webhook:path=/mutate-flink-apache-org-v1beta1-flinkbluegreendeployment,mutating=true,failurePolicy=fail,sideEffects=None,groups=flink.apache.org,resources=flinkbluegreendeployments,verbs=create;update,versions=v1beta1,name=mflinkbluegreendeployment.flink.apache.org,admissionReviewVersions=v1

// FlinkBlueGreenDeploymentDefaulter is the defaulting webhook of FlinkBlueGreenDeployment; it sets nothing
// (the blue/green durations' defaults are applied where they are read).
type FlinkBlueGreenDeploymentDefaulter struct{}

var _ admission.Defaulter[*flinkv1beta1.FlinkBlueGreenDeployment] = (*FlinkBlueGreenDeploymentDefaulter)(nil)

// Default leaves the FlinkBlueGreenDeployment unchanged.
func (d *FlinkBlueGreenDeploymentDefaulter) Default(context.Context, *flinkv1beta1.FlinkBlueGreenDeployment) error {
	return nil
}
