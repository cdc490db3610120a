// Package manager assembles Teal's operator process: the controllers for the four kinds and the admission
// webhooks, registered on one controller-runtime manager. main.go and the tests that run whole operators
// (crash, leader election, end-to-end) build it the same way.
package manager

import (
	"context"
	"fmt"
	"time"

	"k8s.io/client-go/tools/events"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
	"github.com/teal-flink/teal/controllers/bluegreen"
	"github.com/teal-flink/teal/internal/flinkapi"
	"github.com/teal-flink/teal/internal/operatorconfig"
	"github.com/teal-flink/teal/validators"
)

// Options choose what the process runs.
type Options struct {
	// Controllers registers the controllers.
	Controllers bool
	// Webhooks registers the admission webhooks.
	Webhooks bool
	// OperatorConfig returns the operator configuration in force.
	OperatorConfig func() *operatorconfig.Config
	// Flink creates JobManager clients; nil uses the REST client.
	Flink flinkapi.Factory
	// Now is the clock; nil uses the wall clock.
	Now func() time.Time
	// Validator runs the admission rules in the webhooks and again in the controllers (a webhook can be
	// disabled or bypassed); nil uses the built-in rules. Pass a registry with policies to enforce them too.
	Validator validators.Validator
	// JarHostResolver resolves session job jar hosts for the restricted-host check; nil uses the system
	// resolver.
	JarHostResolver validators.HostResolver
	// OnDeploymentStep is called after each FlinkDeployment step (see flinkdeployment.Reconciler.OnStep).
	OnDeploymentStep func(ctx context.Context, deployment *flinkv1beta1.FlinkDeployment, step string)
	// OnSnapshotStep is called at the FlinkStateSnapshot trigger's steps (see flinkstatesnapshot.Reconciler.OnStep).
	OnSnapshotStep func(ctx context.Context, snapshot *flinkv1beta1.FlinkStateSnapshot, step string)
	// OnSessionJobStep is called after each FlinkSessionJob step (see flinksessionjob.Reconciler.OnStep).
	OnSessionJobStep func(ctx context.Context, job *flinkv1beta1.FlinkSessionJob, step string)
	// OnBlueGreenStep is called after each blue/green intent and effect (see bluegreen.Reconciler.OnStep).
	OnBlueGreenStep func(ctx context.Context, bg *flinkv1beta1.FlinkBlueGreenDeployment, step string)
	// WrapClient, when set, wraps the client the FlinkDeployment, FlinkSessionJob, FlinkStateSnapshot and
	// FlinkBlueGreenDeployment controllers read and write through (tests simulate a cache that lags behind the controller's own writes).
	WrapClient func(client.Client) client.Client
	// BlueGreenMetrics, when set, observes blue/green state changes and finished transitions (metrics.go).
	BlueGreenMetrics bluegreen.TransitionRecorder
}

// registration adds one part of the operator to a manager.
type registration struct {
	name string
	// controller: part of the controllers (else of the webhooks).
	controller bool
	setup      func(mgr ctrl.Manager, opts Options) error
}

// registrations lists every part of the operator, each set up in its own file of this package.
var registrations = []registration{
	{name: "FlinkDeployment controller", controller: true, setup: setupFlinkDeployments},
	{name: "FlinkStateSnapshot controller", controller: true, setup: setupFlinkStateSnapshots},
	{name: "FlinkSessionJob controller", controller: true, setup: setupFlinkSessionJobs},
	{name: "FlinkBlueGreenDeployment controller", controller: true, setup: setupBlueGreen},
	{name: "admission webhooks", controller: false, setup: setupWebhooks},
}

// Setup registers Teal's controllers and webhooks with mgr, as opts selects.
func Setup(mgr ctrl.Manager, opts Options) error {
	if opts.Flink == nil {
		opts.Flink = flinkapi.NewFactory(nil)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.OperatorConfig == nil {
		defaults := operatorconfig.New(nil)
		opts.OperatorConfig = func() *operatorconfig.Config { return defaults }
	}
	if opts.Validator == nil {
		opts.Validator = validators.NewRegistry()
	}
	for _, part := range registrations {
		if (part.controller && !opts.Controllers) || (!part.controller && !opts.Webhooks) {
			continue
		}
		if err := part.setup(mgr, opts); err != nil {
			return fmt.Errorf("setting up the %s: %w", part.name, err)
		}
	}
	return nil
}

func recorder(mgr ctrl.Manager, name string) events.EventRecorder {
	return mgr.GetEventRecorder(name)
}
