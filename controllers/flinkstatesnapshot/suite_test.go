package flinkstatesnapshot_test

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
)

const (
	timeout  = 30 * time.Second
	interval = 50 * time.Millisecond
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
	if stateDir, err = os.MkdirTemp("", "teal-suite-"); err != nil {
		return 0, err
	}
	defer os.RemoveAll(stateDir)
	if runtime, err = localruntime.New(&localruntime.StandinBackend{Options: flinkstandin.Options{Instant: true}, JarDir: stateDir}); err != nil {
		return 0, err
	}
	defer runtime.Close()
	mgr, err := env.NewManager(false)
	if err != nil {
		return 0, err
	}
	if err := runtime.SetupWithManager(mgr); err != nil {
		return 0, err
	}
	config := operatorconfig.New(map[string]string{
		operatorconfig.KeyRestURLTemplate:       runtime.RestURLTemplate(),
		operatorconfig.KeyProgressCheckInterval: "100 ms",
		operatorconfig.KeyReconcileInterval:     "2 s",
		// Jars are served from a local httptest server.
		operatorconfig.KeyAllowedArtifactSchemes:                       "http,https",
		"kubernetes.operator.user.artifacts.disallow-restricted-hosts": "false",
	})
	if err := manager.Setup(mgr, manager.Options{Controllers: true, OperatorConfig: func() *operatorconfig.Config { return config }}); err != nil {
		return 0, err
	}
	process := testenv.StartManager(mgr)
	defer func() { _ = process.Stop() }()
	return m.Run(), nil
}

// newNamespace creates a namespace for one test.
func newNamespace(g Gomega) string {
	name := "ns-" + rand.String(6)
	g.Expect(env.Client.Create(context.Background(), &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name}})).To(Succeed())
	return name
}

// stateConfig returns the savepoint and checkpoint directories of a namespace as Flink options.
func stateConfig(namespace string) []string {
	dir := filepath.Join(stateDir, namespace)
	return []string{"state.savepoints.dir", "file://" + dir + "/savepoints", "state.checkpoints.dir", "file://" + dir + "/checkpoints"}
}

func localPath(location string) string {
	return strings.TrimPrefix(strings.TrimPrefix(location, "file://"), "file:")
}

func kstatus(g Gomega, obj client.Object) status.Status {
	result, err := testenv.KStatus(obj)
	g.Expect(err).NotTo(HaveOccurred())
	return result
}

func fetch[T client.Object](g Gomega, obj T) T {
	current := obj.DeepCopyObject().(T)
	g.Expect(env.Client.Get(context.Background(), client.ObjectKeyFromObject(obj), current)).To(Succeed())
	return current
}

// newCluster creates a FlinkDeployment in a fresh namespace and waits until it is Ready.
func newCluster(g Gomega, name string, options ...builders.DeploymentOption) *flinkv1beta1.FlinkDeployment {
	namespace := newNamespace(g)
	all := append([]builders.DeploymentOption{builders.InNamespace(namespace), builders.WithConfig(stateConfig(namespace)...)}, options...)
	deployment := builders.NewFlinkDeployment(name, all...)
	g.Expect(env.Client.Create(context.Background(), deployment)).To(Succeed())
	g.Eventually(func(g Gomega) {
		current := fetch(g, deployment)
		g.Expect(current.Status.ObservedGeneration).To(Equal(current.Generation))
		g.Expect(kstatus(g, current)).To(Equal(status.CurrentStatus))
	}, timeout, interval).Should(Succeed())
	return deployment
}

// standin returns the stand-in JobManager of a cluster.
func standin(g Gomega, deployment *flinkv1beta1.FlinkDeployment) *flinkstandin.Server {
	cluster := runtime.Cluster(deployment.Namespace, deployment.Name)
	g.Expect(cluster).NotTo(BeNil())
	return localruntime.Server(cluster)
}
