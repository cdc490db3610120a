package webhook

import (
	"context"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"
	"sigs.k8s.io/controller-runtime/pkg/webhook"

	"github.com/teal-flink/teal/test/testenv"
	"github.com/teal-flink/teal/validators"
	"github.com/teal-flink/teal/validators/policy"
	"github.com/teal-flink/teal/webhooks"
)

const (
	// policyNamespace is the only namespace the test policies apply to, so they never touch the table tests.
	policyNamespace = "policy"
	// operatorNamespace holds the policy ConfigMap.
	operatorNamespace = "teal-system"
)

var (
	env     *testenv.Env
	watcher *policy.Watcher
)

// resolver makes jarURI host checks independent of DNS.
var resolver = validators.StaticResolver{
	"repo.example.com": {netip.MustParseAddr("93.184.216.34")},
	"localhost":        {netip.MustParseAddr("127.0.0.1")},
}

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	started, err := testenv.Start(testenv.Options{
		WebhookManifests: []string{filepath.Join(testenv.RepoRoot(), "config", "webhook")},
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, "testenv:", err)
		return 1
	}
	env = started
	defer func() {
		if err := env.Stop(); err != nil {
			fmt.Fprintln(os.Stderr, "stopping the control plane:", err)
		}
	}()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if err := startManager(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "starting the webhook manager:", err)
		return 1
	}
	return m.Run()
}

func startManager(ctx context.Context) error {
	mgr, err := ctrl.NewManager(env.Config, ctrl.Options{
		Scheme:                 env.Scheme,
		Metrics:                metricsserver.Options{BindAddress: "0"},
		HealthProbeBindAddress: "0",
		WebhookServer: webhook.NewServer(webhook.Options{
			Host: env.Webhook.LocalServingHost, Port: env.Webhook.LocalServingPort, CertDir: env.Webhook.LocalServingCertDir,
		}),
	})
	if err != nil {
		return fmt.Errorf("creating the manager: %w", err)
	}
	for _, ns := range []string{policyNamespace, operatorNamespace} {
		if err := env.Client.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}); err != nil {
			return fmt.Errorf("creating namespace %s: %w", ns, err)
		}
	}
	policies := policy.NewSet()
	watcher, err = policy.NewWatcher(policies, env.Config, operatorNamespace, policy.DefaultConfigMapName)
	if err != nil {
		return err
	}
	if err := mgr.Add(watcher); err != nil {
		return fmt.Errorf("adding the policy watcher: %w", err)
	}
	err = webhooks.SetupWithManager(mgr, webhooks.Options{
		Validator:        validators.NewRegistry(policies),
		ValidatorOptions: validators.Options{Resolver: resolver},
	})
	if err != nil {
		return err
	}
	go func() {
		if err := mgr.Start(ctx); err != nil {
			fmt.Fprintln(os.Stderr, "manager stopped:", err)
		}
	}()
	return waitForWebhooks(ctx)
}

// waitForWebhooks dry-runs a valid object until the API server reaches the webhook server.
func waitForWebhooks(ctx context.Context) error {
	var lastErr error
	err := wait.PollUntilContextTimeout(ctx, 100*time.Millisecond, 60*time.Second, true, func(ctx context.Context) (bool, error) {
		lastErr = env.Client.Create(ctx, sessionCluster("probe", "default"), client.DryRunAll)
		return lastErr == nil, nil
	})
	if err != nil {
		return fmt.Errorf("webhooks never became reachable (%v): %w", lastErr, err)
	}
	return nil
}
