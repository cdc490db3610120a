// Command teal is the Teal operator: controllers and admission webhooks for the flink.apache.org/v1beta1 kinds
// in one process (flags run either alone).
package main

import (
	"flag"
	"fmt"
	"os"
	"strings"

	"go.uber.org/zap/zapcore"
	"k8s.io/apimachinery/pkg/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/healthz"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"
	"sigs.k8s.io/controller-runtime/pkg/webhook"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
	"github.com/teal-flink/teal/internal/manager"
	"github.com/teal-flink/teal/internal/operatorconfig"
	"github.com/teal-flink/teal/validators"
	"github.com/teal-flink/teal/validators/policy"
)

// operatorNamespace is where the operator runs (POD_NAMESPACE from the downward API), teal-system otherwise.
func operatorNamespace() string {
	if namespace := os.Getenv("POD_NAMESPACE"); namespace != "" {
		return namespace
	}
	return "teal-system"
}

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "teal:", err)
		os.Exit(1)
	}
}

func run() error {
	var (
		metricsAddr, probeAddr, configPath, namespaces, webhookCertDir string
		leaderElect, enableControllers, enableWebhooks, jsonLogs       bool
		webhookPort                                                    int
	)
	flag.StringVar(&metricsAddr, "metrics-bind-address", ":8080", "Prometheus metrics address; 0 disables.")
	flag.StringVar(&probeAddr, "health-probe-bind-address", ":8081", "Liveness and readiness probe address.")
	flag.StringVar(&configPath, "config", "", "Operator config.yaml with kubernetes.operator.* keys (a mounted ConfigMap).")
	flag.StringVar(&namespaces, "watch-namespaces", "", "Comma-separated namespaces to watch; empty watches all (overrides "+operatorconfig.KeyWatchedNamespaces+").")
	flag.StringVar(&webhookCertDir, "webhook-cert-dir", "", "Directory with tls.crt and tls.key for the webhook server.")
	flag.IntVar(&webhookPort, "webhook-port", 9443, "Webhook server port.")
	flag.BoolVar(&leaderElect, "leader-elect", false, "Elect a leader on a Lease so only one replica reconciles.")
	flag.BoolVar(&enableControllers, "controllers", true, "Run the controllers.")
	flag.BoolVar(&enableWebhooks, "webhooks", true, "Serve the admission webhooks.")
	flag.BoolVar(&jsonLogs, "json-logs", false, "Log JSON lines instead of text.")
	flag.Parse()

	ctrl.SetLogger(zap.New(zap.UseDevMode(!jsonLogs), zap.Level(zapcore.InfoLevel)))
	config, err := operatorconfig.Load(configPath)
	if err != nil {
		return err
	}
	if namespaces == "" {
		namespaces = config.String(operatorconfig.KeyWatchedNamespaces)
	}
	scheme := runtime.NewScheme()
	if err := clientgoscheme.AddToScheme(scheme); err != nil {
		return err
	}
	if err := flinkv1beta1.AddToScheme(scheme); err != nil {
		return err
	}
	cacheOptions := cache.Options{}
	for _, namespace := range strings.Split(namespaces, ",") {
		if namespace = strings.TrimSpace(namespace); namespace != "" {
			if cacheOptions.DefaultNamespaces == nil {
				cacheOptions.DefaultNamespaces = map[string]cache.Config{}
			}
			cacheOptions.DefaultNamespaces[namespace] = cache.Config{}
		}
	}
	mgr, err := ctrl.NewManager(ctrl.GetConfigOrDie(), ctrl.Options{
		Scheme:                        scheme,
		Cache:                         cacheOptions,
		Metrics:                       metricsserver.Options{BindAddress: metricsAddr},
		HealthProbeBindAddress:        probeAddr,
		LeaderElection:                leaderElect,
		LeaderElectionID:              "teal-operator-lock",
		LeaderElectionReleaseOnCancel: true,
		WebhookServer:                 webhook.NewServer(webhook.Options{Port: webhookPort, CertDir: webhookCertDir}),
	})
	if err != nil {
		return fmt.Errorf("creating the manager: %w", err)
	}
	source := operatorconfig.NewSource(configPath, config)
	if err := mgr.Add(source); err != nil {
		return err
	}
	// Custom policies (JSON Schema documents in a ConfigMap) join the built-in rules, in the webhooks and in the
	// controllers alike, and reload when the ConfigMap changes.
	policies := policy.NewSet()
	policyNamespace, policyName := policy.ConfigMapRef(config.String(policy.KeyPolicyConfigMap), operatorNamespace())
	watcher, err := policy.NewWatcher(policies, mgr.GetConfig(), policyNamespace, policyName)
	if err != nil {
		return err
	}
	if err := mgr.Add(watcher); err != nil {
		return err
	}
	if err := manager.Setup(mgr, manager.Options{
		Controllers: enableControllers, Webhooks: enableWebhooks, OperatorConfig: source.Current,
		Validator: validators.NewRegistry(policies),
	}); err != nil {
		return err
	}
	if err := mgr.AddHealthzCheck("healthz", healthz.Ping); err != nil {
		return err
	}
	if err := mgr.AddReadyzCheck("readyz", healthz.Ping); err != nil {
		return err
	}
	return mgr.Start(ctrl.SetupSignalHandler())
}
