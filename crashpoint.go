package main

import (
	"context"
	"fmt"
	"os"
	"syscall"

	"github.com/teal-flink/teal/internal/failpoint"
	"github.com/teal-flink/teal/internal/manager"
)

// installCrashPoint arms the test-only crash point TEAL_CRASH_AT (docs/testing.md): at that step of that object
// the process logs one line and kills itself with SIGKILL, as a node failure or an OOM kill would — no graceful
// shutdown, no deferred status patch, no released Lease. Unset, no hook is installed.
func installCrashPoint(options *manager.Options) error {
	point, err := failpoint.FromEnv(os.Getenv)
	if err != nil || point == nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "teal: %s is set: this process kills itself at %s (test-only)\n", failpoint.EnvVar, point)
	manager.InstallCrashPoint(options, *point, func(context.Context) {
		// Written straight to stderr (unbuffered), so the line is out before the signal.
		fmt.Fprintln(os.Stderr, failpoint.Reached(*point))
		_ = syscall.Kill(os.Getpid(), syscall.SIGKILL)
		select {} // the signal is on its way: nothing after the crash point may run
	})
	return nil
}
