package testenv

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	goruntime "runtime"

	"github.com/go-logr/logr"
	"go.uber.org/zap/zapcore"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
)

// Options choose what the control plane carries besides the CRDs.
type Options struct {
	// WebhookManifests are directories of ValidatingWebhookConfiguration / MutatingWebhookConfiguration
	// manifests; envtest rewrites their client config to a local TLS server and installs them.
	WebhookManifests []string
	// ExtraCRDs are further CRD directories (e.g. cert-manager's for chart dry-runs).
	ExtraCRDs []string
}

// Env is a running control plane.
type Env struct {
	// Config reaches the API server as an administrator.
	Config *rest.Config
	// Client is a controller-runtime client with Teal's kinds and the core kinds registered.
	Client client.Client
	// Scheme has Teal's kinds and client-go's registered.
	Scheme *runtime.Scheme
	// Root is the repository root.
	Root string
	// Webhook is where envtest expects the webhook server (host, port, certificate dir); zero without webhooks.
	Webhook envtest.WebhookInstallOptions

	environment *envtest.Environment
}

// RepoRoot returns the repository root, found from this source file's location.
func RepoRoot() string {
	_, file, _, _ := goruntime.Caller(0)
	return filepath.Clean(filepath.Join(filepath.Dir(file), "..", ".."))
}

// NewScheme returns a scheme with Teal's kinds and client-go's.
func NewScheme() *runtime.Scheme {
	scheme := runtime.NewScheme()
	if err := clientgoscheme.AddToScheme(scheme); err != nil {
		panic(err)
	}
	if err := flinkv1beta1.AddToScheme(scheme); err != nil {
		panic(err)
	}
	return scheme
}

// AssetsDir is where kube-apiserver, etcd and kubectl live: $KUBEBUILDER_ASSETS, else bin/ in the repository.
func AssetsDir() string {
	if dir := os.Getenv("KUBEBUILDER_ASSETS"); dir != "" {
		return dir
	}
	return filepath.Join(RepoRoot(), "bin")
}

// Start brings up a control plane with Teal's CRDs. It fails, naming the fix, when the binaries are missing:
// tests never skip for want of a control plane.
func Start(opts Options) (*Env, error) {
	setLogger()
	root := RepoRoot()
	assets := AssetsDir()
	for _, binary := range []string{"kube-apiserver", "etcd", "kubectl"} {
		if _, err := os.Stat(filepath.Join(assets, binary)); err != nil {
			return nil, fmt.Errorf("%s not found in %s: run `make tools` (hack/install-tools.sh) first: %w", binary, assets, err)
		}
	}
	scheme := NewScheme()
	environment := &envtest.Environment{
		BinaryAssetsDirectory: assets,
		CRDDirectoryPaths:     append([]string{filepath.Join(root, "config", "crd", "bases")}, opts.ExtraCRDs...),
		ErrorIfCRDPathMissing: true,
		Scheme:                scheme,
	}
	if len(opts.WebhookManifests) > 0 {
		environment.WebhookInstallOptions = envtest.WebhookInstallOptions{Paths: opts.WebhookManifests}
	}
	cfg, err := environment.Start()
	if err != nil {
		return nil, fmt.Errorf("starting the test control plane: %w", err)
	}
	// Generous limits: suites create hundreds of objects quickly.
	cfg.QPS, cfg.Burst = 200, 400
	k8sClient, err := client.New(cfg, client.Options{Scheme: scheme})
	if err != nil {
		return nil, errors.Join(fmt.Errorf("creating a client: %w", err), environment.Stop())
	}
	return &Env{
		Config: cfg, Client: k8sClient, Scheme: scheme, Root: root,
		Webhook: environment.WebhookInstallOptions, environment: environment,
	}, nil
}

// Stop shuts the control plane down.
func (e *Env) Stop() error { return e.environment.Stop() }

// Kubeconfig writes a kubeconfig for an administrator of this control plane and returns its path; the real
// kubectl binary uses it in tests.
func (e *Env) Kubeconfig(dir string) (string, error) {
	user, err := e.environment.ControlPlane.AddUser(envtest.User{Name: "teal-admin", Groups: []string{"system:masters"}}, nil)
	if err != nil {
		return "", fmt.Errorf("adding a kubeconfig user: %w", err)
	}
	raw, err := user.KubeConfig()
	if err != nil {
		return "", fmt.Errorf("rendering kubeconfig: %w", err)
	}
	path := filepath.Join(dir, "kubeconfig")
	return path, os.WriteFile(path, raw, 0o600)
}

// KubectlPath is the kubectl binary built with the control plane.
func KubectlPath() string { return filepath.Join(AssetsDir(), "kubectl") }

// Main runs a package's tests against one control plane: it starts it, stores it in *env, runs the tests and
// stops it. Use it from TestMain: `func TestMain(m *testing.M) { testenv.Main(m, &env, testenv.Options{}) }`.
// m is a *testing.M; the interface keeps the testing package out of make demo, which links this package.
func Main(m interface{ Run() int }, env **Env, opts Options) {
	started, err := Start(opts)
	if err != nil {
		fmt.Fprintln(os.Stderr, "testenv:", err)
		os.Exit(1)
	}
	*env = started
	code := m.Run()
	if err := started.Stop(); err != nil {
		fmt.Fprintln(os.Stderr, "testenv: stopping the control plane:", err)
	}
	os.Exit(code)
}

// GVK returns the group/version/kind of a Teal kind by name, for unstructured objects in tests.
func GVK(kind string) schema.GroupVersionKind { return flinkv1beta1.GroupVersion.WithKind(kind) }

// Context is the default test context; suites derive deadlines from it.
func Context() context.Context { return context.Background() }

// setLogger routes controller-runtime's logs to stderr when TEAL_TEST_LOGS is set (e.g. TEAL_TEST_LOGS=debug),
// and discards them otherwise, so test output stays readable.
func setLogger() {
	level := os.Getenv("TEAL_TEST_LOGS")
	if level == "" {
		ctrl.SetLogger(logr.Discard())
		return
	}
	zapLevel := zapcore.InfoLevel
	if level == "debug" {
		zapLevel = zapcore.DebugLevel
	}
	ctrl.SetLogger(zap.New(zap.WriteTo(os.Stderr), zap.Level(zapLevel)))
}
