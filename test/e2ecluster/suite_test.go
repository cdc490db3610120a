package e2ecluster

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

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

// Real pods on two busy cores, several scenarios at once: a Flink cluster starts in 30–180 s, an upgrade takes a
// savepoint and a new cluster.
const (
	timeout  = 8 * time.Minute
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
	flag.Parse()
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
	return parallelScenariosFit()
}

// parallelScenariosFit checks that -test.parallel scenarios at their peak (maxPodsPerScenario pods each) fit the
// node's allocatable CPU and memory beside the pods already there, so that no scenario's pod waits for room
// behind another scenario's (a wait that would show as a flaky timeout, not as the capacity problem it is).
func parallelScenariosFit() error {
	parallel := 1
	if f := flag.Lookup("test.parallel"); f != nil {
		if n, err := strconv.Atoi(f.Value.String()); err == nil {
			parallel = n
		}
	}
	ctx := context.Background()
	nodes, err := clientset.CoreV1().Nodes().List(ctx, metav1.ListOptions{})
	if err != nil {
		return fmt.Errorf("listing the nodes: %w", err)
	}
	if len(nodes.Items) != 1 {
		return fmt.Errorf("the suite expects one node, found %d", len(nodes.Items))
	}
	pods, err := clientset.CoreV1().Pods("").List(ctx, metav1.ListOptions{})
	if err != nil {
		return fmt.Errorf("listing the pods: %w", err)
	}
	return scenariosFit(parallel, nodes.Items[0].Status.Allocatable, pods.Items)
}

// scenariosFit: parallel scenarios of maxPodsPerScenario pods requesting podCPU and podMemory fit allocatable
// next to the running pods' requests.
func scenariosFit(parallel int, allocatable corev1.ResourceList, running []corev1.Pod) error {
	free := map[corev1.ResourceName]resource.Quantity{
		corev1.ResourceCPU: allocatable.Cpu().DeepCopy(), corev1.ResourceMemory: allocatable.Memory().DeepCopy(),
	}
	for _, pod := range running {
		if pod.Status.Phase == corev1.PodSucceeded || pod.Status.Phase == corev1.PodFailed {
			continue
		}
		for _, container := range pod.Spec.Containers {
			for name, quantity := range free {
				quantity.Sub(container.Resources.Requests[name])
				free[name] = quantity
			}
		}
	}
	pods := int64(parallel * maxPodsPerScenario)
	need := map[corev1.ResourceName]resource.Quantity{corev1.ResourceCPU: resource.MustParse(podCPU), corev1.ResourceMemory: resource.MustParse(podMemory)}
	for name, per := range need {
		total := *resource.NewMilliQuantity(per.MilliValue()*pods, per.Format)
		if available := free[name]; total.Cmp(available) > 0 {
			return fmt.Errorf("-test.parallel=%d scenarios of up to %d pods need %s %s, the node has %s free: lower -test.parallel (E2E_CLUSTER_PARALLEL) or podCPU/podMemory",
				parallel, maxPodsPerScenario, total.String(), name, available.String())
		}
	}
	return nil
}
