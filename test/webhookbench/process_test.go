package webhookbench

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"

	"github.com/teal-flink/teal/test/sim/flinkdist"
	"github.com/teal-flink/teal/test/testenv"
)

// webhookProcess is the operator binary serving the admission webhooks alone (--controllers=false), as a
// webhook-only replica would run: its own process, so that what it measures of itself is its own work.
type webhookProcess struct {
	cmd        *exec.Cmd
	metricsURL string
	readyURL   string
	logs       *os.File
	exited     chan struct{} // closed when the process has exited
}

// startWebhookProcess builds the operator as `make build` does and starts it where envtest pointed the webhook
// configurations, with metrics and probes on loopback ports. TEAL_WEBHOOKBENCH_PPROF (an address such as
// 127.0.0.1:6060) serves its pprof profiles during the run; GOGC, GOMAXPROCS and GODEBUG pass through.
// TEAL_WEBHOOKBENCH_CPUS (a CPU list such as 1) runs the process on those CPUs only (taskset), as a webhook pod
// on a node of its own would; run the benchmark itself with `taskset -c 0` to keep the API server, etcd and the
// load generator on the others.
func startWebhookProcess(env *testenv.Env, dir string) (*webhookProcess, error) {
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
	ports, err := flinkdist.FreePorts(2)
	if err != nil {
		return nil, err
	}
	metricsAddr, probeAddr := fmt.Sprintf("127.0.0.1:%d", ports[0]), fmt.Sprintf("127.0.0.1:%d", ports[1])
	pprofAddr := os.Getenv("TEAL_WEBHOOKBENCH_PPROF")
	if pprofAddr == "" {
		pprofAddr = "0"
	}
	args := []string{binary, "--controllers=false", "--webhooks=true", "--leader-elect=false", "--json-logs",
		"--webhook-cert-mode=dir", "--webhook-cert-dir=" + env.Webhook.LocalServingCertDir,
		"--webhook-port=" + strconv.Itoa(env.Webhook.LocalServingPort),
		"--metrics-bind-address=" + metricsAddr, "--health-probe-bind-address=" + probeAddr, "--pprof-bind-address=" + pprofAddr}
	if cpus := os.Getenv("TEAL_WEBHOOKBENCH_CPUS"); cpus != "" {
		args = append([]string{"taskset", "-c", cpus}, args...)
	}
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Env = append(os.Environ(), "KUBECONFIG="+kubeconfig, "POD_NAMESPACE=default")
	logs, err := os.Create(filepath.Join(dir, "webhooks.log"))
	if err != nil {
		return nil, err
	}
	cmd.Stdout, cmd.Stderr = logs, logs
	if err := cmd.Start(); err != nil {
		logs.Close()
		return nil, fmt.Errorf("starting the webhook process: %w", err)
	}
	process := &webhookProcess{cmd: cmd, logs: logs, exited: make(chan struct{}),
		metricsURL: "http://" + metricsAddr + "/metrics", readyURL: "http://" + probeAddr + "/readyz"}
	go func() {
		_ = cmd.Wait()
		close(process.exited)
	}()
	if err := process.waitReady(time.Minute); err != nil {
		return nil, fmt.Errorf("%w (logs in %s)", errors.Join(err, process.stop()), logs.Name())
	}
	return process, nil
}

// waitReady waits until the process reports ready: its webhook server accepts connections.
func (p *webhookProcess) waitReady(timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		response, err := http.Get(p.readyURL)
		if err == nil {
			response.Body.Close()
			if response.StatusCode == http.StatusOK {
				return nil
			}
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("the webhook process was not ready within %s (last: %v)", timeout, err)
		}
		select {
		case <-p.exited:
			return fmt.Errorf("the webhook process exited before it was ready")
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// stop interrupts the process (as SIGTERM would) and kills it if it has not exited within 30 s.
func (p *webhookProcess) stop() error {
	defer p.logs.Close()
	return testenv.StopProcess(p.cmd, p.exited, 30*time.Second)
}

// metrics scrapes the process's metrics in Prometheus' protobuf format, the one that carries native
// histograms (controller-runtime's webhook latency histogram has ~10% wide native buckets; its classic
// buckets are a decade wide).
func (p *webhookProcess) metrics(ctx context.Context) (map[string]*dto.MetricFamily, error) {
	request, err := http.NewRequestWithContext(ctx, http.MethodGet, p.metricsURL, nil)
	if err != nil {
		return nil, err
	}
	request.Header.Set("Accept", string(expfmt.NewFormat(expfmt.TypeProtoDelim)))
	response, err := http.DefaultClient.Do(request)
	if err != nil {
		return nil, err
	}
	defer response.Body.Close()
	if response.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: %s", p.metricsURL, response.Status)
	}
	decoder := expfmt.NewDecoder(response.Body, expfmt.ResponseFormat(response.Header))
	families := map[string]*dto.MetricFamily{}
	for {
		family := &dto.MetricFamily{}
		if err := decoder.Decode(family); err != nil {
			if errors.Is(err, io.EOF) {
				return families, nil
			}
			return nil, fmt.Errorf("decoding %s: %w", p.metricsURL, err)
		}
		families[family.GetName()] = family
	}
}

// cpuSeconds is the process's user + system CPU time, from /proc/<pid>/stat.
func (p *webhookProcess) cpuSeconds() (float64, error) {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", p.cmd.Process.Pid))
	if err != nil {
		return 0, err
	}
	text := string(raw)
	fields := strings.Fields(text[strings.LastIndexByte(text, ')')+2:])
	// After the command: state(0) ... utime(11) stime(12), in clock ticks (100 per second on Linux).
	utime, err1 := strconv.ParseFloat(fields[11], 64)
	stime, err2 := strconv.ParseFloat(fields[12], 64)
	if err1 != nil || err2 != nil {
		return 0, fmt.Errorf("reading CPU times from /proc/%d/stat", p.cmd.Process.Pid)
	}
	return (utime + stime) / 100, nil
}

// runQueueWait is how long the process's threads have waited, runnable, for a CPU (the second field of
// /proc/<pid>/task/<tid>/schedstat, in ns), summed over its threads: time the kernel gave to other processes
// while the webhook had work to do.
func (p *webhookProcess) runQueueWait() (time.Duration, error) {
	tasks, err := os.ReadDir(fmt.Sprintf("/proc/%d/task", p.cmd.Process.Pid))
	if err != nil {
		return 0, err
	}
	var total time.Duration
	for _, task := range tasks {
		raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/task/%s/schedstat", p.cmd.Process.Pid, task.Name()))
		if err != nil {
			continue // the thread has exited
		}
		fields := strings.Fields(string(raw))
		if len(fields) < 2 {
			return 0, fmt.Errorf("unexpected schedstat %q", raw)
		}
		wait, err := strconv.ParseInt(fields[1], 10, 64)
		if err != nil {
			return 0, err
		}
		total += time.Duration(wait)
	}
	return total, nil
}

// loadAverage is the machine's one-minute load average.
func loadAverage() string {
	raw, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	return strings.Fields(string(raw))[0]
}
