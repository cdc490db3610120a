package e2e

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	. "github.com/onsi/gomega"
	"sigs.k8s.io/cli-utils/pkg/kstatus/status"
	"sigs.k8s.io/controller-runtime/pkg/client"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
	"github.com/teal-flink/teal/test/sim/flinkdist"
	"github.com/teal-flink/teal/test/sim/localruntime"
	"github.com/teal-flink/teal/test/stack"
	"github.com/teal-flink/teal/test/testenv"
)

var (
	stk     *stack.Stack
	env     *testenv.Env
	runtime *localruntime.Runtime
	// outputDir keeps the operator's and Flink's logs; it is removed when every test passed.
	outputDir string
)

const (
	// Real JVMs on two busy cores: a cluster start takes up to a minute, a savepoint a few seconds.
	timeout  = 4 * time.Minute
	interval = time.Second
)

// flinkVersions are the release lines every scenario runs on.
var flinkVersions = []struct {
	name    string
	version flinkv1beta1.FlinkVersion
	image   string
}{
	{"flink-1.20", flinkv1beta1.FlinkVersionV1_20, "flink:" + flinkdist.Flink1},
	{"flink-2.3", flinkv1beta1.FlinkVersionV2_3, "flink:" + flinkdist.Flink2},
}

func TestMain(m *testing.M) {
	code, err := run(m)
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		os.Exit(1)
	}
	os.Exit(code)
}

func run(m *testing.M) (int, error) {
	// Fail loudly, never skip, when Flink is missing.
	for _, version := range []string{flinkdist.Flink1, flinkdist.Flink2} {
		if _, err := flinkdist.Locate(version); err != nil {
			return 0, err
		}
	}
	var err error
	root := testenv.RepoRoot()
	outputDir = filepath.Join(root, "test", "e2e", "_output", time.Now().Format("20060102-150405"))
	if err := os.MkdirAll(outputDir, 0o755); err != nil {
		return 0, err
	}
	// The gate jar the operator image carries, which the ADVANCED children's init container (`teal
	// copy-gate-jar`, run by the local runtime) copies into their pods: one jar for both lines, as the image
	// carries one (the 1.20 build).
	if err := os.Setenv(localruntime.GateJarEnv, gateDistJar("flink1", "teal-bluegreen-gate.jar")); err != nil {
		return 0, err
	}
	// The gate's test jobs (exactlyonce_test.go), one jar per Flink line, as `make gate-dist` builds them.
	jars := map[string]string{}
	for _, line := range []string{"flink1", "flink2"} {
		jars[testJobsJarName(line)] = gateDistJar(line, "teal-bluegreen-testjobs.jar")
	}
	stk, err = stack.Start(stack.Options{Name: "e2e", Webhooks: true, NoOperator: true,
		Backend: &localruntime.FlinkBackend{Dir: filepath.Join(outputDir, "flink"), Jars: jars}})
	if err != nil {
		return 0, err
	}
	defer stk.Stop()
	env, runtime = stk.Env, stk.Runtime

	if operator, err = startOperatorBinary(root); err != nil {
		return 0, err
	}
	code := m.Run()
	if err := operator.stop(); err != nil {
		fmt.Fprintln(os.Stderr, "e2e: stopping the operator:", err)
	}
	if code == 0 {
		_ = os.RemoveAll(outputDir)
	} else {
		fmt.Fprintf(os.Stderr, "e2e: logs of the operator and of every Flink process are in %s\n", outputDir)
	}
	return code, nil
}

// startOperatorBinary builds the operator as `make build` does and runs it against the test control plane.
func startOperatorBinary(root string) (*operatorProcess, error) {
	operatorBinary = filepath.Join(outputDir, "teal")
	build := exec.Command("go", "build", "-trimpath", "-o", operatorBinary, ".")
	build.Dir, build.Env = root, append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("building the operator: %v\n%s", err, out)
	}
	kubeconfig, err := env.Kubeconfig(outputDir)
	if err != nil {
		return nil, err
	}
	operatorConfig = filepath.Join(outputDir, "operator-config.yaml")
	content := fmt.Sprintf("kubernetes.operator.rest.url-template: %q\n"+
		"kubernetes.operator.observer.progress-check.interval: 1 s\n"+
		"kubernetes.operator.reconcile.interval: 5 s\n"+
		"kubernetes.operator.flink.client.timeout: 30 s\n"+
		// Session jobs download their jar from a loopback HTTP server in these tests.
		"kubernetes.operator.user.artifacts.allowed-schemes: http,https\n"+
		"kubernetes.operator.user.artifacts.disallow-restricted-hosts: false\n"+
		// As the chart does: ADVANCED blue/green children get the gate from the operator image.
		"kubernetes.operator.bluegreen.advanced.gate.image: teal:e2e\n", runtime.RestURLTemplate())
	if err := os.WriteFile(operatorConfig, []byte(content), 0o644); err != nil {
		return nil, err
	}
	operatorEnv = append(os.Environ(), "KUBECONFIG="+kubeconfig, "POD_NAMESPACE=default")
	return startOperatorProcess("operator.log")
}

var (
	// operator is the suite's operator process; a test that stops it starts another before it ends.
	operator *operatorProcess
	// operatorBinary, operatorConfig and operatorEnv start it (startOperatorBinary sets them).
	operatorBinary, operatorConfig string
	operatorEnv                    []string
)

// operatorProcess is a running operator binary.
type operatorProcess struct {
	cmd *exec.Cmd
	// logPath has the process's stdout and stderr.
	logPath string
	// exited is closed when the process has exited; err is what Wait returned.
	exited chan struct{}
	err    error
}

// startOperatorProcess starts the operator binary with the suite's configuration, logging to logName in the
// output directory (appended), with extraEnv added to its environment (e.g. TEAL_CRASH_AT).
func startOperatorProcess(logName string, extraEnv ...string) (*operatorProcess, error) {
	logPath := filepath.Join(outputDir, logName)
	logFile, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(operatorBinary, "--config", operatorConfig, "--metrics-bind-address", "0", "--health-probe-bind-address", "0",
		"--webhook-port", fmt.Sprint(env.Webhook.LocalServingPort), "--webhook-cert-dir", env.Webhook.LocalServingCertDir)
	cmd.Env = append(append([]string{}, operatorEnv...), extraEnv...)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		logFile.Close()
		return nil, fmt.Errorf("starting the operator: %w", err)
	}
	process := &operatorProcess{cmd: cmd, logPath: logPath, exited: make(chan struct{})}
	go func() {
		process.err = cmd.Wait()
		logFile.Close()
		close(process.exited)
	}()
	return process, nil
}

// stop interrupts the process (a graceful shutdown) and kills it after 30 s.
func (p *operatorProcess) stop() error { return testenv.StopProcess(p.cmd, p.exited, 30*time.Second) }

func newNamespace(g Gomega) string { return stk.NewNamespace(g, "e2e") }

// stateDirs are a scenario's checkpoint and savepoint directories, under the test's output directory, written
// with the keys of the Flink line (2.x renamed them).
func stateDirs(namespace string, version flinkv1beta1.FlinkVersion) []string {
	dir := filepath.Join(outputDir, "state", namespace)
	if version.IsEqualOrNewer(flinkv1beta1.FlinkVersionV2_0) {
		return []string{"execution.checkpointing.dir", "file://" + dir + "/checkpoints",
			"execution.checkpointing.savepoint-dir", "file://" + dir + "/savepoints", "state.savepoints.dir", "file://" + dir + "/savepoints"}
	}
	return []string{"state.checkpoints.dir", "file://" + dir + "/checkpoints", "state.savepoints.dir", "file://" + dir + "/savepoints"}
}

func kstatus(g Gomega, obj client.Object) status.Status { return stack.KStatus(g, obj) }
