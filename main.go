// Command teal is the Teal operator: controllers and admission webhooks for the flink.apache.org/v1beta1 kinds
// in one process (flags run either alone).
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"time"

	"go.uber.org/zap/zapcore"
	"k8s.io/apimachinery/pkg/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/healthz"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"
	ctrlmetrics "sigs.k8s.io/controller-runtime/pkg/metrics"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"
	"sigs.k8s.io/controller-runtime/pkg/webhook"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
	"github.com/teal-flink/teal/internal/flinkapi"
	"github.com/teal-flink/teal/internal/gatejar"
	"github.com/teal-flink/teal/internal/manager"
	"github.com/teal-flink/teal/internal/metrics"
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
	if len(os.Args) > 1 && os.Args[1] == gatejar.Command {
		// The init container of ADVANCED blue/green pods: the distroless image has no cp (internal/gatejar).
		if err := gatejar.Run(os.Args[2:], ""); err != nil {
			fmt.Fprintln(os.Stderr, "teal:", err)
			os.Exit(1)
		}
		return
	}
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "teal:", err)
		os.Exit(1)
	}
}

func run() error {
	var (
		metricsAddr, probeAddr, pprofAddr, configPath, namespaces, webhookCertDir string
		leaderElect, enableControllers, enableWebhooks, jsonLogs                  bool
		webhookPort                                                               int
		leaseDuration, renewDeadline, retryPeriod, shutdownTimeout                time.Duration
		leaderElectionNamespace                                                   string
		certFlags                                                                 webhookCertFlags
	)
	flag.StringVar(&metricsAddr, "metrics-bind-address", ":8080", "Prometheus metrics address; 0 disables.")
	flag.StringVar(&probeAddr, "health-probe-bind-address", ":8081", "Liveness and readiness probe address.")
	flag.StringVar(&pprofAddr, "pprof-bind-address", "0", "Address serving Go's /debug/pprof profiles (e.g. 127.0.0.1:6060); 0 disables.")
	flag.StringVar(&configPath, "config", "", "Operator config.yaml with kubernetes.operator.* keys (a mounted ConfigMap).")
	flag.StringVar(&namespaces, "watch-namespaces", "", "Comma-separated namespaces to watch (overrides "+operatorconfig.KeyWatchedNamespaces+"); empty or "+operatorconfig.AllNamespaces+" watches all.")
	flag.StringVar(&webhookCertDir, "webhook-cert-dir", "", "Directory with tls.crt and tls.key for the webhook server (--webhook-cert-mode=dir, e.g. a cert-manager Secret), reloaded on change.")
	flag.IntVar(&webhookPort, "webhook-port", 9443, "Webhook server port.")
	flag.BoolVar(&leaderElect, "leader-elect", false, "Elect a leader on a Lease so only one replica reconciles.")
	flag.StringVar(&leaderElectionNamespace, "leader-elect-namespace", "", "Namespace of the leader Lease; defaults to POD_NAMESPACE, else teal-system.")
	flag.DurationVar(&leaseDuration, "leader-elect-lease-duration", 15*time.Second, "How long a Lease holds without renewal before another replica may take over.")
	flag.DurationVar(&renewDeadline, "leader-elect-renew-deadline", 10*time.Second, "How long the leader keeps trying to renew before it gives up leading.")
	flag.DurationVar(&retryPeriod, "leader-elect-retry-period", 2*time.Second, "How often replicas try to acquire or renew the Lease.")
	flag.DurationVar(&shutdownTimeout, "graceful-shutdown-timeout", 30*time.Second, "How long in-flight reconciles may run after SIGTERM.")
	certFlags.register()
	flag.BoolVar(&enableControllers, "controllers", true, "Run the controllers.")
	flag.BoolVar(&enableWebhooks, "webhooks", true, "Serve the admission webhooks.")
	flag.BoolVar(&jsonLogs, "json-logs", false, "Log JSON lines instead of text.")
	flag.Parse()

	ctrl.SetLogger(zap.New(zap.UseDevMode(!jsonLogs), zap.Level(zapcore.InfoLevel)))
	config, err := operatorconfig.Load(configPath)
	if err != nil {
		return err
	}
	scheme := runtime.NewScheme()
	if err := clientgoscheme.AddToScheme(scheme); err != nil {
		return err
	}
	if err := flinkv1beta1.AddToScheme(scheme); err != nil {
		return err
	}
	selector, err := manager.LabelSelector(config)
	if err != nil {
		return err
	}
	cacheOptions := manager.CacheOptions(manager.WatchedNamespaces(namespaces, config), selector)
	// With dynamic namespaces the cache watches every namespace and a filter, changed by config reloads,
	// decides what the controllers see (the operator needs cluster-wide read access, as upstream's).
	var namespaceFilter *manager.NamespaceFilter
	if namespaces == "" && config.Bool(operatorconfig.KeyDynamicNamespaces) {
		namespaceFilter = manager.NewNamespaceFilter(manager.WatchedNamespaces("", config))
	}
	leaderElection := leaderElectionFromConfig(config, leaderFlags{enabled: &leaderElect, leaseDuration: &leaseDuration,
		renewDeadline: &renewDeadline, retryPeriod: &retryPeriod})
	if leaderElectionNamespace == "" {
		leaderElectionNamespace = operatorNamespace()
	}
	webhookOptions := webhook.Options{Port: webhookPort, CertDir: webhookCertDir}
	certificates, err := certFlags.certificates(ctrl.GetConfigOrDie(), operatorNamespace(), webhookCertDir)
	if err != nil {
		return err
	}
	if certificates != nil {
		webhookOptions.TLSOpts = append(webhookOptions.TLSOpts, certificates.TLSOption())
	}
	managerOptions := ctrl.Options{
		Scheme:                        scheme,
		Cache:                         cacheOptions,
		Metrics:                       metricsserver.Options{BindAddress: metricsAddr},
		HealthProbeBindAddress:        probeAddr,
		PprofBindAddress:              pprofAddr,
		LeaderElection:                leaderElect,
		LeaderElectionID:              leaderElection.leaseName,
		LeaderElectionNamespace:       leaderElectionNamespace,
		LeaseDuration:                 &leaseDuration,
		RenewDeadline:                 &renewDeadline,
		RetryPeriod:                   &retryPeriod,
		LeaderElectionReleaseOnCancel: true,
		GracefulShutdownTimeout:       &shutdownTimeout,
		WebhookServer:                 webhook.NewServer(webhookOptions),
	}
	if namespaceFilter != nil {
		managerOptions.NewCache = namespaceFilter.NewCache
	}
	mgr, err := ctrl.NewManager(ctrl.GetConfigOrDie(), managerOptions)
	if err != nil {
		return fmt.Errorf("creating the manager: %w", err)
	}
	if certificates != nil && enableWebhooks {
		if err := manager.AddCertificates(mgr, certificates); err != nil {
			return err
		}
	}
	operatorMetrics := metrics.New(mgr.GetCache())
	if err := manager.AddMetrics(mgr, operatorMetrics, ctrlmetrics.Registry); err != nil {
		return err
	}
	source := operatorconfig.NewSource(configPath, config)
	source.SetReporter(configReporter(mgr))
	if namespaceFilter != nil {
		namespaceFilter.FollowReloads(source, namespaces)
	}
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
	options := manager.Options{
		Controllers: enableControllers, Webhooks: enableWebhooks, OperatorConfig: source.Current,
		Validator:        validators.NewRegistry(policies),
		Flink:            flinkapi.NewFactory(operatorMetrics.FlinkREST()),
		BlueGreenMetrics: operatorMetrics.BlueGreen(),
	}
	if err := installCrashPoint(&options); err != nil {
		return err
	}
	// On a fresh install the CRDs may not be served yet; the webhooks' informers start during setup.
	if err := manager.WaitForCRDs(context.Background(), mgr.GetConfig(), 2*time.Second, 5*time.Minute,
		ctrl.Log.WithName("setup")); err != nil {
		return err
	}
	if err := manager.Setup(mgr, options); err != nil {
		return err
	}
	if err := mgr.AddHealthzCheck("healthz", healthz.Ping); err != nil {
		return err
	}
	if err := mgr.AddReadyzCheck("readyz", healthz.Ping); err != nil {
		return err
	}
	if enableWebhooks {
		// Not ready until the webhook server listens, so a rollout never routes admission requests to a pod that
		// cannot answer them.
		if err := mgr.AddReadyzCheck("webhook-server", mgr.GetWebhookServer().StartedChecker()); err != nil {
			return err
		}
	}
	// SIGTERM cancels the context: the leader releases its Lease at once (LeaderElectionReleaseOnCancel) and
	// in-flight reconciles get the graceful-shutdown timeout to finish.
	return mgr.Start(ctrl.SetupSignalHandler())
}
