package manager

import (
	"context"

	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/teal-flink/teal/internal/failpoint"
)

// InstallCrashPoint sets the step hooks of all four controllers so that crash runs when the controller of the
// point's kind reports the point's step for its object (test-only: main.go installs it only when TEAL_CRASH_AT
// is set, and crash kills the process; in-process tests pass a crash that hangs until the operator is stopped).
// Hooks already in opts still run first.
func InstallCrashPoint(opts *Options, point failpoint.Point, crash func(ctx context.Context)) {
	opts.OnDeploymentStep = crashAt(opts.OnDeploymentStep, failpoint.KindFlinkDeployment, point, crash)
	opts.OnSessionJobStep = crashAt(opts.OnSessionJobStep, failpoint.KindFlinkSessionJob, point, crash)
	opts.OnSnapshotStep = crashAt(opts.OnSnapshotStep, failpoint.KindFlinkStateSnapshot, point, crash)
	opts.OnBlueGreenStep = crashAt(opts.OnBlueGreenStep, failpoint.KindFlinkBlueGreenDeployment, point, crash)
}

// crashAt is a step hook of one kind's controller: the hook before it (if any), then crash when the step of the
// object is the point.
func crashAt[T client.Object](before func(context.Context, T, string), kind string, point failpoint.Point,
	crash func(ctx context.Context)) func(context.Context, T, string) {
	return func(ctx context.Context, object T, step string) {
		if before != nil {
			before(ctx, object, step)
		}
		if point.Matches(kind, object.GetNamespace(), object.GetName(), step) {
			crash(ctx)
		}
	}
}
