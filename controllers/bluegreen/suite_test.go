package bluegreen_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	. "github.com/onsi/gomega"
	"sigs.k8s.io/cli-utils/pkg/kstatus/status"
	"sigs.k8s.io/controller-runtime/pkg/client"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
	"github.com/teal-flink/teal/controllers/bluegreen"
	"github.com/teal-flink/teal/controllers/flinkdeployment"
	"github.com/teal-flink/teal/internal/flinkapi"
	"github.com/teal-flink/teal/internal/operatorconfig"
	"github.com/teal-flink/teal/test/builders"
	"github.com/teal-flink/teal/test/crash"
	"github.com/teal-flink/teal/test/sim/flinkstandin"
	"github.com/teal-flink/teal/test/sim/localruntime"
	"github.com/teal-flink/teal/test/stack"
	"github.com/teal-flink/teal/test/testenv"
)

var (
	stk     *stack.Stack
	env     *testenv.Env
	runtime *localruntime.Runtime
)

const (
	// gateJarContent stands for the gate jar the operator image carries (the local runtime copies it).
	gateJarContent = "PK teal-bluegreen-gate"
	timeout        = stack.Timeout
	interval       = stack.Interval
	// brokenImage makes the stand-in's job fail on start.
	brokenImage = "flink:broken"
	// slowImage makes the stand-in's job take 3 s to start running.
	slowImage = "flink:slow"
	// restartingImage gives the stand-in's job a restart strategy, so an injected failure is a blip.
	restartingImage = "flink:restarting"
)

func TestMain(m *testing.M) {
	stack.Main(m, stack.Options{Name: "bluegreen", Images: map[string]func(*flinkstandin.Options){
		brokenImage:     func(o *flinkstandin.Options) { o.Faults.FailOnStart = true },
		slowImage:       func(o *flinkstandin.Options) { o.Instant, o.StartDelay = false, 3*time.Second },
		restartingImage: func(o *flinkstandin.Options) { o.RestartAttempts = 100 },
	}, OperatorConfig: map[string]string{
		// ADVANCED children get the gate's init container, which the local runtime runs (gateJarContent).
		operatorconfig.KeyBlueGreenGateImage: "ghcr.io/teal-flink/teal:test",
	}}, func(s *stack.Stack) error {
		stk, env, runtime = s, s.Env, s.Runtime
		jar := filepath.Join(s.StateDir, "teal-bluegreen-gate.jar")
		if err := os.WriteFile(jar, []byte(gateJarContent), 0o644); err != nil {
			return err
		}
		return os.Setenv(localruntime.GateJarEnv, jar)
	})
}

// startOperator starts a fresh operator process built by manager.Setup, as main.go builds it.
func startOperator() (*testenv.Manager, error) { return stk.StartOperator() }

// startInstrumentedOperator starts an operator whose blue/green reconciler is customised (hooks):
// the same two controllers manager.Setup registers, assembled by hand.
func startInstrumentedOperator(customize func(*bluegreen.Reconciler)) (*testenv.Manager, error) {
	mgr, err := env.NewManager(false)
	if err != nil {
		return nil, err
	}
	config := stk.OperatorConfig()
	configFunc := func() *operatorconfig.Config { return config }
	deployments := &flinkdeployment.Reconciler{
		Client: mgr.GetClient(), Scheme: mgr.GetScheme(), Recorder: mgr.GetEventRecorder("flinkdeployment-controller"),
		OperatorConfig: configFunc, Flink: flinkapi.NewFactory(nil),
	}
	if err := deployments.SetupWithManager(mgr); err != nil {
		return nil, err
	}
	blueGreen := &bluegreen.Reconciler{
		Client: mgr.GetClient(), Scheme: mgr.GetScheme(), Recorder: mgr.GetEventRecorder("flinkbluegreendeployment-controller"),
		OperatorConfig: configFunc,
	}
	customize(blueGreen)
	if err := blueGreen.SetupWithManager(mgr); err != nil {
		return nil, err
	}
	return testenv.StartManager(mgr), nil
}

func newNamespace(g Gomega) string          { return stk.NewNamespace(g, "bg") }
func stateConfig(namespace string) []string { return stk.StateConfig(namespace) }

// newBlueGreen creates a blue/green deployment in a fresh namespace with a short grace period.
func newBlueGreen(g Gomega, name string, template []builders.DeploymentOption, options ...builders.BlueGreenOption) *flinkv1beta1.FlinkBlueGreenDeployment {
	namespace := newNamespace(g)
	template = append([]builders.DeploymentOption{builders.InNamespace(namespace), builders.WithConfig(stateConfig(namespace)...)}, template...)
	options = append([]builders.BlueGreenOption{builders.WithBlueGreenConfig(
		"kubernetes.operator.bluegreen.abort.grace-period", "1 min",
		"kubernetes.operator.bluegreen.reconciliation.reschedule-interval", "1 s",
	)}, options...)
	bg := builders.NewFlinkBlueGreenDeployment(name, template, options...)
	g.Expect(env.Client.Create(context.Background(), bg)).To(Succeed())
	return bg
}

func get(g Gomega, bg *flinkv1beta1.FlinkBlueGreenDeployment) *flinkv1beta1.FlinkBlueGreenDeployment {
	current := &flinkv1beta1.FlinkBlueGreenDeployment{}
	g.Expect(env.Client.Get(context.Background(), client.ObjectKeyFromObject(bg), current)).To(Succeed())
	return current
}

func update(g Gomega, bg *flinkv1beta1.FlinkBlueGreenDeployment, change func(*flinkv1beta1.FlinkBlueGreenDeployment)) {
	g.Eventually(func() error {
		current := get(g, bg)
		change(current)
		return env.Client.Update(context.Background(), current)
	}, timeout, interval).Should(Succeed())
}

func kstatus(g Gomega, obj client.Object) status.Status { return stack.KStatus(g, obj) }

// eventuallyIn waits until the deployment's latest generation reached state with the given kstatus.
func eventuallyIn(g Gomega, bg *flinkv1beta1.FlinkBlueGreenDeployment, state flinkv1beta1.FlinkBlueGreenDeploymentState, want status.Status) *flinkv1beta1.FlinkBlueGreenDeployment {
	var current *flinkv1beta1.FlinkBlueGreenDeployment
	g.Eventually(func(g Gomega) {
		current = get(g, bg)
		g.Expect(current.Status.BlueGreenState).To(Equal(state), "status: %+v", current.Status)
		g.Expect(current.Status.ObservedGeneration).To(Equal(current.Generation))
		g.Expect(kstatus(g, current)).To(Equal(want), "conditions: %+v", current.Status.Conditions)
	}, timeout, interval).Should(Succeed())
	return current
}

// children lists the children that exist and are not being deleted.
func children(g Gomega, bg *flinkv1beta1.FlinkBlueGreenDeployment) map[string]*flinkv1beta1.FlinkDeployment {
	list := &flinkv1beta1.FlinkDeploymentList{}
	g.Expect(env.Client.List(context.Background(), list, client.InNamespace(bg.Namespace))).To(Succeed())
	found := map[string]*flinkv1beta1.FlinkDeployment{}
	for i := range list.Items {
		if list.Items[i].DeletionTimestamp.IsZero() {
			found[list.Items[i].Name] = &list.Items[i]
		}
	}
	return found
}

func child(g Gomega, bg *flinkv1beta1.FlinkBlueGreenDeployment, color string) *flinkv1beta1.FlinkDeployment {
	fd := &flinkv1beta1.FlinkDeployment{}
	g.Expect(env.Client.Get(context.Background(), client.ObjectKey{Namespace: bg.Namespace, Name: bg.Name + "-" + color}, fd)).To(Succeed())
	return fd
}

// job returns the stand-in of a child's JobManager and its latest job's id.
func job(g Gomega, namespace, name string) (*flinkstandin.Server, string) {
	server := stk.Standin(g, namespace, name)
	ids := server.JobIDs()
	g.Expect(ids).NotTo(BeEmpty())
	return server, ids[len(ids)-1]
}

// killAt kills an operator at the first step named step of a blue/green deployment in bg's namespace
// (test/crash), act setting things going, and returns the fresh operator started afterwards (the caller stops it).
func killAt(g Gomega, bg *flinkv1beta1.FlinkBlueGreenDeployment, step string, act func()) *testenv.Manager {
	return crash.Kill(g, timeout, func(hang func(ctx context.Context)) (*testenv.Manager, error) {
		return startInstrumentedOperator(func(r *bluegreen.Reconciler) {
			r.OnStep = func(ctx context.Context, b *flinkv1beta1.FlinkBlueGreenDeployment, at string) {
				if b.Namespace == bg.Namespace && at == step {
					hang(ctx)
				}
			}
		})
	}, startOperator, act)
}
