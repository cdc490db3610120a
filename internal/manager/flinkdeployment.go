package manager

import (
	ctrl "sigs.k8s.io/controller-runtime"

	"github.com/teal-flink/teal/controllers/flinkdeployment"
)

func setupFlinkDeployments(mgr ctrl.Manager, opts Options) error {
	reconciler := &flinkdeployment.Reconciler{
		Client: mgr.GetClient(), Scheme: mgr.GetScheme(), Recorder: recorder(mgr, "flinkdeployment-controller"),
		OperatorConfig: opts.OperatorConfig, Flink: opts.Flink, Now: opts.Now, OnStep: opts.OnDeploymentStep,
	}
	return reconciler.SetupWithManager(mgr)
}
