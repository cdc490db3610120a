package manager

import (
	"k8s.io/apimachinery/pkg/util/validation/field"
	ctrl "sigs.k8s.io/controller-runtime"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
	"github.com/teal-flink/teal/controllers/flinkdeployment"
)

func setupFlinkDeployments(mgr ctrl.Manager, opts Options) error {
	kubeClient := mgr.GetClient()
	if opts.WrapClient != nil {
		kubeClient = opts.WrapClient(kubeClient)
	}
	reconciler := &flinkdeployment.Reconciler{
		APIReader:         mgr.GetAPIReader(),
		ControllerOptions: controllerOptions(opts),
		Client:            kubeClient, Scheme: mgr.GetScheme(), Recorder: recorder(mgr, "flinkdeployment-controller"),
		OperatorConfig: opts.OperatorConfig, Flink: opts.Flink, Now: opts.Now, OnStep: opts.OnDeploymentStep,
		Validate: func(deployment, old *flinkv1beta1.FlinkDeployment) field.ErrorList {
			options, err := validatorOptions(opts, deployment.Namespace, deployment.Spec.FlinkVersion)
			if err != nil {
				return field.ErrorList{field.Invalid(field.NewPath("operator configuration"), "", err.Error())}
			}
			return opts.Validator.ValidateFlinkDeployment(deployment, old, options)
		},
	}
	return reconciler.SetupWithManager(mgr)
}
