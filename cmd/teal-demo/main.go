// Command teal-demo is `make demo`: Teal's blue/green upgrade on an embedded control plane. It starts
// kube-apiserver and etcd from bin/, installs the CRDs and the admission webhooks with built-in certificates,
// runs the operator and the local runtime (Flink stand-ins instead of JobManager pods) in this process, applies
// config/samples/flinkbluegreendeployment.yaml with the real kubectl, changes its image and shows the transition
// live, then applies an invalid spec and shows the webhook's rejection as kubectl prints it. It exits 0 only if
// every step happened, and stops everything it started.
package main

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/cli-utils/pkg/kstatus/status"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"
	"sigs.k8s.io/controller-runtime/pkg/webhook"
	"sigs.k8s.io/yaml"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
	"github.com/teal-flink/teal/internal/certs"
	"github.com/teal-flink/teal/internal/manager"
	"github.com/teal-flink/teal/internal/operatorconfig"
	"github.com/teal-flink/teal/test/sim/flinkstandin"
	"github.com/teal-flink/teal/test/sim/localruntime"
	"github.com/teal-flink/teal/test/testenv"
)

const (
	// deadline bounds the whole demo; CI runs it under three minutes.
	deadline        = 150 * time.Second
	operatorNS      = "teal-system"
	sampleNamespace = "default"
	newImage        = "flink:1.20.3"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	ctx, cancel := context.WithTimeout(ctx, deadline)
	d := &demo{start: time.Now()}
	err := d.run(ctx)
	cancel()
	stop()
	if err == nil {
		err = noChildren()
	}
	d.summary(err)
	if err != nil {
		os.Exit(1)
	}
}

// demo carries what the steps share.
type demo struct {
	start time.Time
	env   *testenv.Env
	// kubeconfig is for the real kubectl.
	kubeconfig string
	// stateDir holds the stand-ins' savepoints and checkpoints.
	stateDir string
	// phases are the blue/green states seen, with how long each lasted.
	phases []phase
	// checks are what happened, for the summary.
	checks []string
}

type phase struct {
	step, state string
	took        time.Duration
}

func (d *demo) logf(format string, args ...any) {
	fmt.Printf("[%6.1fs] %s\n", time.Since(d.start).Seconds(), fmt.Sprintf(format, args...))
}

func (d *demo) check(format string, args ...any) {
	d.checks = append(d.checks, fmt.Sprintf(format, args...))
}

func (d *demo) run(ctx context.Context) (err error) {
	fmt.Println("Teal demo: a zero-downtime blue/green upgrade on an embedded control plane")
	fmt.Println()
	// Everything started below is stopped in reverse order, whatever happens.
	var cleanups []func() error
	defer func() {
		for i := len(cleanups) - 1; i >= 0; i-- {
			err = errors.Join(err, cleanups[i]())
		}
	}()

	if d.env, err = testenv.Start(testenv.Options{}); err != nil {
		return err
	}
	cleanups = append(cleanups, d.env.Stop)
	d.logf("control plane up: kube-apiserver + etcd from %s, Teal's CRDs installed", testenv.AssetsDir())
	d.check("control plane started, 4 CRDs installed")
	if d.stateDir, err = os.MkdirTemp("", "teal-demo-"); err != nil {
		return err
	}
	cleanups = append(cleanups, func() error { return os.RemoveAll(d.stateDir) })
	if d.kubeconfig, err = d.env.Kubeconfig(d.stateDir); err != nil {
		return err
	}

	port, err := freePort()
	if err != nil {
		return err
	}
	certificates, err := d.installWebhooks(ctx, port)
	if err != nil {
		return err
	}

	runtime, runtimeManager, err := d.startRuntime()
	if err != nil {
		return err
	}
	cleanups = append(cleanups, func() error { runtime.Close(); return nil })
	cleanups = append(cleanups, runtimeManager.Stop)
	operator, err := d.startOperator(runtime, certificates, port)
	if err != nil {
		return err
	}
	cleanups = append(cleanups, operator.Stop)
	if err := d.waitForCertificates(ctx, certificates); err != nil {
		return err
	}
	d.logf("operator running: FlinkDeployment + FlinkBlueGreenDeployment controllers, webhooks on https://127.0.0.1:%d", port)
	d.logf("local runtime running: each JobManager Deployment gets a Flink stand-in with a REST API")

	bg, err := d.applySample(ctx)
	if err != nil {
		return err
	}
	if err := d.watch(ctx, bg, "first deployment", flinkv1beta1.BlueGreenActiveBlue); err != nil {
		return err
	}
	d.check("first deployment: ACTIVE_BLUE, Ready=True, kstatus Current")

	fmt.Println()
	if err := d.kubectl(ctx, "patch", "flinkbgdep", bg.Name, "--type=merge",
		"-p", fmt.Sprintf(`{"spec":{"template":{"spec":{"image":%q}}}}`, newImage)); err != nil {
		return err
	}
	if err := d.watch(ctx, bg, "image change", flinkv1beta1.BlueGreenActiveGreen); err != nil {
		return err
	}
	d.check("image change: blue → green through a savepoint, ACTIVE_GREEN, Ready=True, kstatus Current")
	if err := d.verifyGreen(ctx, bg, runtime); err != nil {
		return err
	}

	fmt.Println()
	return d.applyInvalid(ctx)
}

// installWebhooks installs the generated webhook configurations pointed at this process and starts nothing yet;
// the built-in certificates fill in their CA bundle once the operator runs.
func (d *demo) installWebhooks(ctx context.Context, port int) (*certs.Manager, error) {
	manifests, err := os.ReadFile(filepath.Join(d.env.Root, "config", "webhook", "manifests.yaml"))
	if err != nil {
		return nil, err
	}
	validating, mutating, err := manager.LocalWebhookConfigurations(manifests, "teal", "https://127.0.0.1:"+strconv.Itoa(port))
	if err != nil {
		return nil, err
	}
	for _, obj := range []client.Object{validating, mutating, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: operatorNS}}} {
		if err := d.env.Client.Create(ctx, obj); err != nil {
			return nil, fmt.Errorf("installing %s: %w", obj.GetName(), err)
		}
	}
	d.logf("webhooks installed: %s, %s (failurePolicy Fail, no CA bundle yet)", validating.Name, mutating.Name)
	return manager.BuiltinCertificates(d.env.Config, certs.Options{
		Namespace: operatorNS, SecretName: "teal-webhook-cert", ServiceName: "teal-webhook",
		IPAddresses:        []net.IP{net.ParseIP("127.0.0.1")},
		ValidatingWebhooks: []string{validating.Name}, MutatingWebhooks: []string{mutating.Name},
	})
}

func (d *demo) startRuntime() (*localruntime.Runtime, *testenv.Manager, error) {
	// Not instant: jobs take a moment to start and savepoints a moment to complete, so each phase shows.
	backend := &localruntime.StandinBackend{
		Options: flinkstandin.Options{StartDelay: 1500 * time.Millisecond, OperationDuration: time.Second},
		JarDir:  d.stateDir,
	}
	runtime, err := localruntime.New(backend)
	if err != nil {
		return nil, nil, err
	}
	mgr, err := d.env.NewManager(false)
	if err != nil {
		runtime.Close()
		return nil, nil, err
	}
	if err := runtime.SetupWithManager(mgr); err != nil {
		runtime.Close()
		return nil, nil, err
	}
	return runtime, testenv.StartManager(mgr), nil
}

// startOperator runs the operator as main.go assembles it: controllers and webhooks in one manager, the
// webhook server presenting the built-in certificate.
func (d *demo) startOperator(runtime *localruntime.Runtime, certificates *certs.Manager, port int) (*testenv.Manager, error) {
	mgr, err := ctrl.NewManager(d.env.Config, ctrl.Options{
		Scheme: d.env.Scheme, Metrics: metricsserver.Options{BindAddress: "0"}, HealthProbeBindAddress: "0",
		WebhookServer: webhook.NewServer(webhook.Options{
			Host: "127.0.0.1", Port: port, TLSOpts: []func(*tls.Config){certificates.TLSOption()},
		}),
	})
	if err != nil {
		return nil, err
	}
	if err := manager.AddCertificates(mgr, certificates); err != nil {
		return nil, err
	}
	config := operatorconfig.New(map[string]string{
		operatorconfig.KeyRestURLTemplate:       runtime.RestURLTemplate(),
		operatorconfig.KeyProgressCheckInterval: "250 ms",
		operatorconfig.KeyReconcileInterval:     "5 s",
	})
	if err := manager.Setup(mgr, manager.Options{
		Controllers: true, Webhooks: true, OperatorConfig: func() *operatorconfig.Config { return config },
	}); err != nil {
		return nil, err
	}
	return testenv.StartManager(mgr), nil
}

func (d *demo) waitForCertificates(ctx context.Context, certificates *certs.Manager) error {
	err := poll(ctx, 50*time.Millisecond, func() (bool, error) { return certificates.ReadyCheck(nil) == nil, nil })
	if err != nil {
		return fmt.Errorf("the built-in webhook certificates did not become ready: %w", err)
	}
	secret := &corev1.Secret{}
	if err := d.env.Client.Get(ctx, client.ObjectKey{Namespace: operatorNS, Name: "teal-webhook-cert"}, secret); err != nil {
		return err
	}
	d.logf("built-in certificates: CA and serving certificate in Secret %s/%s, CA bundle injected into both webhook configurations",
		operatorNS, secret.Name)
	d.check("built-in webhook certificates: Secret written, CA bundle injected")
	return nil
}

// applySample applies the blue/green sample with the real kubectl. The stand-ins write savepoints to local
// disk, so the sample's file:///flink-data directories are pointed at a temporary directory first.
func (d *demo) applySample(ctx context.Context) (*flinkv1beta1.FlinkBlueGreenDeployment, error) {
	samplePath := filepath.Join(d.env.Root, "config", "samples", "flinkbluegreendeployment.yaml")
	raw, err := os.ReadFile(samplePath)
	if err != nil {
		return nil, err
	}
	sample := strings.ReplaceAll(string(raw), "file:///flink-data", "file://"+d.stateDir)
	bg := &flinkv1beta1.FlinkBlueGreenDeployment{}
	if err := yaml.Unmarshal([]byte(sample), bg); err != nil {
		return nil, err
	}
	bg.Namespace = sampleNamespace
	path := filepath.Join(d.stateDir, "flinkbluegreendeployment.yaml")
	if err := os.WriteFile(path, []byte(sample), 0o600); err != nil {
		return nil, err
	}
	fmt.Println()
	fmt.Printf("config/samples/flinkbluegreendeployment.yaml, with state.*.dir under %s:\n", d.stateDir)
	if err := d.kubectl(ctx, "apply", "-f", path); err != nil {
		return nil, err
	}
	return bg, nil
}

// watch prints every change of the blue/green deployment until it is Ready in state want for its latest
// generation, and records how long each state lasted.
func (d *demo) watch(ctx context.Context, bg *flinkv1beta1.FlinkBlueGreenDeployment, step string, want flinkv1beta1.FlinkBlueGreenDeploymentState) error {
	fmt.Printf("  %-7s  %-22s  %-18s  %-14s  %-14s  %-10s  %s\n", "elapsed", "state", "active child", "Ready", "Reconciling", "kstatus", "message")
	started := time.Now()
	phaseStarted, lastState, lastLine := started, "", ""
	err := poll(ctx, 50*time.Millisecond, func() (bool, error) {
		current := &flinkv1beta1.FlinkBlueGreenDeployment{}
		if err := d.env.Client.Get(ctx, client.ObjectKeyFromObject(bg), current); err != nil {
			return false, client.IgnoreNotFound(err)
		}
		kstatus, err := testenv.KStatus(current)
		if err != nil {
			return false, err
		}
		state := orDash(string(current.Status.BlueGreenState))
		ready := meta.FindStatusCondition(current.Status.Conditions, flinkv1beta1.ConditionReady)
		reconciling := meta.FindStatusCondition(current.Status.Conditions, flinkv1beta1.ConditionReconciling)
		message := ""
		if reconciling != nil {
			message = reconciling.Message
		} else if ready != nil {
			message = ready.Message
		}
		line := fmt.Sprintf("%-22s  %-18s  %-14s  %-14s  %-10s  %s", state, orDash(current.Status.ActiveDeployment),
			conditionText(ready), conditionText(reconciling), kstatus, message)
		if line != lastLine {
			fmt.Printf("  %6.1fs  %s\n", time.Since(started).Seconds(), line)
			lastLine = line
		}
		if state != lastState {
			if lastState != "" {
				d.phases = append(d.phases, phase{step: step, state: lastState, took: time.Since(phaseStarted)})
			}
			phaseStarted, lastState = time.Now(), state
		}
		if stalled := meta.FindStatusCondition(current.Status.Conditions, flinkv1beta1.ConditionStalled); stalled != nil && stalled.Status == metav1.ConditionTrue {
			return false, fmt.Errorf("%s stalled: %s: %s", bg.Name, stalled.Reason, stalled.Message)
		}
		done := current.Status.BlueGreenState == want && kstatus == status.CurrentStatus &&
			current.Status.ObservedGeneration == current.Generation
		if done {
			d.phases = append(d.phases, phase{step: step, state: state + " (reached)", took: time.Since(started)})
		}
		return done, nil
	})
	if err != nil {
		return fmt.Errorf("%s: waiting for %s: %w", step, want, err)
	}
	return nil
}

// verifyGreen confirms the green child runs the new image, restored from the blue child's savepoint, and
// that the blue child is gone.
func (d *demo) verifyGreen(ctx context.Context, bg *flinkv1beta1.FlinkBlueGreenDeployment, runtime *localruntime.Runtime) error {
	current := &flinkv1beta1.FlinkBlueGreenDeployment{}
	if err := d.env.Client.Get(ctx, client.ObjectKeyFromObject(bg), current); err != nil {
		return err
	}
	green := &flinkv1beta1.FlinkDeployment{}
	if err := d.env.Client.Get(ctx, client.ObjectKey{Namespace: bg.Namespace, Name: current.Status.ActiveDeployment}, green); err != nil {
		return fmt.Errorf("reading the active child: %w", err)
	}
	if green.Spec.Image != newImage {
		return fmt.Errorf("the active child %s runs %s, not %s", green.Name, green.Spec.Image, newImage)
	}
	if runtime.Cluster(green.Namespace, green.Name) == nil {
		return fmt.Errorf("no JobManager runs for %s", green.Name)
	}
	err := poll(ctx, 50*time.Millisecond, func() (bool, error) {
		children := &flinkv1beta1.FlinkDeploymentList{}
		if err := d.env.Client.List(ctx, children, client.InNamespace(bg.Namespace)); err != nil {
			return false, err
		}
		return len(children.Items) == 1, nil
	})
	if err != nil {
		return fmt.Errorf("the blue child was not removed: %w", err)
	}
	restored := green.Spec.Job.InitialSavepointPath
	if restored == "" {
		restored = green.Status.JobStatus.UpgradeSavepointPath
	}
	d.logf("active child %s runs %s (started from savepoint %s); the blue child was removed", green.Name, green.Spec.Image, orDash(restored))
	d.check("green child runs %s; blue child removed", newImage)
	return nil
}

// applyInvalid applies a spec the webhook must reject and shows kubectl's output as a user would see it.
func (d *demo) applyInvalid(ctx context.Context) error {
	invalid := `apiVersion: flink.apache.org/v1beta1
kind: FlinkBlueGreenDeployment
metadata:
  name: broken-bg
  namespace: default
spec:
  configuration:
    kubernetes.operator.bluegreen.abort.grace-period: soon
  template:
    spec:
      image: flink:1.20
      flinkVersion: v1_20
      serviceAccount: flink
      jobManager:
        resources: {requests: {memory: 1Gi, cpu: "1"}}
      taskManager:
        resources: {requests: {memory: 1Gi, cpu: "1"}}
`
	path := filepath.Join(d.stateDir, "invalid.yaml")
	if err := os.WriteFile(path, []byte(invalid), 0o600); err != nil {
		return err
	}
	fmt.Println("An invalid spec (a grace period that is not a duration, no job):")
	fmt.Print(indent(invalid, "    "))
	output, err := d.kubectlOutput(ctx, "apply", "-f", path)
	fmt.Print(indent(output, "    "))
	if err == nil {
		return errors.New("kubectl accepted the invalid spec")
	}
	// The webhook answers with a field.ErrorList as an Invalid status, which kubectl prints field by field; the
	// messages are the validator's own, which the CRD schema could not have produced.
	for _, want := range []string{`"broken-bg" is invalid`, "must be a Flink duration", "spec.template.spec.job: Required value"} {
		if !strings.Contains(output, want) {
			return fmt.Errorf("kubectl failed without the webhook's rejection (%q missing): %s", want, output)
		}
	}
	d.check("invalid spec rejected by the validating webhook (kubectl exit status %d)", exitCode(err))
	return nil
}

func (d *demo) kubectl(ctx context.Context, args ...string) error {
	output, err := d.kubectlOutput(ctx, args...)
	fmt.Print(indent(output, "    "))
	return err
}

// kubectlOutput runs the real kubectl against the demo's control plane, echoing the command.
func (d *demo) kubectlOutput(ctx context.Context, args ...string) (string, error) {
	fmt.Printf("$ kubectl %s\n", strings.Join(quoteArgs(args), " "))
	command := exec.CommandContext(ctx, testenv.KubectlPath(), append([]string{"--kubeconfig", d.kubeconfig, "-n", sampleNamespace}, args...)...)
	output, err := command.CombinedOutput()
	return string(output), err
}

func (d *demo) summary(err error) {
	fmt.Println()
	fmt.Println("Summary")
	if len(d.phases) > 0 {
		fmt.Printf("  %-18s  %-32s  %s\n", "step", "blue/green state", "time")
		for _, p := range d.phases {
			fmt.Printf("  %-18s  %-32s  %5.1fs\n", p.step, p.state, p.took.Seconds())
		}
	}
	for _, c := range d.checks {
		fmt.Printf("  ok   %s\n", c)
	}
	if err != nil {
		fmt.Printf("  FAIL %v\n", err)
		fmt.Printf("make demo failed after %.1fs\n", time.Since(d.start).Seconds())
		return
	}
	fmt.Printf("make demo passed in %.1fs; every process it started has stopped.\n", time.Since(d.start).Seconds())
}

// poll calls condition every interval until it is done, fails, or ctx ends.
func poll(ctx context.Context, interval time.Duration, condition func() (bool, error)) error {
	ticker := time.NewTicker(interval)
	defer ticker.Stop()
	for {
		done, err := condition()
		if err != nil || done {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-ticker.C:
		}
	}
}

func conditionText(condition *metav1.Condition) string {
	if condition == nil {
		return "-"
	}
	return string(condition.Status) + "/" + condition.Reason
}

func orDash(value string) string {
	if value == "" {
		return "-"
	}
	return value
}

func indent(text, prefix string) string {
	if text == "" {
		return ""
	}
	lines := strings.Split(strings.TrimRight(text, "\n"), "\n")
	return prefix + strings.Join(lines, "\n"+prefix) + "\n"
}

func quoteArgs(args []string) []string {
	quoted := make([]string, len(args))
	for i, arg := range args {
		if strings.ContainsAny(arg, ` {}"`) {
			arg = "'" + arg + "'"
		}
		quoted[i] = arg
	}
	return quoted
}

func exitCode(err error) int {
	var exitErr *exec.ExitError
	if errors.As(err, &exitErr) {
		return exitErr.ExitCode()
	}
	return -1
}

func freePort() (int, error) {
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer listener.Close()
	return listener.Addr().(*net.TCPAddr).Port, nil
}

// noChildren fails when a process this demo started (kube-apiserver, etcd, kubectl) is still running.
func noChildren() error {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return nil // not Linux: nothing to check with
	}
	self := strconv.Itoa(os.Getpid())
	var left []string
	for _, entry := range entries {
		raw, err := os.ReadFile(filepath.Join("/proc", entry.Name(), "stat"))
		if err != nil {
			continue
		}
		// pid (comm) state ppid ...: comm may hold spaces, so split after its closing parenthesis.
		text := string(raw)
		closing := strings.LastIndexByte(text, ')')
		fields := strings.Fields(text[closing+1:])
		if len(fields) > 1 && fields[1] == self && fields[0] != "Z" {
			left = append(left, text[strings.IndexByte(text, '(')+1:closing])
		}
	}
	if len(left) > 0 {
		return fmt.Errorf("processes left running: %s", strings.Join(left, ", "))
	}
	return nil
}
