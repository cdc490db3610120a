package webhooks

import (
	"context"
	"fmt"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/util/validation/field"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
	"github.com/teal-flink/teal/validators"
)

// Options configure the webhooks.
type Options struct {
	// Validator runs the rules; nil means validators.NewRegistry() (the built-in rules only). Pass the
	// manager's Registry, with the policy Set registered, to apply custom policies too.
	Validator validators.Validator
	// ValidatorOptions are the operator settings the rules read (allowed jar schemes, default Flink config…)
	// when OptionsFor is nil.
	ValidatorOptions validators.Options
	// OptionsFor computes the settings per request from the operator configuration in force, for a resource of
	// a namespace and Flink version (empty when the kind has none), so that the webhook decides as the
	// controller will: with the namespace's and the version's Flink defaults and after every config reload.
	OptionsFor func(namespace string, version flinkv1beta1.FlinkVersion) (validators.Options, error)
	// Reader looks up session clusters and snapshot targets; nil means CacheOnly(the manager's cache): no
	// request waits for the API server, and a reference the cache does not hold is rejected as the controller
	// (which reads the same cache) would treat it.
	Reader client.Reader
}

// SetupWithManager registers the validating and defaulting webhooks of all four kinds with mgr.
func SetupWithManager(mgr ctrl.Manager, opts Options) error {
	if opts.Validator == nil {
		opts.Validator = validators.NewRegistry()
	}
	if opts.Reader == nil {
		// Start the informers of the kinds the webhooks look up with the manager's cache, so that they are
		// synced before the first request rather than started by it (a webhook-only process has no controller
		// to start them).
		for _, kind := range []client.Object{&flinkv1beta1.FlinkDeployment{}, &flinkv1beta1.FlinkSessionJob{}} {
			if _, err := mgr.GetCache().GetInformer(context.Background(), kind, cache.BlockUntilSynced(false)); err != nil {
				return fmt.Errorf("starting the informer of %T for the webhooks: %w", kind, err)
			}
		}
		opts.Reader = CacheOnly(mgr.GetCache())
	}
	if err := ctrl.NewWebhookManagedBy(mgr, &flinkv1beta1.FlinkDeployment{}).
		WithValidator(NewFlinkDeploymentValidator(opts)).
		WithDefaulter(&FlinkDeploymentDefaulter{}).
		WithLogConstructor(requestLogger(flinkv1beta1.GroupVersion.WithKind("FlinkDeployment"))).
		Complete(); err != nil {
		return fmt.Errorf("registering the FlinkDeployment webhooks: %w", err)
	}
	if err := ctrl.NewWebhookManagedBy(mgr, &flinkv1beta1.FlinkSessionJob{}).
		WithValidator(NewFlinkSessionJobValidator(opts)).
		WithDefaulter(&FlinkSessionJobDefaulter{}).
		WithLogConstructor(requestLogger(flinkv1beta1.GroupVersion.WithKind("FlinkSessionJob"))).
		Complete(); err != nil {
		return fmt.Errorf("registering the FlinkSessionJob webhooks: %w", err)
	}
	if err := ctrl.NewWebhookManagedBy(mgr, &flinkv1beta1.FlinkStateSnapshot{}).
		WithValidator(NewFlinkStateSnapshotValidator(opts)).
		WithDefaulter(&FlinkStateSnapshotDefaulter{}).
		WithLogConstructor(requestLogger(flinkv1beta1.GroupVersion.WithKind("FlinkStateSnapshot"))).
		Complete(); err != nil {
		return fmt.Errorf("registering the FlinkStateSnapshot webhooks: %w", err)
	}
	if err := ctrl.NewWebhookManagedBy(mgr, &flinkv1beta1.FlinkBlueGreenDeployment{}).
		WithValidator(NewFlinkBlueGreenDeploymentValidator(opts)).
		WithDefaulter(&FlinkBlueGreenDeploymentDefaulter{}).
		WithLogConstructor(requestLogger(flinkv1beta1.GroupVersion.WithKind("FlinkBlueGreenDeployment"))).
		Complete(); err != nil {
		return fmt.Errorf("registering the FlinkBlueGreenDeployment webhooks: %w", err)
	}
	return nil
}

// optionsFor returns the validator settings for one request.
func (o Options) optionsFor(namespace string, version flinkv1beta1.FlinkVersion) (validators.Options, error) {
	if o.OptionsFor == nil {
		return o.ValidatorOptions, nil
	}
	options, err := o.OptionsFor(namespace, version)
	if err != nil {
		return validators.Options{}, apierrors.NewInternalError(fmt.Errorf("reading the operator configuration: %w", err))
	}
	return options, nil
}

// invalid turns a non-empty error list into the API's Invalid status (HTTP 422), which kubectl prints as
// `The <Kind> "<name>" is invalid: <path>: <message>`.
func invalid(kind, name string, errs field.ErrorList) error {
	if len(errs) == 0 {
		return nil
	}
	return apierrors.NewInvalid(flinkv1beta1.GroupVersion.WithKind(kind).GroupKind(), name, errs)
}
