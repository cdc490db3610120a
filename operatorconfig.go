package main

import (
	"flag"
	"os"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	ctrl "sigs.k8s.io/controller-runtime"

	"github.com/teal-flink/teal/internal/operatorconfig"
)

// leaderFlags point at the leader election flags' values.
type leaderFlags struct {
	enabled                                   *bool
	leaseDuration, renewDeadline, retryPeriod *time.Duration
}

// leaderElection is what main.go passes to the manager besides the flags.
type leaderElection struct{ leaseName string }

// leaderElectionFromConfig honours upstream's kubernetes.operator.leader-election.* keys: each applies unless its
// --leader-elect* flag was given on the command line (the chart passes flags).
func leaderElectionFromConfig(config *operatorconfig.Config, flags leaderFlags) leaderElection {
	given := map[string]bool{}
	flag.Visit(func(f *flag.Flag) { given[f.Name] = true })
	if !given["leader-elect"] && config.IsSet(operatorconfig.KeyLeaderElectionEnabled) {
		*flags.enabled = config.Bool(operatorconfig.KeyLeaderElectionEnabled)
	}
	durations := []struct {
		flag, key string
		target    *time.Duration
	}{
		{"leader-elect-lease-duration", operatorconfig.KeyLeaderElectionDuration, flags.leaseDuration},
		{"leader-elect-renew-deadline", operatorconfig.KeyLeaderElectionRenew, flags.renewDeadline},
		{"leader-elect-retry-period", operatorconfig.KeyLeaderElectionRetry, flags.retryPeriod},
	}
	for _, duration := range durations {
		if !given[duration.flag] && config.IsSet(duration.key) {
			*duration.target = config.DurationOr(duration.key)
		}
	}
	leaseName := "teal-operator-lock"
	if name := config.String(operatorconfig.KeyLeaderElectionLease); name != "" {
		leaseName = name
	}
	return leaderElection{leaseName: leaseName}
}

// configReporter turns what loading the operator configuration finds into events on the operator's Pod
// (POD_NAME and POD_NAMESPACE from the downward API), and into log lines.
func configReporter(mgr ctrl.Manager) operatorconfig.Reporter {
	logger := ctrl.Log.WithName("operator-config")
	recorder := mgr.GetEventRecorder("teal-operator-config")
	podName := os.Getenv("POD_NAME")
	pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: podName, Namespace: operatorNamespace()}}
	return func(eventType, reason, message string) {
		logger.Info(message, "reason", reason, "type", eventType)
		if podName != "" {
			recorder.Eventf(pod, nil, eventType, reason, "LoadOperatorConfig", "%s", message)
		}
	}
}
