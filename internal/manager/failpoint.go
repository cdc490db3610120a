package manager

import (
	"context"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
	"github.com/teal-flink/teal/internal/failpoint"
)

// InstallCrashPoint sets the step hooks of all four controllers so that crash runs when the controller of the
// point's kind reports the point's step for its object (test-only: main.go installs it only when TEAL_CRASH_AT
// is set, and crash kills the process; in-process tests pass a crash that hangs until the operator is stopped).
// Hooks already in opts still run first.
func InstallCrashPoint(opts *Options, point failpoint.Point, crash func(ctx context.Context)) {
	at := func(ctx context.Context, kind, namespace, name, step string) {
		if point.Matches(kind, namespace, name, step) {
			crash(ctx)
		}
	}
	deploymentHook, sessionJobHook, snapshotHook, blueGreenHook := opts.OnDeploymentStep, opts.OnSessionJobStep,
		opts.OnSnapshotStep, opts.OnBlueGreenStep
	opts.OnDeploymentStep = func(ctx context.Context, deployment *flinkv1beta1.FlinkDeployment, step string) {
		if deploymentHook != nil {
			deploymentHook(ctx, deployment, step)
		}
		at(ctx, failpoint.KindFlinkDeployment, deployment.Namespace, deployment.Name, step)
	}
	opts.OnSessionJobStep = func(ctx context.Context, job *flinkv1beta1.FlinkSessionJob, step string) {
		if sessionJobHook != nil {
			sessionJobHook(ctx, job, step)
		}
		at(ctx, failpoint.KindFlinkSessionJob, job.Namespace, job.Name, step)
	}
	opts.OnSnapshotStep = func(ctx context.Context, snapshot *flinkv1beta1.FlinkStateSnapshot, step string) {
		if snapshotHook != nil {
			snapshotHook(ctx, snapshot, step)
		}
		at(ctx, failpoint.KindFlinkStateSnapshot, snapshot.Namespace, snapshot.Name, step)
	}
	opts.OnBlueGreenStep = func(ctx context.Context, bg *flinkv1beta1.FlinkBlueGreenDeployment, step string) {
		if blueGreenHook != nil {
			blueGreenHook(ctx, bg, step)
		}
		at(ctx, failpoint.KindFlinkBlueGreenDeployment, bg.Namespace, bg.Name, step)
	}
}
