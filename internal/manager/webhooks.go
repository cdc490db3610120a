package manager

import (
	"sync"
	"sync/atomic"

	ctrl "sigs.k8s.io/controller-runtime"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
	"github.com/teal-flink/teal/internal/operatorconfig"
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

// optionsCache remembers the validator options computed from one operator configuration; a reload (a new
// *Config) starts a new cache, so a request never sees options of a configuration no longer in force.
type optionsCache struct {
	config  *operatorconfig.Config
	options sync.Map // optionsKey → validators.Options
}

type optionsKey struct {
	namespace string
	version   flinkv1beta1.FlinkVersion
}

var currentOptions atomic.Pointer[optionsCache]

// validatorOptions reads the validators' settings from the operator configuration in force, with the Flink
// defaults a resource of this namespace and Flink version gets (none when version is empty). Results are
// cached per configuration, namespace and version: admission stays a map lookup per request.
func validatorOptions(opts Options, namespace string, version flinkv1beta1.FlinkVersion) (validators.Options, error) {
	config := opts.OperatorConfig()
	cache := currentOptions.Load()
	if cache == nil || cache.config != config {
		cache = &optionsCache{config: config}
		currentOptions.Store(cache)
	}
	key := optionsKey{namespace: namespace, version: version}
	if cached, found := cache.options.Load(key); found {
		options := cached.(validators.Options)
		options.Resolver = opts.JarHostResolver
		return options, nil
	}
	options, err := computeValidatorOptions(config, namespace, version)
	if err != nil {
		return validators.Options{}, err
	}
	cache.options.Store(key, options)
	options.Resolver = opts.JarHostResolver
	return options, nil
}

func computeValidatorOptions(operatorConfig *operatorconfig.Config, namespace string, version flinkv1beta1.FlinkVersion) (validators.Options, error) {
	config := operatorConfig.InNamespace(namespace)
	var defaults map[string]string
	if version != "" {
		defaults = config.FlinkDefaults(version)
	}
	return validators.OptionsFromOperatorConfig(config.Values(), defaults)
}
