package scale_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-logr/logr"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	k8sruntime "k8s.io/apimachinery/pkg/runtime"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
	"github.com/teal-flink/teal/internal/operatorconfig"
	"github.com/teal-flink/teal/test/builders"
	"github.com/teal-flink/teal/test/sim/flinkstandin"
	"github.com/teal-flink/teal/test/sim/localruntime"
	"github.com/teal-flink/teal/test/testenv"
)

// Sizes of the benchmark, overridable for a quick run: TEAL_SCALE_DEPLOYMENTS, TEAL_SCALE_BLUEGREENS,
// TEAL_SCALE_STEADY (the steady-state window, a Go duration).
var (
	deployments = envInt("TEAL_SCALE_DEPLOYMENTS", 500)
	blueGreens  = envInt("TEAL_SCALE_BLUEGREENS", 100)
	steady      = envDuration("TEAL_SCALE_STEADY", time.Minute)
)

const namespace = "scale"

// BenchmarkScale measures the operator binary at scale: it starts the real binary (built as `make build` does)
// against a test control plane, with the local runtime running an instant Flink stand-in per JobManager,
// creates 500 FlinkDeployments and 100 FlinkBlueGreenDeployments at once, and reports the time until all are
// Ready, then the operator's CPU and resident memory over a steady-state window, read from /proc/<pid>.
// It reports figures; it asserts no timing. Run: go test ./test/scale -run '^$' -bench Scale -benchtime 1x -timeout 30m
func BenchmarkScale(b *testing.B) {
	for range b.N {
		figures, err := measure(b)
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(figures.allReady.Seconds(), "s-to-all-ready")
		b.ReportMetric(figures.steadyCPU*1000, "steady-millicores")
		b.ReportMetric(figures.steadyRSS/(1<<20), "steady-RSS-MiB")
		b.ReportMetric(figures.peakRSS/(1<<20), "peak-RSS-MiB")
		b.Logf("%d FlinkDeployments + %d FlinkBlueGreenDeployments: all Ready after %s; steady state over %s: %.0f millicores, RSS %.0f MiB (peak %.0f MiB)",
			deployments, blueGreens, figures.allReady.Round(100*time.Millisecond), steady, figures.steadyCPU*1000,
			figures.steadyRSS/(1<<20), figures.peakRSS/(1<<20))
	}
}

type figures struct {
	allReady           time.Duration
	steadyCPU          float64 // cores
	steadyRSS, peakRSS float64 // bytes
}

func measure(b *testing.B) (*figures, error) {
	ctx := context.Background()
	env, err := startControlPlane()
	if err != nil {
		return nil, err
	}
	defer env.Stop()
	dir := b.TempDir()
	runtime, err := localruntime.New(&localruntime.StandinBackend{Options: flinkstandin.Options{Instant: true}, JarDir: dir})
	if err != nil {
		return nil, err
	}
	defer runtime.Close()
	runtimeManager, err := ctrl.NewManager(env.Config, ctrl.Options{
		Scheme: env.Scheme, Metrics: metricsserver.Options{BindAddress: "0"}, HealthProbeBindAddress: "0",
	})
	if err != nil {
		return nil, err
	}
	if err := runtime.SetupWithManager(runtimeManager); err != nil {
		return nil, err
	}
	runtimeProcess := testenv.StartManager(runtimeManager)
	defer runtimeProcess.Stop()

	operator, err := startOperator(b, env, runtime, dir)
	if err != nil {
		return nil, err
	}
	defer func() {
		_ = operator.Process.Signal(os.Interrupt)
		_ = operator.Wait()
	}()
	if err := env.Client.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: namespace}}); err != nil {
		return nil, err
	}

	stateConfig := []string{"state.savepoints.dir", "file://" + dir + "/savepoints", "state.checkpoints.dir", "file://" + dir + "/checkpoints"}
	var objects []client.Object
	for i := range deployments {
		objects = append(objects, builders.NewFlinkDeployment(fmt.Sprintf("fd-%03d", i), builders.InNamespace(namespace), builders.WithParallelism(1)))
	}
	for i := range blueGreens {
		objects = append(objects, builders.NewFlinkBlueGreenDeployment(fmt.Sprintf("bg-%03d", i),
			[]builders.DeploymentOption{builders.InNamespace(namespace), builders.WithParallelism(1), builders.WithConfig(stateConfig...)}))
	}
	started := time.Now()
	if err := createAll(ctx, env.Client, objects); err != nil {
		return nil, err
	}
	result := &figures{}
	pid := operator.Process.Pid
	for {
		ready, err := countReady(ctx, env.Client)
		if err != nil {
			return nil, err
		}
		if rss, err := residentBytes(pid); err == nil && rss > result.peakRSS {
			result.peakRSS = rss
		}
		if ready == len(objects) {
			result.allReady = time.Since(started)
			break
		}
		if time.Since(started) > 15*time.Minute {
			return nil, fmt.Errorf("only %d of %d resources Ready after 15 minutes", ready, len(objects))
		}
		time.Sleep(500 * time.Millisecond) // polling the benchmark's own progress, not waiting in a test
	}

	// Steady state: everything runs, the operator only observes (progress checks and reconcile intervals).
	cpuBefore, err := cpuSeconds(pid)
	if err != nil {
		return nil, err
	}
	windowStart := time.Now()
	var rssSum float64
	var samples int
	for time.Since(windowStart) < steady {
		time.Sleep(time.Second)
		rss, err := residentBytes(pid)
		if err != nil {
			return nil, err
		}
		rssSum += rss
		samples++
		if rss > result.peakRSS {
			result.peakRSS = rss
		}
	}
	cpuAfter, err := cpuSeconds(pid)
	if err != nil {
		return nil, err
	}
	result.steadyCPU = (cpuAfter - cpuBefore) / time.Since(windowStart).Seconds()
	result.steadyRSS = rssSum / float64(samples)
	return result, nil
}

// startOperator builds the operator as `make build` does and runs it against the control plane, controllers
// only, with upstream's default reconcile interval and a 1 s progress check.
func startOperator(b *testing.B, env *controlPlane, runtime *localruntime.Runtime, dir string) (*exec.Cmd, error) {
	binary := filepath.Join(dir, "teal")
	build := exec.Command("go", "build", "-trimpath", "-ldflags=-s -w", "-o", binary, ".")
	build.Dir, build.Env = testenv.RepoRoot(), append(os.Environ(), "CGO_ENABLED=0")
	if output, err := build.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("building the operator: %w\n%s", err, output)
	}
	kubeconfig, err := env.Kubeconfig(dir)
	if err != nil {
		return nil, err
	}
	configPath := filepath.Join(dir, "config.yaml")
	config := fmt.Sprintf("%s: %q\n%s: 1 s\n%s: 60 s\n", operatorconfig.KeyRestURLTemplate, runtime.RestURLTemplate(),
		operatorconfig.KeyProgressCheckInterval, operatorconfig.KeyReconcileInterval)
	if err := os.WriteFile(configPath, []byte(config), 0o600); err != nil {
		return nil, err
	}
	operator := exec.Command(binary, "--config", configPath, "--webhooks=false", "--leader-elect=false",
		"--metrics-bind-address=0", "--health-probe-bind-address=0", "--json-logs")
	operator.Env = append(os.Environ(), "KUBECONFIG="+kubeconfig, "POD_NAMESPACE=default")
	logs, err := os.Create(filepath.Join(dir, "operator.log"))
	if err != nil {
		return nil, err
	}
	operator.Stdout, operator.Stderr = logs, logs
	if err := operator.Start(); err != nil {
		return nil, err
	}
	b.Logf("operator pid %d, logs in %s", operator.Process.Pid, logs.Name())
	return operator, nil
}

// createAll creates every object at once, 32 requests in flight.
func createAll(ctx context.Context, c client.Client, objects []client.Object) error {
	work := make(chan client.Object)
	errs := make(chan error, len(objects))
	var wg sync.WaitGroup
	for range 32 {
		wg.Go(func() {
			for obj := range work {
				if err := c.Create(ctx, obj); err != nil {
					errs <- fmt.Errorf("creating %s: %w", obj.GetName(), err)
				}
			}
		})
	}
	for _, obj := range objects {
		work <- obj
	}
	close(work)
	wg.Wait()
	close(errs)
	return <-errs
}

// countReady counts the benchmark's resources whose latest generation is Ready (blue/green children excluded).
func countReady(ctx context.Context, c client.Client) (int, error) {
	ready := 0
	fds := &flinkv1beta1.FlinkDeploymentList{}
	if err := c.List(ctx, fds, client.InNamespace(namespace)); err != nil {
		return 0, err
	}
	for _, fd := range fds.Items {
		if strings.HasPrefix(fd.Name, "fd-") && fd.Status.ObservedGeneration == fd.Generation &&
			meta.IsStatusConditionTrue(fd.Status.Conditions, flinkv1beta1.ConditionReady) {
			ready++
		}
	}
	bgs := &flinkv1beta1.FlinkBlueGreenDeploymentList{}
	if err := c.List(ctx, bgs, client.InNamespace(namespace)); err != nil {
		return 0, err
	}
	for _, bg := range bgs.Items {
		if bg.Status.ObservedGeneration == bg.Generation && meta.IsStatusConditionTrue(bg.Status.Conditions, flinkv1beta1.ConditionReady) {
			ready++
		}
	}
	return ready, nil
}

// cpuSeconds is the user + system CPU time of a process, from /proc/<pid>/stat.
func cpuSeconds(pid int) (float64, error) {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	text := string(raw)
	fields := strings.Fields(text[strings.LastIndexByte(text, ')')+2:])
	// After the command: state(0) ... utime(11) stime(12), in clock ticks (100 per second on Linux).
	utime, err1 := strconv.ParseFloat(fields[11], 64)
	stime, err2 := strconv.ParseFloat(fields[12], 64)
	if err1 != nil || err2 != nil {
		return 0, fmt.Errorf("reading CPU times from /proc/%d/stat", pid)
	}
	return (utime + stime) / 100, nil
}

// residentBytes is VmRSS from /proc/<pid>/status.
func residentBytes(pid int) (float64, error) {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(raw), "\n") {
		if strings.HasPrefix(line, "VmRSS:") {
			kib, err := strconv.ParseFloat(strings.Fields(line)[1], 64)
			return kib * 1024, err
		}
	}
	return 0, fmt.Errorf("no VmRSS in /proc/%d/status", pid)
}

func envInt(name string, fallback int) int {
	if value, err := strconv.Atoi(os.Getenv(name)); err == nil {
		return value
	}
	return fallback
}

func envDuration(name string, fallback time.Duration) time.Duration {
	if value, err := time.ParseDuration(os.Getenv(name)); err == nil {
		return value
	}
	return fallback
}

// controlPlane is a test control plane like testenv's, with a service IP range for thousands of Services: each
// FlinkDeployment has a REST Service, and testenv's /24 range holds 254.
type controlPlane struct {
	*envtest.Environment
	Client client.Client
	Scheme *k8sruntime.Scheme
}

func startControlPlane() (*controlPlane, error) {
	ctrl.SetLogger(logr.Discard())
	scheme := testenv.NewScheme()
	environment := &envtest.Environment{
		BinaryAssetsDirectory: testenv.AssetsDir(),
		CRDDirectoryPaths:     []string{filepath.Join(testenv.RepoRoot(), "config", "crd", "bases")},
		ErrorIfCRDPathMissing: true,
		Scheme:                scheme,
	}
	environment.ControlPlane.GetAPIServer().Configure().Set("service-cluster-ip-range", "10.96.0.0/16")
	config, err := environment.Start()
	if err != nil {
		return nil, err
	}
	config.QPS, config.Burst = 200, 400
	c, err := client.New(config, client.Options{Scheme: scheme})
	if err != nil {
		return nil, errors.Join(err, environment.Stop())
	}
	return &controlPlane{Environment: environment, Client: c, Scheme: scheme}, nil
}

// Kubeconfig writes an administrator kubeconfig for the operator binary.
func (c *controlPlane) Kubeconfig(dir string) (string, error) {
	user, err := c.ControlPlane.AddUser(envtest.User{Name: "teal-admin", Groups: []string{"system:masters"}}, nil)
	if err != nil {
		return "", err
	}
	raw, err := user.KubeConfig()
	if err != nil {
		return "", err
	}
	path := filepath.Join(dir, "kubeconfig")
	return path, os.WriteFile(path, raw, 0o600)
}
