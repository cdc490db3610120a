package flinkdeployment_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/rand"
	"sigs.k8s.io/cli-utils/pkg/kstatus/status"
	"sigs.k8s.io/controller-runtime/pkg/client"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
	"github.com/teal-flink/teal/internal/flink"
	"github.com/teal-flink/teal/internal/flinkstandin"
	"github.com/teal-flink/teal/internal/manager"
	"github.com/teal-flink/teal/internal/operatorconfig"
	"github.com/teal-flink/teal/test/localruntime"
	"github.com/teal-flink/teal/test/testenv"
	"github.com/teal-flink/teal/validators"
)

var (
	env      *testenv.Env
	runtime  *localruntime.Runtime
	backend  *localruntime.StandinBackend
	stateDir string
	operator *testenv.Manager
)

const (
	timeout  = 30 * time.Second
	interval = 50 * time.Millisecond
	// brokenImage makes the stand-in's job fail on start (see the backend's Customize).
	brokenImage = "flink:broken"
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
	webhooks := filepath.Join(testenv.RepoRoot(), "config", "webhook")
	if env, err = testenv.Start(testenv.Options{WebhookManifests: []string{webhooks}}); err != nil {
		return 0, err
	}
	defer env.Stop()
	if stateDir, err = os.MkdirTemp("", "teal-flinkdeployment-"); err != nil {
		return 0, err
	}
	defer os.RemoveAll(stateDir)
	backend = &localruntime.StandinBackend{
		Options: flinkstandin.Options{Instant: true},
		JarDir:  stateDir,
		Customize: func(spec localruntime.ClusterSpec, opts *flinkstandin.Options) {
			if spec.Config["kubernetes.container.image.ref"] == brokenImage {
				opts.Faults.FailOnStart = true
			}
			// Flink's fixed-delay restart strategy: a failing job restarts this often before it ends FAILED.
			if attempts, err := strconv.Atoi(spec.Config["restart-strategy.fixed-delay.attempts"]); err == nil {
				opts.RestartAttempts = attempts
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

// operatorConfig is the configuration every operator in this suite runs with: the runtime's router as the REST
// address and short intervals so tests finish quickly.
func operatorConfig() *operatorconfig.Config {
	return operatorconfig.New(map[string]string{
		operatorconfig.KeyRestURLTemplate:       runtime.RestURLTemplate(),
		operatorconfig.KeyProgressCheckInterval: "100 ms",
		operatorconfig.KeyReconcileInterval:     "2 s",
		// Session jobs in these tests point at hosts that do not resolve here.
		validators.KeyDisallowRestrictedHosts: "false",
	})
}

// startOperator starts a fresh operator process (a new manager with the controllers); onStep, when given, sees
// every step.
func startOperator(onStep ...func(context.Context, *flinkv1beta1.FlinkDeployment, string)) (*testenv.Manager, error) {
	// The operator serves the admission webhooks too, as in a real installation.
	mgr, err := env.NewManager(true)
	if err != nil {
		return nil, err
	}
	config := operatorConfig()
	options := manager.Options{Controllers: true, Webhooks: true, OperatorConfig: func() *operatorconfig.Config { return config }}
	if len(onStep) > 0 {
		options.OnDeploymentStep = onStep[0]
	}
	if err := manager.Setup(mgr, options); err != nil {
		return nil, err
	}
	return testenv.StartManager(mgr), nil
}

// newNamespace creates a namespace with the savepoint and checkpoint directories of its deployments.
func newNamespace(g Gomega) string {
	name := "fd-" + rand.String(6)
	g.Expect(env.Client.Create(context.Background(), &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name}})).To(Succeed())
	return name
}

// stateConfig returns the savepoint and checkpoint directories of a namespace as Flink options.
func stateConfig(namespace string) []string {
	dir := filepath.Join(stateDir, namespace)
	return []string{"state.savepoints.dir", "file://" + dir + "/savepoints", "state.checkpoints.dir", "file://" + dir + "/checkpoints"}
}

func get(g Gomega, deployment *flinkv1beta1.FlinkDeployment) *flinkv1beta1.FlinkDeployment {
	current := &flinkv1beta1.FlinkDeployment{}
	g.Expect(env.Client.Get(context.Background(), client.ObjectKeyFromObject(deployment), current)).To(Succeed())
	return current
}

func kstatus(g Gomega, obj client.Object) status.Status {
	result, err := testenv.KStatus(obj)
	g.Expect(err).NotTo(HaveOccurred())
	return result
}

// eventuallyReady waits until the deployment's latest generation is Ready and kstatus Current.
func eventuallyReady(g Gomega, deployment *flinkv1beta1.FlinkDeployment) *flinkv1beta1.FlinkDeployment {
	var current *flinkv1beta1.FlinkDeployment
	g.Eventually(func(g Gomega) {
		current = get(g, deployment)
		g.Expect(current.Status.ObservedGeneration).To(Equal(current.Generation))
		g.Expect(kstatus(g, current)).To(Equal(status.CurrentStatus), "conditions: %+v", current.Status.Conditions)
	}, timeout, interval).Should(Succeed())
	return current
}

// jobClient reaches a running cluster's JobManager through the runtime's router.
func jobClient(g Gomega, deployment *flinkv1beta1.FlinkDeployment) *flink.Client {
	cluster := runtime.Cluster(deployment.Namespace, deployment.Name)
	g.Expect(cluster).NotTo(BeNil(), "no JobManager runs for %s", deployment.Name)
	c, err := flink.New(cluster.URL(), flink.Options{})
	g.Expect(err).NotTo(HaveOccurred())
	return c
}

// restoredFrom returns the path the running job restored from, and its latest completed checkpoint id.
func restoredFrom(g Gomega, deployment *flinkv1beta1.FlinkDeployment) (string, int64, int64) {
	c := jobClient(g, deployment)
	jobs, err := c.ListJobs(context.Background())
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(jobs).To(HaveLen(1))
	statistics, err := c.CheckpointStatistics(context.Background(), jobs[0].ID)
	g.Expect(err).NotTo(HaveOccurred())
	var restored string
	var restoredID, completedID int64
	if statistics.Latest.Restored != nil {
		restored, restoredID = statistics.Latest.Restored.ExternalPath, statistics.Latest.Restored.ID
	}
	if statistics.Latest.Completed != nil {
		completedID = statistics.Latest.Completed.ID
	}
	return restored, restoredID, completedID
}

func objectMeta(deployment *flinkv1beta1.FlinkDeployment) metav1.ObjectMeta {
	return metav1.ObjectMeta{Namespace: deployment.Namespace, Name: deployment.Name}
}

// triggerCheckpoint takes a checkpoint of the running job and returns its id.
func triggerCheckpoint(g Gomega, deployment *flinkv1beta1.FlinkDeployment) int64 {
	ctx := context.Background()
	c := jobClient(g, deployment)
	jobs, err := c.ListJobs(ctx)
	g.Expect(err).NotTo(HaveOccurred())
	triggerID, err := c.TriggerCheckpoint(ctx, jobs[0].ID, flink.CheckpointRequest{})
	g.Expect(err).NotTo(HaveOccurred())
	var id int64
	g.Eventually(func(g Gomega) {
		result, err := c.CheckpointStatus(ctx, jobs[0].ID, triggerID)
		g.Expect(err).NotTo(HaveOccurred())
		g.Expect(result.Done()).To(BeTrue())
		g.Expect(result.Err()).NotTo(HaveOccurred())
		id = result.CheckpointID
	}, timeout, interval).Should(Succeed())
	return id
}
