package manager

import (
	"k8s.io/apimachinery/pkg/util/validation/field"
	ctrl "sigs.k8s.io/controller-runtime"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
	"github.com/teal-flink/teal/controllers/flinkstatesnapshot"
)

func setupFlinkStateSnapshots(mgr ctrl.Manager, opts Options) error {
	kubeClient := mgr.GetClient()
	if opts.WrapClient != nil {
		kubeClient = opts.WrapClient(kubeClient)
	}
	reconciler := &flinkstatesnapshot.Reconciler{
		ControllerOptions: controllerOptions(opts),
		Client:            kubeClient, Recorder: recorder(mgr, "flinkstatesnapshot-controller"),
		OperatorConfig: opts.OperatorConfig, Now: opts.Now, OnStep: opts.OnSnapshotStep,
		Validate: func(snapshot *flinkv1beta1.FlinkStateSnapshot, targetExists bool) field.ErrorList {
			options, err := validatorOptions(opts, snapshot.Namespace, "")
			if err != nil {
				return field.ErrorList{field.Invalid(field.NewPath("operator configuration"), "", err.Error())}
			}
			return opts.Validator.ValidateFlinkStateSnapshot(snapshot, nil, targetExists, options)
		},
	}
	return reconciler.SetupWithManager(mgr)
}
