package e2ecluster

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"k8s.io/client-go/kubernetes"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
	"github.com/teal-flink/teal/test/testenv"
)

// The environment make e2e-cluster sets (see hack/cluster/e2e.sh).
const (
	// envCluster says that a cluster is up and KUBECONFIG reaches it from this network namespace.
	envCluster = "TEAL_E2E_CLUSTER"
	// envDataDir is a host directory the scenarios mount into their Flink pods (hostPath) for checkpoints,
	// savepoints and HA metadata: the node is this machine, so the JobManager and TaskManager pods share it and
	// the test reads what Flink wrote.
	envDataDir = "TEAL_E2E_DATA"
	// envNamespace is where the scenarios run: the chart's release namespace, which holds the Flink service
	// account.
	envNamespace = "TEAL_E2E_NAMESPACE"
)

// Real pods on two busy cores: a Flink cluster starts in 30–90 s, an upgrade takes a savepoint and a new cluster.
const (
	timeout  = 5 * time.Minute
	interval = 2 * time.Second
)

// flinkUID is the user the Flink image runs as (the official image's flink user): state directories belong to it.
const flinkUID = 9999

var (
	k8s       client.Client
	clientset *kubernetes.Clientset
	namespace string
	dataDir   string
	outputDir string
)

// flinkVersions are the release lines the application scenarios run on, with the images make cluster imported.
var flinkVersions = []struct {
	name    string
	version flinkv1beta1.FlinkVersion
	image   string
}{
	{"flink-1.20", flinkv1beta1.FlinkVersionV1_20, "flink:1.20.3"},
	{"flink-2.3", flinkv1beta1.FlinkVersionV2_3, "flink:2.3.0"},
}

func TestMain(m *testing.M) {
	if os.Getenv(envCluster) == "" {
		fmt.Printf("e2ecluster: skipped: %s is not set (run make e2e-cluster)\n", envCluster)
		os.Exit(0)
	}
	if err := setUp(); err != nil {
		fmt.Fprintln(os.Stderr, "e2ecluster:", err)
		os.Exit(1)
	}
	os.Exit(m.Run())
}

func setUp() error {
	// The API server's warnings (a deprecated or warned key) reach the test log.
	ctrl.SetLogger(zap.New(zap.WriteTo(os.Stderr)))
	config, err := ctrl.GetConfig()
	if err != nil {
		return fmt.Errorf("the cluster's kubeconfig: %w", err)
	}
	if k8s, err = client.New(config, client.Options{Scheme: testenv.NewScheme()}); err != nil {
		return err
	}
	if clientset, err = kubernetes.NewForConfig(config); err != nil {
		return err
	}
	namespace = os.Getenv(envNamespace)
	if namespace == "" {
		namespace = "teal-system"
	}
	dataDir = os.Getenv(envDataDir)
	if dataDir == "" {
		return fmt.Errorf("%s is not set: the host directory the Flink pods keep their state in", envDataDir)
	}
	outputDir = filepath.Join(testenv.RepoRoot(), "test", "e2ecluster", "_output", time.Now().UTC().Format("20060102-150405"))
	return nil
}
