package manager

import (
	"k8s.io/apimachinery/pkg/util/validation/field"
	ctrl "sigs.k8s.io/controller-runtime"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
	"github.com/teal-flink/teal/controllers/flinksessionjob"
)

func setupFlinkSessionJobs(mgr ctrl.Manager, opts Options) error {
	kubeClient := mgr.GetClient()
	if opts.WrapClient != nil {
		kubeClient = opts.WrapClient(kubeClient)
	}
	reconciler := &flinksessionjob.Reconciler{
		APIReader:         mgr.GetAPIReader(),
		ControllerOptions: controllerOptions(opts),
		Client:            kubeClient, Recorder: recorder(mgr, "flinksessionjob-controller"),
		OperatorConfig: opts.OperatorConfig, Now: opts.Now, OnStep: opts.OnSessionJobStep,
		Validate: func(job, old *flinkv1beta1.FlinkSessionJob, session *flinkv1beta1.FlinkDeployment) field.ErrorList {
			var version flinkv1beta1.FlinkVersion
			if session != nil {
				version = session.Spec.FlinkVersion
			}
			options, err := validatorOptions(opts, job.Namespace, version)
			if err != nil {
				return field.ErrorList{field.Invalid(field.NewPath("operator configuration"), "", err.Error())}
			}
			return opts.Validator.ValidateFlinkSessionJob(job, old, session, options)
		},
	}
	return reconciler.SetupWithManager(mgr)
}
