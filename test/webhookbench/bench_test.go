package webhookbench

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"sort"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	. "github.com/onsi/gomega"
	dto "github.com/prometheus/client_model/go"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/teal-flink/teal/test/builders"
	"github.com/teal-flink/teal/test/testenv"
)

const (
	namespace = "bench"
	inFlight  = 32
)

var (
	env      *testenv.Env
	webhooks *webhookProcess
)

func TestMain(m *testing.M) {
	code, err := run(m)
	if err != nil {
		fmt.Fprintln(os.Stderr, "webhookbench:", err)
		os.Exit(1)
	}
	os.Exit(code)
}

// run starts the control plane with Teal's webhook configurations, then the webhook process they point at.
func run(m *testing.M) (code int, err error) {
	env, err = testenv.Start(testenv.Options{WebhookManifests: []string{testenv.RepoRoot() + "/config/webhook"}})
	if err != nil {
		return 0, err
	}
	defer func() { err = errors.Join(err, env.Stop()) }()
	dir, err := os.MkdirTemp("", "teal-webhookbench-")
	if err != nil {
		return 0, err
	}
	defer os.RemoveAll(dir)
	if webhooks, err = startWebhookProcess(env, dir); err != nil {
		return 0, err
	}
	defer func() { err = errors.Join(err, webhooks.stop()) }()
	if err := setUp(context.Background(), env.Client); err != nil {
		return 0, fmt.Errorf("%w (webhook process logs in %s)", err, webhooks.logs.Name())
	}
	return m.Run(), nil
}

// setUp creates the namespace and the session cluster the session job and the snapshot refer to (no
// controller runs: it only has to exist), and waits until the webhook process's cache holds it.
func setUp(ctx context.Context, c client.Client) error {
	if err := c.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: namespace}}); err != nil && !apierrors.IsAlreadyExists(err) {
		return err
	}
	if err := c.Create(ctx, builders.NewFlinkDeployment("session", builders.InNamespace(namespace), builders.WithSessionCluster())); err != nil {
		return err
	}
	var lastErr error
	err := wait.PollUntilContextTimeout(ctx, 50*time.Millisecond, time.Minute, true, func(ctx context.Context) (bool, error) {
		lastErr = admit(ctx, c, requests()[4]) // the valid snapshot: admitted once the cache holds its target
		return lastErr == nil, nil
	})
	if err != nil {
		return fmt.Errorf("the webhooks did not admit a snapshot of the session cluster (%v): %w", lastErr, err)
	}
	return nil
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
		// A public IP literal: the restricted-host check needs no DNS look-up (the benchmark sends no traffic
		// beyond loopback).
		{name: "FlinkSessionJob valid", valid: true, build: sessionJob("https://93.184.216.34/job.jar")},
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
			err := admit(context.Background(), env.Client, r)
			if r.valid {
				g.Expect(err).NotTo(HaveOccurred())
			} else {
				g.Expect(apierrors.IsInvalid(err)).To(BeTrue(), "%v", err)
			}
		})
	}
}

// TestWebhookLatencyIsScrapedFromTheWebhookProcess checks what the benchmark reads: the webhook process's
// controller-runtime latency histogram is native (fine buckets) and counts every call of a webhook.
func TestWebhookLatencyIsScrapedFromTheWebhookProcess(t *testing.T) {
	g := NewWithT(t)
	ctx := context.Background()
	before, err := scrape(ctx)
	g.Expect(err).NotTo(HaveOccurred())
	for range 3 {
		g.Expect(admit(ctx, env.Client, requests()[0])).To(Succeed())
	}
	after, err := scrape(ctx)
	g.Expect(err).NotTo(HaveOccurred())
	calls := after.since(before)
	for _, path := range []string{"/mutate-flink-apache-org-v1beta1-flinkdeployment", "/validate-flink-apache-org-v1beta1-flinkdeployment"} {
		g.Expect(calls.latency).To(HaveKey(path))
		g.Expect(calls.latency[path].count()).To(BeEquivalentTo(3))
		g.Expect(calls.latency[path].schema).To(BeNumerically(">=", 0), "native buckets at most a factor 2 wide")
	}
}

// BenchmarkAdmissionWebhooks sends b.N dry-run creates, 32 in flight, cycling through the mix. It reports the
// client's p50/p99 latency (API server plus webhooks), measured in this process, and the webhook's own share
// measured by the webhook process itself (controller-runtime's handler latency histogram, scraped before and
// after): p50/p99 per admission call overall and per webhook, the process's CPU time and allocations per call,
// its GC cycles, and the creates per second. Each create calls a mutating and a validating webhook.
func BenchmarkAdmissionWebhooks(b *testing.B) {
	mix := requests()
	ctx := context.Background()
	for _, r := range mix { // warm the connections and caches
		_ = admit(ctx, env.Client, r)
	}
	before, err := scrape(ctx)
	if err != nil {
		b.Fatal(err)
	}
	var next atomic.Int64
	latencies := make([]time.Duration, b.N)
	var failures atomic.Int64
	b.ResetTimer()
	start := time.Now()
	var wg sync.WaitGroup
	for range inFlight {
		wg.Go(func() {
			for {
				i := next.Add(1) - 1
				if i >= int64(b.N) {
					return
				}
				r := mix[i%int64(len(mix))]
				sent := time.Now()
				err := admit(ctx, env.Client, r)
				latencies[i] = time.Since(sent)
				if (err == nil) != r.valid {
					failures.Add(1)
				}
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()
	after, err := scrape(ctx)
	if err != nil {
		b.Fatal(err)
	}
	if failures.Load() > 0 {
		b.Fatalf("%d requests were not admitted or rejected as labelled", failures.Load())
	}
	run := after.since(before)
	paths := make([]string, 0, len(run.latency))
	all := nativeHistogram{schema: 8}
	for path, histogram := range run.latency {
		paths = append(paths, path)
		all = all.plus(histogram)
	}
	sort.Strings(paths)
	calls := float64(all.count())
	if b.N >= len(mix) {
		b.Logf("webhook process: %d calls, p50=%.3f ms p99=%.3f ms (native buckets of schema %d: ±%.0f%%); per call %.3f CPU-ms, "+
			"%.3f ms waiting for a CPU, %.0f KiB allocated; %d GC cycles; load average %s",
			all.count(), 1000*all.quantile(0.5), 1000*all.quantile(0.99), all.schema, 100*(bucketFactor(all.schema)-1)/2,
			1000*run.cpuSeconds/calls, float64(run.runQueueWait.Microseconds())/1000/calls, run.allocatedBytes/calls/1024, run.gcCycles, loadAverage())
	}
	// A benchmark's log keeps only its first ten lines: the sizing run (b.N = 1) logs none.
	for _, path := range paths {
		if b.N < len(mix) {
			break
		}
		h := run.latency[path]
		b.Logf("%-60s n=%5d p50=%6.3f ms p99=%6.3f ms", path, h.count(), 1000*h.quantile(0.5), 1000*h.quantile(0.99))
	}
	b.ReportMetric(percentile(latencies, 50), "client-p50-ms")
	b.ReportMetric(percentile(latencies, 99), "client-p99-ms")
	b.ReportMetric(1000*all.quantile(0.5), "webhook-p50-ms")
	b.ReportMetric(1000*all.quantile(0.99), "webhook-p99-ms")
	b.ReportMetric(1000*run.cpuSeconds/calls, "webhook-cpu-ms/call")
	b.ReportMetric(float64(run.runQueueWait.Microseconds())/1000/calls, "webhook-cpu-wait-ms/call")
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "req/s")
}

// processFigures is one scrape of the webhook process: its latency histogram per webhook path, its CPU time,
// its allocations and GC cycles so far.
type processFigures struct {
	latency        map[string]nativeHistogram
	cpuSeconds     float64
	runQueueWait   time.Duration
	allocatedBytes float64
	gcCycles       uint64
}

func scrape(ctx context.Context) (processFigures, error) {
	cpu, err := webhooks.cpuSeconds()
	if err != nil {
		return processFigures{}, err
	}
	wait, err := webhooks.runQueueWait()
	if err != nil {
		return processFigures{}, err
	}
	families, err := webhooks.metrics(ctx)
	if err != nil {
		return processFigures{}, err
	}
	figures := processFigures{latency: map[string]nativeHistogram{}, cpuSeconds: cpu, runQueueWait: wait}
	latency, found := families["controller_runtime_webhook_latency_seconds"]
	if !found {
		return processFigures{}, fmt.Errorf("the webhook process exports no controller_runtime_webhook_latency_seconds")
	}
	for _, metric := range latency.GetMetric() {
		histogram := metric.GetHistogram()
		if histogram.GetSchema() == 0 && len(histogram.GetPositiveSpan()) == 0 && histogram.GetZeroThreshold() == 0 {
			return processFigures{}, fmt.Errorf("controller_runtime_webhook_latency_seconds is not scraped as a native histogram")
		}
		figures.latency[label(metric, "webhook")] = fromDTO(histogram)
	}
	if family, found := families["go_memstats_alloc_bytes_total"]; found && len(family.GetMetric()) > 0 {
		figures.allocatedBytes = family.GetMetric()[0].GetCounter().GetValue()
	}
	if family, found := families["go_gc_duration_seconds"]; found && len(family.GetMetric()) > 0 {
		figures.gcCycles = family.GetMetric()[0].GetSummary().GetSampleCount()
	}
	return figures, nil
}

// since is what happened between an earlier scrape and this one.
func (f processFigures) since(earlier processFigures) processFigures {
	result := processFigures{latency: map[string]nativeHistogram{}, cpuSeconds: f.cpuSeconds - earlier.cpuSeconds,
		runQueueWait:   f.runQueueWait - earlier.runQueueWait,
		allocatedBytes: f.allocatedBytes - earlier.allocatedBytes, gcCycles: f.gcCycles - earlier.gcCycles}
	for path, histogram := range f.latency {
		if previous, found := earlier.latency[path]; found {
			histogram = histogram.minus(previous)
		}
		if histogram.count() > 0 {
			result.latency[path] = histogram
		}
	}
	return result
}

func label(metric *dto.Metric, name string) string {
	for _, pair := range metric.GetLabel() {
		if pair.GetName() == name {
			return pair.GetValue()
		}
	}
	return ""
}

// bucketFactor is how much wider than the one before each bucket of a schema is.
func bucketFactor(schema int32) float64 {
	return math.Exp2(math.Exp2(-float64(schema)))
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
