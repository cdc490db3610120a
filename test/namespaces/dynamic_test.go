package namespaces

import (
	"context"
	"os"
	"path/filepath"
	"sync"
	"testing"

	. "github.com/onsi/gomega"
	"sigs.k8s.io/cli-utils/pkg/kstatus/status"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/config"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
	"github.com/teal-flink/teal/internal/manager"
	"github.com/teal-flink/teal/internal/operatorconfig"
	"github.com/teal-flink/teal/test/builders"
	"github.com/teal-flink/teal/test/stack"
	"github.com/teal-flink/teal/test/testenv"
)

var teal *stack.Stack

func TestMain(m *testing.M) {
	stack.Main(m, stack.Options{Name: "namespaces", NoOperator: true}, func(s *stack.Stack) error {
		teal = s
		return nil
	})
}

// TestReloadChangesTheWatchedNamespaces: with dynamic namespaces enabled, adding a namespace to
// kubernetes.operator.watched.namespaces in a reloaded configuration makes the running operator reconcile it,
// and resources of namespaces not listed are never reconciled.
func TestReloadChangesTheWatchedNamespaces(t *testing.T) {
	g := NewWithT(t)
	ctx := context.Background()
	watched := teal.NewNamespace(g, "watched")
	later := teal.NewNamespace(g, "later")

	write := func(namespaces string) string {
		values := teal.OperatorConfig().Values()
		values[operatorconfig.KeyDynamicNamespaces] = "true"
		values[operatorconfig.KeyWatchedNamespaces] = namespaces
		var content string
		for key, value := range values {
			content += key + ": " + `"` + value + `"` + "\n"
		}
		path := filepath.Join(teal.StateDir, "operator-config.yaml")
		g.Expect(os.WriteFile(path, []byte(content), 0o644)).To(Succeed())
		return path
	}
	path := write(watched)
	initial, err := operatorconfig.Load(path)
	g.Expect(err).NotTo(HaveOccurred())
	source := operatorconfig.NewSource(path, initial)
	filter := manager.NewNamespaceFilter(manager.WatchedNamespaces("", initial))
	filter.FollowReloads(source, "")

	var mu sync.Mutex
	stepped := map[string]bool{}
	skip := true
	mgr, err := ctrl.NewManager(teal.Env.Config, ctrl.Options{
		Scheme: teal.Env.Scheme, Metrics: metricsserver.Options{BindAddress: "0"}, HealthProbeBindAddress: "0",
		Controller: config.Controller{SkipNameValidation: &skip}, NewCache: filter.NewCache,
	})
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(manager.Setup(mgr, manager.Options{Controllers: true, OperatorConfig: source.Current,
		OnDeploymentStep: func(_ context.Context, deployment *flinkv1beta1.FlinkDeployment, _ string) {
			mu.Lock()
			stepped[deployment.Namespace] = true
			mu.Unlock()
		}})).To(Succeed())
	operator := testenv.StartManager(mgr)
	defer func() { g.Expect(operator.Stop()).To(Succeed()) }()

	// The unwatched one is created first: by the time the watched one is Ready, the operator has had every
	// chance to reconcile it.
	waiting := builders.NewFlinkDeployment("waiting", builders.InNamespace(later))
	g.Expect(teal.Env.Client.Create(ctx, waiting)).To(Succeed())
	first := builders.NewFlinkDeployment("first", builders.InNamespace(watched))
	g.Expect(teal.Env.Client.Create(ctx, first)).To(Succeed())
	waitCurrent(g, first)
	g.Expect(stack.Fetch(g, teal.Env.Client, waiting).Status.ObservedGeneration).To(BeZero())
	mu.Lock()
	g.Expect(stepped).NotTo(HaveKey(later))
	mu.Unlock()

	write(watched + "," + later)
	source.Reload()
	g.Expect(manager.WatchedNamespaces("", source.Current())).To(ConsistOf(watched, later))
	waitCurrent(g, waiting)
}

func waitCurrent(g Gomega, deployment *flinkv1beta1.FlinkDeployment) {
	g.Eventually(func(g Gomega) {
		current := stack.Fetch(g, teal.Env.Client, deployment)
		g.Expect(current.Status.ObservedGeneration).To(Equal(current.Generation))
		g.Expect(stack.KStatus(g, current)).To(Equal(status.CurrentStatus))
	}, stack.Timeout, stack.Interval).Should(Succeed())
}
