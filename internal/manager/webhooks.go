package manager

import (
	ctrl "sigs.k8s.io/controller-runtime"

	"github.com/teal-flink/teal/validators"
	"github.com/teal-flink/teal/webhooks"
)

func setupWebhooks(mgr ctrl.Manager, opts Options) error {
	validatorOptions, err := validatorOptions(opts, nil)
	if err != nil {
		return err
	}
	return webhooks.SetupWithManager(mgr, webhooks.Options{Validator: opts.Validator, ValidatorOptions: validatorOptions})
}

// validatorOptions reads the validators' settings from the operator configuration in force.
func validatorOptions(opts Options, flinkDefaults map[string]string) (validators.Options, error) {
	config := opts.OperatorConfig()
	return validators.OptionsFromOperatorConfig(config.Values(), flinkDefaults)
}
