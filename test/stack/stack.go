// Package stack runs Teal in process for a test package: a test control plane (test/testenv), the local
// runtime playing the kubelet with stand-in JobManagers (test/sim/localruntime), and operator processes built by
// manager.Setup as main.go builds them. Every controller suite starts one from its TestMain with Main.
package stack

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/rand"
	"sigs.k8s.io/cli-utils/pkg/kstatus/status"
	"sigs.k8s.io/controller-runtime/pkg/client"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
	"github.com/teal-flink/teal/internal/manager"
	"github.com/teal-flink/teal/internal/operatorconfig"
	"github.com/teal-flink/teal/test/builders"
	"github.com/teal-flink/teal/test/sim/flinkstandin"
	"github.com/teal-flink/teal/test/sim/localruntime"
	"github.com/teal-flink/teal/test/testenv"
)

// Timeout and Interval bound the waits of the stack's helpers (stand-ins answer at once).
const (
	Timeout  = 30 * time.Second
	Interval = 50 * time.Millisecond
)

// Options shape a stack.
type Options struct {
	// Name names the temporary state directory (savepoints, checkpoints, jars).
	Name string
	// Webhooks installs Teal's admission webhooks; every operator serves them, as in a real installation.
	Webhooks bool
	// Images change the stand-in's options (faults, delays) of clusters running an image reference.
	Images map[string]func(*flinkstandin.Options)
	// Customize, when set, changes the stand-in's options of every cluster after Images.
	Customize func(localruntime.ClusterSpec, *flinkstandin.Options)
	// OperatorConfig adds to (or overrides) the operator configuration every operator runs with.
	OperatorConfig map[string]string
	// NoOperator leaves starting operators to the suite (it assembles its own, or runs the binary).
	NoOperator bool
	// Backend replaces the stand-in JobManagers (e2e tests run real Flink); Images and Customize then do not
	// apply.
	Backend localruntime.Backend
}

// Stack is a running in-process Teal.
type Stack struct {
	// Env is the test control plane.
	Env *testenv.Env
	// Runtime plays the kubelet: it runs a stand-in JobManager for every JobManager Deployment.
	Runtime *localruntime.Runtime
	// StateDir holds every namespace's savepoints and checkpoints.
	StateDir string
	// Operator is the operator process Main started (nil with NoOperator); tests may stop it and assign a new one.
	Operator *testenv.Manager

	opts    Options
	cleanup []func()
}

// Main is a test package's TestMain: it starts the stack, hands it to ready, runs the tests and stops it.
func Main(m *testing.M, opts Options, ready func(*Stack) error) {
	code, err := run(m, opts, ready)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	os.Exit(code)
}

func run(m *testing.M, opts Options, ready func(*Stack) error) (int, error) {
	s, err := Start(opts)
	if err != nil {
		return 0, err
	}
	defer s.Stop()
	if err := ready(s); err != nil {
		return 0, err
	}
	return m.Run(), nil
}

// Start starts the control plane, the runtime and, unless NoOperator, an operator.
func Start(opts Options) (s *Stack, err error) {
	s = &Stack{opts: opts}
	// A failed start returns a nil stack: what it started so far is stopped through this copy, and the error is
	// what the caller sees (not a nil-pointer panic that hides it).
	started := s
	defer func() {
		if err != nil {
			started.Stop()
		}
	}()
	testOptions := testenv.Options{}
	if opts.Webhooks {
		testOptions.WebhookManifests = []string{filepath.Join(testenv.RepoRoot(), "config", "webhook")}
	}
	if s.Env, err = testenv.Start(testOptions); err != nil {
		return nil, err
	}
	s.defer_(func() { _ = s.Env.Stop() })
	if s.StateDir, err = os.MkdirTemp("", "teal-"+opts.Name+"-"); err != nil {
		return nil, err
	}
	s.defer_(func() { _ = os.RemoveAll(s.StateDir) })
	backend := opts.Backend
	if backend == nil {
		backend = &localruntime.StandinBackend{Options: flinkstandin.Options{Instant: true}, JarDir: s.StateDir, Customize: s.customize}
	}
	if s.Runtime, err = localruntime.New(backend); err != nil {
		return nil, err
	}
	s.defer_(func() { _ = s.Runtime.Close() })
	runtimeManager, err := s.Env.NewManager(false)
	if err != nil {
		return nil, err
	}
	if err := s.Runtime.SetupWithManager(runtimeManager); err != nil {
		return nil, err
	}
	runtimeProcess := testenv.StartManager(runtimeManager)
	s.defer_(func() { _ = runtimeProcess.Stop() })
	if !opts.NoOperator {
		if s.Operator, err = s.StartOperator(); err != nil {
			return nil, err
		}
		s.defer_(func() { _ = s.Operator.Stop() })
	}
	return s, nil
}

// Stop stops everything Start started, in reverse order.
func (s *Stack) Stop() {
	for i := len(s.cleanup) - 1; i >= 0; i-- {
		s.cleanup[i]()
	}
	s.cleanup = nil
}

func (s *Stack) defer_(cleanup func()) { s.cleanup = append(s.cleanup, cleanup) }

// customize applies the image faults, then the suite's own changes, to one cluster's stand-in.
func (s *Stack) customize(spec localruntime.ClusterSpec, opts *flinkstandin.Options) {
	if change := s.opts.Images[spec.Config["kubernetes.container.image.ref"]]; change != nil {
		change(opts)
	}
	if s.opts.Customize != nil {
		s.opts.Customize(spec, opts)
	}
}

// OperatorConfig is the configuration every operator of the stack runs with: the runtime's router as the REST
// address, short intervals so tests finish quickly, and the suite's additions.
func (s *Stack) OperatorConfig() *operatorconfig.Config {
	values := map[string]string{
		operatorconfig.KeyRestURLTemplate:       s.Runtime.RestURLTemplate(),
		operatorconfig.KeyProgressCheckInterval: "100 ms",
		operatorconfig.KeyReconcileInterval:     "2 s",
	}
	for key, value := range s.opts.OperatorConfig {
		values[key] = value
	}
	return operatorconfig.New(values)
}

// StartOperator starts a fresh operator process; customize may change its manager options (step hooks).
func (s *Stack) StartOperator(customize ...func(*manager.Options)) (*testenv.Manager, error) {
	mgr, err := s.Env.NewManager(s.opts.Webhooks)
	if err != nil {
		return nil, err
	}
	config := s.OperatorConfig()
	options := manager.Options{Controllers: true, Webhooks: s.opts.Webhooks, OperatorConfig: func() *operatorconfig.Config { return config }}
	for _, change := range customize {
		change(&options)
	}
	if err := manager.Setup(mgr, options); err != nil {
		return nil, err
	}
	operator := testenv.StartManager(mgr)
	if s.opts.Webhooks {
		// The API server calls the webhooks of every create from now on: the first one must find them served.
		if err := operator.WaitForWebhookServer(time.Minute); err != nil {
			_ = operator.Stop()
			return nil, err
		}
	}
	return operator, nil
}

// NewNamespace creates a namespace named prefix-<random> for one test.
func (s *Stack) NewNamespace(g Gomega, prefix string) string {
	name := prefix + "-" + rand.String(6)
	g.Expect(s.Env.Client.Create(context.Background(), &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name}})).To(Succeed())
	return name
}

// StateConfig returns the savepoint and checkpoint directories of a namespace as Flink options.
func (s *Stack) StateConfig(namespace string) []string {
	dir := filepath.Join(s.StateDir, namespace)
	return []string{"state.savepoints.dir", "file://" + dir + "/savepoints", "state.checkpoints.dir", "file://" + dir + "/checkpoints"}
}

// NewDeployment creates a FlinkDeployment in a fresh namespace, with its state directories, and waits until
// its first generation is Ready (kstatus Current).
func (s *Stack) NewDeployment(g Gomega, name string, options ...builders.DeploymentOption) *flinkv1beta1.FlinkDeployment {
	namespace := s.NewNamespace(g, "ns")
	all := append([]builders.DeploymentOption{builders.InNamespace(namespace), builders.WithConfig(s.StateConfig(namespace)...)}, options...)
	deployment := builders.NewFlinkDeployment(name, all...)
	g.Expect(s.Env.Client.Create(context.Background(), deployment)).To(Succeed())
	g.Eventually(func(g Gomega) {
		current := Fetch(g, s.Env.Client, deployment)
		g.Expect(current.Status.ObservedGeneration).To(Equal(current.Generation))
		g.Expect(KStatus(g, current)).To(Equal(status.CurrentStatus), "conditions: %+v", current.Status.Conditions)
	}, Timeout, Interval).Should(Succeed())
	return Fetch(g, s.Env.Client, deployment)
}

// Standin returns the stand-in JobManager running the cluster namespace/name.
func (s *Stack) Standin(g Gomega, namespace, name string) *flinkstandin.Server {
	cluster := s.Runtime.Cluster(namespace, name)
	g.Expect(cluster).NotTo(BeNil(), "no JobManager runs for %s/%s", namespace, name)
	return localruntime.Server(cluster)
}

// Fetch reads the current version of obj.
func Fetch[T client.Object](g Gomega, c client.Client, obj T) T {
	current := obj.DeepCopyObject().(T)
	g.Expect(c.Get(context.Background(), client.ObjectKeyFromObject(obj), current)).To(Succeed())
	return current
}

// KStatus is kstatus's verdict on obj.
func KStatus(g Gomega, obj client.Object) status.Status {
	result, err := testenv.KStatus(obj)
	g.Expect(err).NotTo(HaveOccurred())
	return result
}

// ExpectLegacyManualSavepoint checks a savepoint taken for a nonce on the status path (snapshot resources
// disabled): it is the last savepoint, carries the nonce, exists on disk, and no trigger is left in flight.
func ExpectLegacyManualSavepoint(g Gomega, jobStatus flinkv1beta1.JobStatus, nonce int64) {
	info := jobStatus.SavepointInfo
	g.Expect(info).NotTo(BeNil())
	g.Expect(info.LastSavepoint).NotTo(BeNil())
	g.Expect(info.LastSavepoint.TriggerType).To(Equal(flinkv1beta1.SnapshotTriggerManual))
	g.Expect(info.LastSavepoint.TriggerNonce).To(HaveValue(Equal(nonce)))
	g.Expect(info.TriggerID).To(BeEmpty())
	g.Expect(LocalPath(info.LastSavepoint.Location)).To(BeADirectory())
}

// LocalPath turns a Flink file URI ("file:/x", "file:///x") into a local path.
func LocalPath(location string) string {
	return strings.TrimPrefix(strings.TrimPrefix(location, "file://"), "file:")
}
