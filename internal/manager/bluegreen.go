package manager

import (
	"k8s.io/apimachinery/pkg/util/validation/field"
	ctrl "sigs.k8s.io/controller-runtime"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
	"github.com/teal-flink/teal/controllers/bluegreen"
)

func setupBlueGreen(mgr ctrl.Manager, opts Options) error {
	kubeClient := mgr.GetClient()
	if opts.WrapClient != nil {
		kubeClient = opts.WrapClient(kubeClient)
	}
	reconciler := &bluegreen.Reconciler{
		ControllerOptions: controllerOptions(opts),
		Client:            kubeClient, Scheme: mgr.GetScheme(), Recorder: recorder(mgr, "flinkbluegreendeployment-controller"),
		OperatorConfig: opts.OperatorConfig, Flink: opts.Flink, Now: opts.Now, Metrics: opts.BlueGreenMetrics,
		OnStep: opts.OnBlueGreenStep,
		Validate: func(bg, old *flinkv1beta1.FlinkBlueGreenDeployment) field.ErrorList {
			flinkVersion := bg.Spec.Template.Spec.FlinkVersion
			options, err := validatorOptions(opts, bg.Namespace, flinkVersion)
			if err != nil {
				return field.ErrorList{field.Invalid(field.NewPath("operator configuration"), "", err.Error())}
			}
			return opts.Validator.ValidateFlinkBlueGreenDeployment(bg, old, options)
		},
	}
	return reconciler.SetupWithManager(mgr)
}
