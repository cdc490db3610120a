package webhookbench

import (
	"context"
	"net/http"
	"net/netip"
	"sort"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/config"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"
	"sigs.k8s.io/controller-runtime/pkg/webhook"

	"github.com/teal-flink/teal/internal/manager"
	"github.com/teal-flink/teal/internal/operatorconfig"
	"github.com/teal-flink/teal/test/builders"
	"github.com/teal-flink/teal/test/stack"
	"github.com/teal-flink/teal/test/testenv"
)

const (
	namespace = "bench"
	inFlight  = 32
)

var (
	teal    *stack.Stack
	timings *serverTimings
)

func TestMain(m *testing.M) {
	stack.Main(m, stack.Options{Name: "webhookbench", Webhooks: true, NoOperator: true}, func(s *stack.Stack) error {
		teal = s
		timings = &serverTimings{}
		skip := true
		env := s.Env
		mgr, err := ctrl.NewManager(env.Config, ctrl.Options{
			Scheme: env.Scheme, Metrics: metricsserver.Options{BindAddress: "0"}, HealthProbeBindAddress: "0",
			Controller: config.Controller{SkipNameValidation: &skip},
			WebhookServer: &timedServer{Server: webhook.NewServer(webhook.Options{
				Host: env.Webhook.LocalServingHost, Port: env.Webhook.LocalServingPort, CertDir: env.Webhook.LocalServingCertDir,
			}), timings: timings},
		})
		if err != nil {
			return err
		}
		operatorConfig := s.OperatorConfig()
		if err := manager.Setup(mgr, manager.Options{
			Webhooks: true, OperatorConfig: func() *operatorconfig.Config { return operatorConfig },
			JarHostResolver: staticResolver{},
		}); err != nil {
			return err
		}
		testenv.StartManager(mgr)
		return setUp(context.Background(), env.Client)
	})
}

// staticResolver resolves the jar host of the valid session job to a public address without DNS.
type staticResolver struct{}

func (staticResolver) LookupHost(string) ([]netip.Addr, error) {
	return []netip.Addr{netip.MustParseAddr("93.184.216.34")}, nil
}

// timedServer records how long the webhook server spends on each admission request: decoding, the
// validators (with the per-request option computation) and encoding — the webhook's own share.
type timedServer struct {
	webhook.Server
	timings *serverTimings
}

func (s *timedServer) Register(path string, hook http.Handler) {
	s.Server.Register(path, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		hook.ServeHTTP(w, r)
		s.timings.add(path, time.Since(start))
	}))
}

type serverTimings struct {
	mu      sync.Mutex
	samples []time.Duration
	byPath  map[string][]time.Duration
}

func (t *serverTimings) add(path string, d time.Duration) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.samples = append(t.samples, d)
	if t.byPath == nil {
		t.byPath = map[string][]time.Duration{}
	}
	t.byPath[path] = append(t.byPath[path], d)
}

// take returns every sample since the last take, and by webhook path.
func (t *serverTimings) take() ([]time.Duration, map[string][]time.Duration) {
	t.mu.Lock()
	defer t.mu.Unlock()
	all, byPath := t.samples, t.byPath
	t.samples, t.byPath = nil, nil
	return all, byPath
}

// setUp creates the namespace and the session cluster the session job and the snapshot refer to (no
// controller runs: it only has to exist).
func setUp(ctx context.Context, c client.Client) error {
	if err := c.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: namespace}}); err != nil && !apierrors.IsAlreadyExists(err) {
		return err
	}
	return c.Create(ctx, builders.NewFlinkDeployment("session", builders.InNamespace(namespace), builders.WithSessionCluster()))
}

// request is one kind of admission request of the mix.
type request struct {
	name  string
	valid bool
	build func() client.Object
}

func requests() []request {
	deployment := func(options ...builders.DeploymentOption) func() client.Object {
		return func() client.Object {
			return builders.NewFlinkDeployment("bench", append([]builders.DeploymentOption{builders.InNamespace(namespace)}, options...)...)
		}
	}
	sessionJob := func(jarURI string) func() client.Object {
		return func() client.Object { return builders.NewFlinkSessionJob("bench", namespace, "session", jarURI) }
	}
	snapshot := func(target string) func() client.Object {
		return func() client.Object { return builders.NewSavepoint("bench", namespace, target) }
	}
	blueGreen := func(options ...builders.BlueGreenOption) func() client.Object {
		return func() client.Object {
			return builders.NewFlinkBlueGreenDeployment("bench", []builders.DeploymentOption{builders.InNamespace(namespace)}, options...)
		}
	}
	return []request{
		{name: "FlinkDeployment valid", valid: true, build: deployment()},
		{name: "FlinkDeployment invalid", build: deployment(builders.WithConfig("kubernetes.operator.rest.url-template", "http://victim"))},
		{name: "FlinkSessionJob valid", valid: true, build: sessionJob("https://repo.example.com/job.jar")},
		{name: "FlinkSessionJob invalid", build: sessionJob("ftp://repo.example.com/job.jar")},
		{name: "FlinkStateSnapshot valid", valid: true, build: snapshot("session")},
		{name: "FlinkStateSnapshot invalid", build: snapshot("missing")},
		{name: "FlinkBlueGreenDeployment valid", valid: true, build: blueGreen()},
		{name: "FlinkBlueGreenDeployment invalid", build: blueGreen(builders.WithBlueGreenConfig("kubernetes.operator.bluegreen.abort.grace-period", "soon"))},
	}
}

// admit sends one server-side dry-run create through the API server and its webhooks.
func admit(ctx context.Context, c client.Client, r request) error {
	return c.Create(ctx, r.build(), client.DryRunAll)
}

// TestRequestMixIsAdmittedAndRejectedAsLabelled checks the benchmark's mix: the valid requests pass every
// webhook and the invalid ones are rejected by the validating webhook (Invalid), so the benchmark measures
// both paths.
func TestRequestMixIsAdmittedAndRejectedAsLabelled(t *testing.T) {
	for _, r := range requests() {
		t.Run(r.name, func(t *testing.T) {
			g := NewWithT(t)
			err := admit(context.Background(), teal.Env.Client, r)
			if r.valid {
				g.Expect(err).NotTo(HaveOccurred())
			} else {
				g.Expect(apierrors.IsInvalid(err)).To(BeTrue(), "%v", err)
			}
		})
	}
}

// BenchmarkAdmissionWebhooks sends b.N dry-run creates, 32 in flight, cycling through the mix; it reports the
// client's p50/p99 latency (API server plus webhooks), the webhook server's own p50/p99 per admission call
// (each create calls a mutating and a validating webhook) and the requests per second.
func BenchmarkAdmissionWebhooks(b *testing.B) {
	mix := requests()
	ctx := context.Background()
	for _, r := range mix { // warm the connections and caches
		_ = admit(ctx, teal.Env.Client, r)
	}
	timings.take()
	var next atomic.Int64
	latencies := make([]time.Duration, b.N)
	var failures atomic.Int64
	b.ResetTimer()
	start := time.Now()
	var wg sync.WaitGroup
	for worker := 0; worker < inFlight; worker++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := next.Add(1) - 1
				if i >= int64(b.N) {
					return
				}
				r := mix[i%int64(len(mix))]
				sent := time.Now()
				err := admit(ctx, teal.Env.Client, r)
				latencies[i] = time.Since(sent)
				if (err == nil) != r.valid {
					failures.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()
	if failures.Load() > 0 {
		b.Fatalf("%d requests were not admitted or rejected as labelled", failures.Load())
	}
	server, byPath := timings.take()
	paths := make([]string, 0, len(byPath))
	for path := range byPath {
		paths = append(paths, path)
	}
	sort.Strings(paths)
	for _, path := range paths {
		b.Logf("%-60s n=%5d p50=%6.2f ms p99=%6.2f ms", path, len(byPath[path]), percentile(byPath[path], 50), percentile(byPath[path], 99))
	}
	b.ReportMetric(percentile(latencies, 50), "client-p50-ms")
	b.ReportMetric(percentile(latencies, 99), "client-p99-ms")
	b.ReportMetric(percentile(server, 50), "webhook-p50-ms")
	b.ReportMetric(percentile(server, 99), "webhook-p99-ms")
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "req/s")
}

func percentile(samples []time.Duration, p int) float64 {
	if len(samples) == 0 {
		return 0
	}
	sorted := append([]time.Duration(nil), samples...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i] < sorted[j] })
	index := (len(sorted)*p + 99) / 100
	if index > 0 {
		index--
	}
	return float64(sorted[index].Microseconds()) / 1000
}
