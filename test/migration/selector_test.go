package migration

import (
	"context"
	"sort"
	"sync"
	"testing"

	. "github.com/onsi/gomega"
	"sigs.k8s.io/cli-utils/pkg/kstatus/status"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/config"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
	"github.com/teal-flink/teal/internal/flinkapi"
	"github.com/teal-flink/teal/internal/manager"
	"github.com/teal-flink/teal/internal/operatorconfig"
	"github.com/teal-flink/teal/test/builders"
	"github.com/teal-flink/teal/test/stack"
	"github.com/teal-flink/teal/test/testenv"
)

var teal *stack.Stack

func TestMain(m *testing.M) {
	stack.Main(m, stack.Options{Name: "migration", NoOperator: true}, func(s *stack.Stack) error {
		teal = s
		return nil
	})
}

// touches records what one operator process did: the deployments it stepped and the JobManagers it called.
type touches struct {
	mu          sync.Mutex
	deployments map[string]bool
	restURLs    map[string]bool
}

func (t *touches) add(set map[string]bool, key string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	set[key] = true
}

func (t *touches) snapshot() (deployments, restURLs []string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for name := range t.deployments {
		deployments = append(deployments, name)
	}
	for url := range t.restURLs {
		restURLs = append(restURLs, url)
	}
	sort.Strings(deployments)
	sort.Strings(restURLs)
	return deployments, restURLs
}

// startOperator starts an operator process as main.go assembles it, with the given label selector.
func startOperator(g Gomega, selector string, record *touches) *testenv.Manager {
	values := teal.OperatorConfig().Values()
	values[operatorconfig.KeyLabelSelector] = selector
	operatorConfig := operatorconfig.New(values)
	labelSelector, err := manager.LabelSelector(operatorConfig)
	g.Expect(err).NotTo(HaveOccurred())
	skipNameValidation := true
	mgr, err := ctrl.NewManager(teal.Env.Config, ctrl.Options{
		Scheme: teal.Env.Scheme, Metrics: metricsserver.Options{BindAddress: "0"}, HealthProbeBindAddress: "0",
		Controller: config.Controller{SkipNameValidation: &skipNameValidation},
		Cache:      manager.CacheOptions(nil, labelSelector),
	})
	g.Expect(err).NotTo(HaveOccurred())
	flinkAPI := flinkapi.NewFactory(nil)
	g.Expect(manager.Setup(mgr, manager.Options{
		Controllers: true, OperatorConfig: func() *operatorconfig.Config { return operatorConfig },
		Flink: func(restURL string, config *operatorconfig.Config) (flinkapi.API, error) {
			record.add(record.restURLs, restURL)
			return flinkAPI(restURL, config)
		},
		OnDeploymentStep: func(_ context.Context, deployment *flinkv1beta1.FlinkDeployment, _ string) {
			record.add(record.deployments, deployment.Namespace+"/"+deployment.Name)
		},
	})).To(Succeed())
	return testenv.StartManager(mgr)
}

func restURL(g Gomega, deployment *flinkv1beta1.FlinkDeployment) string {
	url, err := flinkapi.RestURL(teal.OperatorConfig().String(operatorconfig.KeyRestURLTemplate), deployment, nil)
	g.Expect(err).NotTo(HaveOccurred())
	return url
}

// TestComplementarySelectorsNeverTouchEachOthersResources: "Teal" reconciles owner=teal, "Apache" (a second
// Teal standing in for the Apache operator) everything else; each deploys and upgrades only its own
// deployments and never calls the other's JobManagers.
func TestComplementarySelectorsNeverTouchEachOthersResources(t *testing.T) {
	g := NewWithT(t)
	tealTouches := &touches{deployments: map[string]bool{}, restURLs: map[string]bool{}}
	apacheTouches := &touches{deployments: map[string]bool{}, restURLs: map[string]bool{}}
	tealOperator := startOperator(g, "owner=teal", tealTouches)
	defer func() { g.Expect(tealOperator.Stop()).To(Succeed()) }()
	apacheOperator := startOperator(g, "owner!=teal", apacheTouches)
	defer func() { g.Expect(apacheOperator.Stop()).To(Succeed()) }()

	namespace := teal.NewNamespace(g, "migration")
	labelled := func(owner string) builders.DeploymentOption {
		return func(d *flinkv1beta1.FlinkDeployment) {
			if owner != "" {
				d.Labels = map[string]string{"owner": owner}
			}
		}
	}
	deployments := map[string]*flinkv1beta1.FlinkDeployment{
		"teal-1":   builders.NewFlinkDeployment("teal-1", builders.InNamespace(namespace), labelled("teal")),
		"teal-2":   builders.NewFlinkDeployment("teal-2", builders.InNamespace(namespace), labelled("teal")),
		"apache-1": builders.NewFlinkDeployment("apache-1", builders.InNamespace(namespace), labelled("apache")),
		"apache-2": builders.NewFlinkDeployment("apache-2", builders.InNamespace(namespace), labelled("")),
	}
	ctx := context.Background()
	for _, deployment := range deployments {
		g.Expect(teal.Env.Client.Create(ctx, deployment)).To(Succeed())
	}
	waitAllCurrent := func() {
		for _, deployment := range deployments {
			g.Eventually(func(g Gomega) {
				current := stack.Fetch(g, teal.Env.Client, deployment)
				g.Expect(current.Status.ObservedGeneration).To(Equal(current.Generation))
				g.Expect(stack.KStatus(g, current)).To(Equal(status.CurrentStatus))
			}, stack.Timeout, stack.Interval).Should(Succeed())
		}
	}
	waitAllCurrent()
	// A second commit for everyone: an upgrade each operator must carry out on its own deployments only.
	for _, deployment := range deployments {
		g.Eventually(func(g Gomega) {
			current := stack.Fetch(g, teal.Env.Client, deployment)
			current.Spec.Job.Parallelism++
			g.Expect(teal.Env.Client.Update(ctx, current)).To(Succeed())
		}, stack.Timeout, stack.Interval).Should(Succeed())
	}
	waitAllCurrent()

	tealDeployments, tealURLs := tealTouches.snapshot()
	apacheDeployments, apacheURLs := apacheTouches.snapshot()
	key := func(name string) string { return namespace + "/" + name }
	g.Expect(tealDeployments).To(ConsistOf(key("teal-1"), key("teal-2")))
	g.Expect(apacheDeployments).To(ConsistOf(key("apache-1"), key("apache-2")))
	g.Expect(tealURLs).To(ConsistOf(restURL(g, deployments["teal-1"]), restURL(g, deployments["teal-2"])))
	g.Expect(apacheURLs).To(ConsistOf(restURL(g, deployments["apache-1"]), restURL(g, deployments["apache-2"])))
}
