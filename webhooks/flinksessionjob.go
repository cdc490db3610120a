package webhooks

import (
	"context"
	"fmt"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/webhook/admission"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
	"github.com/teal-flink/teal/validators"
)

// +kubebuilder:webhook:path=/validate-flink-apache-org-v1beta1-flinksessionjob,mutating=false,failurePolicy=fail,sideEffects=None,groups=flink.apache.org,resources=flinksessionjobs,verbs=create;update,versions=v1beta1,name=vflinksessionjob.flink.apache.org,admissionReviewVersions=v1

// NewFlinkSessionJobValidator returns the validating webhook of FlinkSessionJob; it looks up the session cluster.
func NewFlinkSessionJobValidator(opts Options) admission.Validator[*flinkv1beta1.FlinkSessionJob] {
	return onWrite[*flinkv1beta1.FlinkSessionJob](func(ctx context.Context, newObj, oldObj *flinkv1beta1.FlinkSessionJob) (admission.Warnings, error) {
		session, err := SessionCluster(ctx, opts.Reader, newObj)
		if err != nil {
			return nil, err
		}
		var version flinkv1beta1.FlinkVersion
		if session != nil {
			version = session.Spec.FlinkVersion
		}
		options, err := opts.optionsFor(newObj.Namespace, version)
		if err != nil {
			return nil, err
		}
		errs := opts.Validator.ValidateFlinkSessionJob(newObj, oldObj, session, options)
		return validators.FlinkSessionJobWarnings(newObj), invalid("FlinkSessionJob", newObj.Name, errs)
	})
}

// SessionCluster returns the FlinkDeployment a session job names, nil when it does not exist (or no name is
// given). Controllers use it too, to feed validators.ValidateFlinkSessionJob.
func SessionCluster(ctx context.Context, reader client.Reader, job *flinkv1beta1.FlinkSessionJob) (*flinkv1beta1.FlinkDeployment, error) {
	if job.Spec.DeploymentName == "" {
		return nil, nil
	}
	session := &flinkv1beta1.FlinkDeployment{}
	err := reader.Get(ctx, client.ObjectKey{Namespace: job.Namespace, Name: job.Spec.DeploymentName}, session)
	switch {
	case apierrors.IsNotFound(err):
		return nil, nil
	case err != nil:
		return nil, fmt.Errorf("looking up session cluster %s/%s: %w", job.Namespace, job.Spec.DeploymentName, err)
	}
	return session, nil
}

// +kubebuilder:webhook:path=/mutate-flink-apache-org-v1beta1-flinksessionjob,mutating=true,failurePolicy=fail,sideEffects=None,groups=flink.apache.org,resources=flinksessionjobs,verbs=create;update,versions=v1beta1,name=mflinksessionjob.flink.apache.org,admissionReviewVersions=v1

// FlinkSessionJobDefaulter is the defaulting webhook of FlinkSessionJob: it adds the target.session label
// (naming the session cluster, as upstream's mutator does) when the label is absent.
type FlinkSessionJobDefaulter struct{}

var _ admission.Defaulter[*flinkv1beta1.FlinkSessionJob] = (*FlinkSessionJobDefaulter)(nil)

// Default sets the target.session label to spec.deploymentName when the label is absent; a value the user
// wrote is never changed.
func (d *FlinkSessionJobDefaulter) Default(_ context.Context, obj *flinkv1beta1.FlinkSessionJob) error {
	if obj.Spec.DeploymentName == "" {
		return nil
	}
	if _, ok := obj.Labels[flinkv1beta1.LabelTargetSession]; ok {
		return nil
	}
	if obj.Labels == nil {
		obj.Labels = map[string]string{}
	}
	obj.Labels[flinkv1beta1.LabelTargetSession] = obj.Spec.DeploymentName
	return nil
}
