package bluegreen_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/rand"
	"sigs.k8s.io/cli-utils/pkg/kstatus/status"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
	"github.com/teal-flink/teal/controllers/bluegreen"
	"github.com/teal-flink/teal/controllers/flinkdeployment"
	"github.com/teal-flink/teal/internal/flinkstandin"
	"github.com/teal-flink/teal/internal/manager"
	"github.com/teal-flink/teal/internal/operatorconfig"
	"github.com/teal-flink/teal/test/builders"
	"github.com/teal-flink/teal/test/localruntime"
	"github.com/teal-flink/teal/test/testenv"
)

var (
	env      *testenv.Env
	runtime  *localruntime.Runtime
	stateDir string
	operator *testenv.Manager
)

const (
	timeout  = 30 * time.Second
	interval = 50 * time.Millisecond
	// brokenImage makes the stand-in's job fail on start (see the backend's Customize).
	brokenImage = "flink:broken"
	// slowImage makes the stand-in's job take 3 s to start running.
	slowImage = "flink:slow"
	// restartingImage gives the stand-in's job a restart strategy, so an injected failure is a blip.
	restartingImage = "flink:restarting"
)

func TestMain(m *testing.M) {
	code, err := run(m)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	os.Exit(code)
}

func run(m *testing.M) (int, error) {
	var err error
	if env, err = testenv.Start(testenv.Options{}); err != nil {
		return 0, err
	}
	defer env.Stop()
	if stateDir, err = os.MkdirTemp("", "teal-bluegreen-"); err != nil {
		return 0, err
	}
	defer os.RemoveAll(stateDir)
	backend := &localruntime.StandinBackend{
		Options: flinkstandin.Options{Instant: true},
		JarDir:  stateDir,
		Customize: func(spec localruntime.ClusterSpec, opts *flinkstandin.Options) {
			switch spec.Config["kubernetes.container.image.ref"] {
			case brokenImage:
				opts.Faults.FailOnStart = true
			case slowImage:
				opts.Instant, opts.StartDelay = false, 3*time.Second
			case restartingImage:
				opts.RestartAttempts = 100
			}
		},
	}
	if runtime, err = localruntime.New(backend); err != nil {
		return 0, err
	}
	defer runtime.Close()
	runtimeManager, err := env.NewManager(false)
	if err != nil {
		return 0, err
	}
	if err := runtime.SetupWithManager(runtimeManager); err != nil {
		return 0, err
	}
	runtimeProcess := testenv.StartManager(runtimeManager)
	defer runtimeProcess.Stop()
	if operator, err = startOperator(); err != nil {
		return 0, err
	}
	defer func() { _ = operator.Stop() }()
	return m.Run(), nil
}

// operatorConfig is the configuration of every operator in this suite: the runtime's router as the REST
// address and short intervals.
func operatorConfig() *operatorconfig.Config {
	return operatorconfig.New(map[string]string{
		operatorconfig.KeyRestURLTemplate:       runtime.RestURLTemplate(),
		operatorconfig.KeyProgressCheckInterval: "100 ms",
		operatorconfig.KeyReconcileInterval:     "2 s",
	})
}

// startOperator starts a fresh operator process built by manager.Setup, as main.go builds it.
func startOperator() (*testenv.Manager, error) {
	mgr, err := env.NewManager(false)
	if err != nil {
		return nil, err
	}
	config := operatorConfig()
	if err := manager.Setup(mgr, manager.Options{Controllers: true, OperatorConfig: func() *operatorconfig.Config { return config }}); err != nil {
		return nil, err
	}
	return testenv.StartManager(mgr), nil
}

// startInstrumentedOperator starts an operator whose blue/green reconciler is customised (hooks, poll-only):
// the same two controllers manager.Setup registers, assembled by hand.
func startInstrumentedOperator(customize func(*bluegreen.Reconciler)) (*testenv.Manager, error) {
	mgr, err := env.NewManager(false)
	if err != nil {
		return nil, err
	}
	config := operatorConfig()
	configFunc := func() *operatorconfig.Config { return config }
	deployments := &flinkdeployment.Reconciler{
		Client: mgr.GetClient(), Scheme: mgr.GetScheme(), Recorder: mgr.GetEventRecorder("flinkdeployment-controller"),
		OperatorConfig: configFunc, Flink: flinkdeployment.NewFlinkAPIFactory(nil),
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

var _ = ctrl.Log

func newNamespace(g Gomega) string {
	name := "bg-" + rand.String(6)
	g.Expect(env.Client.Create(context.Background(), &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name}})).To(Succeed())
	return name
}

// stateConfig returns the savepoint and checkpoint directories of a namespace as Flink options.
func stateConfig(namespace string) []string {
	dir := filepath.Join(stateDir, namespace)
	return []string{"state.savepoints.dir", "file://" + dir + "/savepoints", "state.checkpoints.dir", "file://" + dir + "/checkpoints"}
}

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

func kstatus(g Gomega, obj client.Object) status.Status {
	result, err := testenv.KStatus(obj)
	g.Expect(err).NotTo(HaveOccurred())
	return result
}

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
	cluster := runtime.Cluster(namespace, name)
	g.Expect(cluster).NotTo(BeNil(), "no JobManager runs for %s", name)
	server := localruntime.Server(cluster)
	ids := server.JobIDs()
	g.Expect(ids).NotTo(BeEmpty())
	return server, ids[len(ids)-1]
}
