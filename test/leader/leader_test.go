package leader_test

import (
	"context"
	"testing"
	"time"

	. "github.com/onsi/gomega"
	coordinationv1 "k8s.io/api/coordination/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/cli-utils/pkg/kstatus/status"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/config"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
	"github.com/teal-flink/teal/internal/manager"
	"github.com/teal-flink/teal/internal/operatorconfig"
	"github.com/teal-flink/teal/test/builders"
	"github.com/teal-flink/teal/test/sim/flinkstandin"
	"github.com/teal-flink/teal/test/sim/localruntime"
	"github.com/teal-flink/teal/test/testenv"
)

var env *testenv.Env

func TestMain(m *testing.M) { testenv.Main(m, &env, testenv.Options{}) }

const (
	leaseNamespace = "teal-system"
	leaseName      = "teal-operator-lock"
	leaseDuration  = 3 * time.Second
	renewDeadline  = 2 * time.Second
	retryPeriod    = 250 * time.Millisecond
	timeout        = 60 * time.Second
	interval       = 50 * time.Millisecond
)

// TestLeaderTakesOverInFlightTransition runs two operator replicas electing a leader on a Lease. The leader is
// killed (its Lease is not released, as when a pod dies) while a blue/green transition waits for the hand-over
// savepoint; the other replica acquires the Lease within the lease duration and finishes the transition.
func TestLeaderTakesOverInFlightTransition(t *testing.T) {
	g := NewWithT(t)
	ctx := context.Background()
	stateDir := t.TempDir()
	g.Expect(env.Client.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: leaseNamespace}})).To(Succeed())

	// Savepoints take a second and jobs a moment to start, so the transition is still in flight when the
	// leader dies.
	runtime, err := localruntime.New(&localruntime.StandinBackend{
		Options: flinkstandin.Options{StartDelay: 500 * time.Millisecond, OperationDuration: time.Second},
		JarDir:  stateDir,
	})
	g.Expect(err).NotTo(HaveOccurred())
	defer runtime.Close()
	runtimeManager, err := env.NewManager(false)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(runtime.SetupWithManager(runtimeManager)).To(Succeed())
	runtimeProcess := testenv.StartManager(runtimeManager)
	defer func() { g.Expect(runtimeProcess.Stop()).To(Succeed()) }()

	first := startReplica(g, runtime)
	g.Eventually(first.Elected(), timeout, interval).Should(BeClosed())
	firstIdentity := holder(g)
	second := startReplica(g, runtime)
	defer func() { g.Expect(second.Stop()).To(Succeed()) }()
	g.Consistently(second.Elected(), 2*leaseDuration, interval).ShouldNot(BeClosed(), "one leader at a time")

	bg := builders.NewFlinkBlueGreenDeployment("leader-bg", []builders.DeploymentOption{
		builders.InNamespace("default"), builders.WithUpgradeMode(flinkv1beta1.UpgradeModeSavepoint),
		builders.WithConfig("state.savepoints.dir", "file://"+stateDir+"/savepoints", "state.checkpoints.dir", "file://"+stateDir+"/checkpoints"),
	}, builders.WithBlueGreenConfig("kubernetes.operator.bluegreen.abort.grace-period", "1 min"))
	g.Expect(env.Client.Create(ctx, bg)).To(Succeed())
	eventuallyIn(g, bg, flinkv1beta1.BlueGreenActiveBlue)

	current := get(g, bg)
	current.Spec.Template.Spec.Image = "flink:1.20.3"
	g.Expect(env.Client.Update(ctx, current)).To(Succeed())
	g.Eventually(func(g Gomega) {
		g.Expect(get(g, bg).Status.BlueGreenState).To(Equal(flinkv1beta1.BlueGreenSavepointingBlue))
	}, timeout, 10*time.Millisecond).Should(Succeed())

	// Kill the leader mid-transition: no Lease release, exactly as a crashed pod.
	g.Expect(first.Stop()).To(Succeed())
	lastRenew := lease(g).Spec.RenewTime.Time
	g.Expect(get(g, bg).Status.BlueGreenState).NotTo(Equal(flinkv1beta1.BlueGreenActiveGreen), "the transition is still in flight")

	g.Eventually(second.Elected(), timeout, interval).Should(BeClosed())
	taken := lease(g)
	g.Expect(*taken.Spec.HolderIdentity).NotTo(Equal(firstIdentity))
	takeover := taken.Spec.AcquireTime.Sub(lastRenew)
	t.Logf("the second replica acquired the Lease %s after the killed leader's last renewal (lease duration %s)", takeover, leaseDuration)
	// client-go's candidate sees the last renewal within one retry period, deems the Lease free leaseDuration
	// later, and acquires it on its next try; retries are jittered up to 2.2 retry periods (JitterFactor 1.2).
	// The margin is for API latency on a loaded machine.
	maxRetry := retryPeriod * 22 / 10
	g.Expect(takeover).To(BeNumerically("<=", leaseDuration+2*maxRetry+250*time.Millisecond))
	g.Expect(*taken.Spec.LeaseTransitions).To(BeNumerically(">=", 1))

	done := eventuallyIn(g, bg, flinkv1beta1.BlueGreenActiveGreen)
	green := &flinkv1beta1.FlinkDeployment{}
	g.Expect(env.Client.Get(ctx, client.ObjectKey{Namespace: bg.Namespace, Name: done.Status.ActiveDeployment}, green)).To(Succeed())
	g.Expect(green.Spec.Image).To(Equal("flink:1.20.3"))
	g.Expect(green.Spec.Job.InitialSavepointPath).To(HavePrefix("file:" + stateDir))
}

// startReplica starts one operator replica with leader election on short lease timings.
func startReplica(g Gomega, runtime *localruntime.Runtime) *testenv.Manager {
	skipNameValidation := true
	durations := []time.Duration{leaseDuration, renewDeadline, retryPeriod}
	mgr, err := ctrl.NewManager(env.Config, ctrl.Options{
		Scheme: env.Scheme, Metrics: metricsserver.Options{BindAddress: "0"}, HealthProbeBindAddress: "0",
		Controller:     config.Controller{SkipNameValidation: &skipNameValidation},
		LeaderElection: true, LeaderElectionID: leaseName, LeaderElectionNamespace: leaseNamespace,
		LeaseDuration: &durations[0], RenewDeadline: &durations[1], RetryPeriod: &durations[2],
		// A killed pod releases nothing.
		LeaderElectionReleaseOnCancel: false,
	})
	g.Expect(err).NotTo(HaveOccurred())
	operatorConfig := operatorconfig.New(map[string]string{
		operatorconfig.KeyRestURLTemplate:       runtime.RestURLTemplate(),
		operatorconfig.KeyProgressCheckInterval: "100 ms",
		operatorconfig.KeyReconcileInterval:     "2 s",
	})
	g.Expect(manager.Setup(mgr, manager.Options{
		Controllers: true, OperatorConfig: func() *operatorconfig.Config { return operatorConfig },
	})).To(Succeed())
	return testenv.StartManager(mgr)
}

func lease(g Gomega) *coordinationv1.Lease {
	current := &coordinationv1.Lease{}
	g.Expect(env.Client.Get(context.Background(), client.ObjectKey{Namespace: leaseNamespace, Name: leaseName}, current)).To(Succeed())
	return current
}

func holder(g Gomega) string {
	current := lease(g)
	g.Expect(current.Spec.HolderIdentity).NotTo(BeNil())
	return *current.Spec.HolderIdentity
}

func get(g Gomega, bg *flinkv1beta1.FlinkBlueGreenDeployment) *flinkv1beta1.FlinkBlueGreenDeployment {
	current := &flinkv1beta1.FlinkBlueGreenDeployment{}
	g.Expect(env.Client.Get(context.Background(), client.ObjectKeyFromObject(bg), current)).To(Succeed())
	return current
}

// eventuallyIn waits until the latest generation is Ready in state.
func eventuallyIn(g Gomega, bg *flinkv1beta1.FlinkBlueGreenDeployment, state flinkv1beta1.FlinkBlueGreenDeploymentState) *flinkv1beta1.FlinkBlueGreenDeployment {
	var current *flinkv1beta1.FlinkBlueGreenDeployment
	g.Eventually(func(g Gomega) {
		current = get(g, bg)
		g.Expect(current.Status.BlueGreenState).To(Equal(state), "status: %+v", current.Status)
		g.Expect(current.Status.ObservedGeneration).To(Equal(current.Generation))
		kstatus, err := testenv.KStatus(current)
		g.Expect(err).NotTo(HaveOccurred())
		g.Expect(kstatus).To(Equal(status.CurrentStatus), "conditions: %+v", current.Status.Conditions)
	}, timeout, interval).Should(Succeed())
	return current
}
