package flinkdeployment_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	. "github.com/onsi/gomega"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/cli-utils/pkg/kstatus/status"
	"sigs.k8s.io/controller-runtime/pkg/client"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
	"github.com/teal-flink/teal/internal/flink"
	"github.com/teal-flink/teal/internal/manager"
	"github.com/teal-flink/teal/test/sim/flinkstandin"
	"github.com/teal-flink/teal/test/sim/localruntime"
	"github.com/teal-flink/teal/test/stack"
	"github.com/teal-flink/teal/test/testenv"
	"github.com/teal-flink/teal/validators"
)

var (
	stk     *stack.Stack
	env     *testenv.Env
	runtime *localruntime.Runtime
)

const (
	timeout  = stack.Timeout
	interval = stack.Interval
	// brokenImage makes the stand-in's job fail on start.
	brokenImage = "flink:broken"
	// slowImage makes the stand-in's savepoints take a while, so a job still runs while its savepoint is taken.
	slowImage = "flink:slow-savepoints"
	// restartingImage keeps a failed job RESTARTING for an hour.
	restartingImage = "flink:slow-restarts"
)

func TestMain(m *testing.M) {
	stack.Main(m, stack.Options{
		Name: "flinkdeployment",
		// The operator serves the admission webhooks too, as in a real installation.
		Webhooks: true,
		Images: map[string]func(*flinkstandin.Options){
			brokenImage: func(o *flinkstandin.Options) { o.Faults.FailOnStart = true },
			slowImage:   func(o *flinkstandin.Options) { o.Instant, o.OperationDuration = false, 1500*time.Millisecond },
			restartingImage: func(o *flinkstandin.Options) {
				o.Instant, o.RestartDelay, o.RestartAttempts = false, time.Hour, 100
			},
		},
		Customize: func(spec localruntime.ClusterSpec, opts *flinkstandin.Options) {
			// Flink's fixed-delay restart strategy: a failing job restarts this often before it ends FAILED.
			if attempts, err := strconv.Atoi(spec.Config["restart-strategy.fixed-delay.attempts"]); err == nil {
				opts.RestartAttempts = attempts
			}
		},
		// Session jobs in these tests point at hosts that do not resolve here.
		OperatorConfig: map[string]string{validators.KeyDisallowRestrictedHosts: "false"},
	}, func(s *stack.Stack) error {
		stk, env, runtime = s, s.Env, s.Runtime
		return nil
	})
}

// startOperator starts a fresh operator process; onStep, when given, sees every FlinkDeployment step.
func startOperator(onStep ...func(context.Context, *flinkv1beta1.FlinkDeployment, string)) (*testenv.Manager, error) {
	return stk.StartOperator(func(o *manager.Options) {
		if len(onStep) > 0 {
			o.OnDeploymentStep = onStep[0]
		}
	})
}

func newNamespace(g Gomega) string          { return stk.NewNamespace(g, "fd") }
func stateConfig(namespace string) []string { return stk.StateConfig(namespace) }
func localPath(location string) string      { return stack.LocalPath(location) }

func get(g Gomega, deployment *flinkv1beta1.FlinkDeployment) *flinkv1beta1.FlinkDeployment {
	current := &flinkv1beta1.FlinkDeployment{}
	g.Expect(env.Client.Get(context.Background(), client.ObjectKeyFromObject(deployment), current)).To(Succeed())
	return current
}

func kstatus(g Gomega, obj client.Object) status.Status { return stack.KStatus(g, obj) }

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
