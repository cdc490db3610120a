package manager

import (
	ctrl "sigs.k8s.io/controller-runtime"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
	"github.com/teal-flink/teal/validators"
	"github.com/teal-flink/teal/webhooks"
)

func setupWebhooks(mgr ctrl.Manager, opts Options) error {
	return webhooks.SetupWithManager(mgr, webhooks.Options{
		Validator: opts.Validator,
		// Per request, from the configuration in force: the webhook and the controllers then decide alike
		// (namespace and Flink-version defaults included, reloads seen at once).
		OptionsFor: func(namespace string, version flinkv1beta1.FlinkVersion) (validators.Options, error) {
			return validatorOptions(opts, namespace, version)
		},
	})
}

// validatorOptions reads the validators' settings from the operator configuration in force, with the Flink
// defaults a resource of this namespace and Flink version gets (none when version is empty).
func validatorOptions(opts Options, namespace string, version flinkv1beta1.FlinkVersion) (validators.Options, error) {
	config := opts.OperatorConfig().InNamespace(namespace)
	var defaults map[string]string
	if version != "" {
		defaults = config.FlinkDefaults(version)
	}
	options, err := validators.OptionsFromOperatorConfig(config.Values(), defaults)
	if err != nil {
		return validators.Options{}, err
	}
	options.Resolver = opts.JarHostResolver
	return options, nil
}
