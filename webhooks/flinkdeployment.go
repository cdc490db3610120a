package webhooks

import (
	"context"

	"sigs.k8s.io/controller-runtime/pkg/webhook/admission"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
	"github.com/teal-flink/teal/validators"
)

// +kubebuilder:webhook:path=/validate-flink-apache-org-v1beta1-flinkdeployment,mutating=false,failurePolicy=fail,sideEffects=None,groups=flink.apache.org,resources=flinkdeployments,verbs=create;update,versions=v1beta1,name=vflinkdeployment.flink.apache.org,admissionReviewVersions=v1

// NewFlinkDeploymentValidator returns the validating webhook of FlinkDeployment.
func NewFlinkDeploymentValidator(opts Options) admission.Validator[*flinkv1beta1.FlinkDeployment] {
	return onWrite[*flinkv1beta1.FlinkDeployment](func(_ context.Context, newObj, oldObj *flinkv1beta1.FlinkDeployment) (admission.Warnings, error) {
		options, err := opts.optionsFor(newObj.Namespace, newObj.Spec.FlinkVersion)
		if err != nil {
			return nil, err
		}
		errs := opts.Validator.ValidateFlinkDeployment(newObj, oldObj, options)
		return validators.FlinkDeploymentWarnings(newObj), invalid("FlinkDeployment", newObj.Name, errs)
	})
}

// +kubebuilder:webhook:path=/mutate-flink-apache-org-v1beta1-flinkdeployment,mutating=true,failurePolicy=fail,sideEffects=None,groups=flink.apache.org,resources=flinkdeployments,verbs=create;update,versions=v1beta1,name=mflinkdeployment.flink.apache.org,admissionReviewVersions=v1

// FlinkDeploymentDefaulter is the defaulting webhook of FlinkDeployment. It sets nothing today: upstream's
// implicit defaults (native mode, stateless upgrades, one JobManager) are applied where they are read, so the
// stored object stays exactly as committed. It is registered so defaults can be added without a new
// webhook configuration.
type FlinkDeploymentDefaulter struct{}

var _ admission.Defaulter[*flinkv1beta1.FlinkDeployment] = (*FlinkDeploymentDefaulter)(nil)

// Default leaves the FlinkDeployment unchanged.
func (d *FlinkDeploymentDefaulter) Default(context.Context, *flinkv1beta1.FlinkDeployment) error {
	return nil
}
