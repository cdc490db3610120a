package scale_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/config"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
	"github.com/teal-flink/teal/internal/manager"
	"github.com/teal-flink/teal/internal/operatorconfig"
	"github.com/teal-flink/teal/test/builders"
	"github.com/teal-flink/teal/test/sim/flinkstandin"
	"github.com/teal-flink/teal/test/sim/localruntime"
	"github.com/teal-flink/teal/test/testenv"
)

// Sizes of the hung-JobManager benchmark: TEAL_HUNG_DEPLOYMENTS (200) and TEAL_HUNG_LIMIT, how long a run may
// take before the figure is reported as a lower bound (10m).
var (
	hungDeployments = envInt("TEAL_HUNG_DEPLOYMENTS", 200)
	hungLimit       = envDuration("TEAL_HUNG_LIMIT", 10*time.Minute)
)

// hungName is the FlinkDeployment whose JobManager hangs every REST call.
const hungName = "fd-000"

// BenchmarkHungJobManager measures isolation between resources (issue 14, defect 7): 200 FlinkDeployments are
// created at once, and the JobManager of one of them hangs every REST call until the client gives up. It reports
// the time until the other 199 are Ready with one reconcile at a time (kubernetes.operator.reconcile.parallelism
// 1, what every controller did before) and with upstream's default parallelism (200). It asserts no timing.
// Run: go test ./test/scale -run '^$' -bench HungJobManager -benchtime 1x -timeout 40m
func BenchmarkHungJobManager(b *testing.B) {
	dir := b.TempDir()
	binary, err := buildOperator(dir)
	if err != nil {
		b.Fatal(err)
	}
	for range b.N {
		for _, parallelism := range []int{1, manager.DefaultReconcileParallelism} {
			took, ready, err := measureHung(b, binary, parallelism)
			if err != nil {
				b.Fatal(err)
			}
			unit := fmt.Sprintf("s-others-ready-parallelism-%d", parallelism)
			b.ReportMetric(took.Seconds(), unit)
			bound := ""
			if ready < hungDeployments-1 {
				bound = fmt.Sprintf(" (limit reached: only %d Ready; the figure is a lower bound)", ready)
			}
			b.Logf("parallelism %d: %d of %d FlinkDeployments beside the hung one Ready after %s%s", parallelism,
				ready, hungDeployments-1, took.Round(100*time.Millisecond), bound)
		}
	}
}

func buildOperator(dir string) (string, error) {
	binary := filepath.Join(dir, "teal")
	build := exec.Command("go", "build", "-trimpath", "-ldflags=-s -w", "-o", binary, ".")
	build.Dir, build.Env = testenv.RepoRoot(), append(os.Environ(), "CGO_ENABLED=0")
	if output, err := build.CombinedOutput(); err != nil {
		return "", fmt.Errorf("building the operator: %w\n%s", err, output)
	}
	return binary, nil
}

// measureHung runs one round on a fresh control plane and returns the time until every FlinkDeployment but the
// hung one is Ready (or the limit), and how many were.
func measureHung(b *testing.B, binary string, parallelism int) (time.Duration, int, error) {
	ctx := context.Background()
	env, err := startControlPlane()
	if err != nil {
		return 0, 0, err
	}
	defer env.Stop()
	dir := b.TempDir()
	runtime, err := localruntime.New(&localruntime.StandinBackend{Options: flinkstandin.Options{Instant: true},
		Customize: func(spec localruntime.ClusterSpec, opts *flinkstandin.Options) {
			if spec.Name == hungName {
				opts.Faults.RESTHang = true
			}
		}})
	if err != nil {
		return 0, 0, err
	}
	defer runtime.Close()
	// Each round runs its own runtime manager in this process: the controller name repeats.
	skipNameValidation := true
	runtimeManager, err := ctrl.NewManager(env.Config, ctrl.Options{
		Scheme: env.Scheme, Metrics: metricsserver.Options{BindAddress: "0"}, HealthProbeBindAddress: "0",
		Controller: config.Controller{SkipNameValidation: &skipNameValidation},
	})
	if err != nil {
		return 0, 0, err
	}
	if err := runtime.SetupWithManager(runtimeManager); err != nil {
		return 0, 0, err
	}
	runtimeProcess := testenv.StartManager(runtimeManager)
	defer runtimeProcess.Stop()

	kubeconfig, err := env.Kubeconfig(dir)
	if err != nil {
		return 0, 0, err
	}
	configPath := filepath.Join(dir, "config.yaml")
	config := fmt.Sprintf("%s: %q\n%s: 1 s\n%s: 60 s\n%s: %d\n", operatorconfig.KeyRestURLTemplate,
		runtime.RestURLTemplate(), operatorconfig.KeyProgressCheckInterval, operatorconfig.KeyReconcileInterval,
		manager.KeyReconcileParallelism, parallelism)
	if err := os.WriteFile(configPath, []byte(config), 0o600); err != nil {
		return 0, 0, err
	}
	operator := exec.Command(binary, "--config", configPath, "--webhooks=false", "--leader-elect=false",
		"--metrics-bind-address=0", "--health-probe-bind-address=0", "--json-logs")
	operator.Env = append(os.Environ(), "KUBECONFIG="+kubeconfig, "POD_NAMESPACE=default")
	logs, err := os.Create(filepath.Join(dir, "operator.log"))
	if err != nil {
		return 0, 0, err
	}
	defer logs.Close()
	operator.Stdout, operator.Stderr = logs, logs
	if err := operator.Start(); err != nil {
		return 0, 0, err
	}
	defer func() {
		_ = operator.Process.Signal(os.Interrupt)
		_ = operator.Wait()
	}()
	if err := env.Client.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: namespace}}); err != nil {
		return 0, 0, err
	}
	var objects []client.Object
	for i := range hungDeployments {
		objects = append(objects, builders.NewFlinkDeployment(fmt.Sprintf("fd-%03d", i), builders.InNamespace(namespace),
			builders.WithParallelism(1)))
	}
	started := time.Now()
	if err := createAll(ctx, env.Client, objects); err != nil {
		return 0, 0, err
	}
	for {
		ready, err := countReadyBesideHung(ctx, env.Client)
		if err != nil {
			return 0, 0, err
		}
		if ready == hungDeployments-1 || time.Since(started) > hungLimit {
			return time.Since(started), ready, nil
		}
		time.Sleep(500 * time.Millisecond) // polling the benchmark's own progress, not waiting in a test
	}
}

// countReadyBesideHung counts the FlinkDeployments other than the hung one whose latest generation is Ready.
func countReadyBesideHung(ctx context.Context, c client.Client) (int, error) {
	fds := &flinkv1beta1.FlinkDeploymentList{}
	if err := c.List(ctx, fds, client.InNamespace(namespace)); err != nil {
		return 0, err
	}
	ready := 0
	for _, fd := range fds.Items {
		if fd.Name != hungName && strings.HasPrefix(fd.Name, "fd-") && fd.Status.ObservedGeneration == fd.Generation &&
			meta.IsStatusConditionTrue(fd.Status.Conditions, flinkv1beta1.ConditionReady) {
			ready++
		}
	}
	return ready, nil
}
