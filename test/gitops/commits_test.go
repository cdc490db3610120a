package gitops

import (
	"context"
	"testing"

	. "github.com/onsi/gomega"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	k8sruntime "k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/cli-utils/pkg/kstatus/status"
	"sigs.k8s.io/controller-runtime/pkg/client"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
	"github.com/teal-flink/teal/internal/operatorconfig"
	"github.com/teal-flink/teal/test/builders"
	"github.com/teal-flink/teal/test/sim/flinkstandin"
	"github.com/teal-flink/teal/test/stack"
	"github.com/teal-flink/teal/test/testenv"
)

var (
	stk *stack.Stack
	env *testenv.Env
)

const (
	timeout  = stack.Timeout
	interval = stack.Interval
	// fluxFieldManager is the field manager Flux's kustomize-controller applies with.
	fluxFieldManager = "kustomize-controller"
	brokenImage      = "flink:broken"
)

func TestMain(m *testing.M) {
	stack.Main(m, stack.Options{Name: "gitops", Images: map[string]func(*flinkstandin.Options){
		brokenImage: func(o *flinkstandin.Options) { o.Faults.FailOnStart = true },
	}, OperatorConfig: map[string]string{
		// Session jobs' jars are served from a local httptest server.
		operatorconfig.KeyAllowedArtifactSchemes:                       "http,https",
		"kubernetes.operator.user.artifacts.disallow-restricted-hosts": "false",
	}}, func(s *stack.Stack) error {
		stk, env = s, s.Env
		return nil
	})
}

// apply applies obj the way Flux does: server-side apply of the whole manifest under its field manager.
func apply(g Gomega, obj client.Object) {
	content, err := k8sruntime.DefaultUnstructuredConverter.ToUnstructured(obj)
	g.Expect(err).NotTo(HaveOccurred())
	delete(content, "status")
	unstructured.RemoveNestedField(content, "metadata", "creationTimestamp")
	u := &unstructured.Unstructured{Object: content}
	g.Expect(env.Client.Apply(context.Background(), client.ApplyConfigurationFromUnstructured(u),
		client.FieldOwner(fluxFieldManager), client.ForceOwnership)).To(Succeed())
}

// TestCommitSequence rolls a FlinkBlueGreenDeployment through commits as Flux would, waiting after each for
// what `flux`'s health check (kstatus) and Argo CD (the shipped Lua) conclude.
func TestCommitSequence(t *testing.T) {
	g := NewWithT(t)
	ctx := context.Background()
	namespace := stk.NewNamespace(g, "gitops")
	manifest := func(image string, state flinkv1beta1.JobState) *flinkv1beta1.FlinkBlueGreenDeployment {
		// The bad commit is aborted after a short grace period; the good ones get a long one, so a slow machine
		// never aborts them.
		grace := "1 min"
		if image == brokenImage {
			grace = "3 s"
		}
		return builders.NewFlinkBlueGreenDeployment("orders",
			[]builders.DeploymentOption{builders.InNamespace(namespace), builders.WithImage(image), builders.WithJobState(state),
				builders.WithUpgradeMode(flinkv1beta1.UpgradeModeSavepoint),
				builders.WithConfig(stk.StateConfig(namespace)...)},
			builders.WithBlueGreenConfig("kubernetes.operator.bluegreen.abort.grace-period", grace),
			builders.WithBlueGreenIngress("{{name}}.flink.example.com"))
	}
	commits := []struct {
		name    string
		object  *flinkv1beta1.FlinkBlueGreenDeployment
		kstatus status.Status
		argo    string
		state   flinkv1beta1.FlinkBlueGreenDeploymentState
	}{
		{"first deployment", manifest("flink:1.20", ""), status.CurrentStatus, "Healthy", flinkv1beta1.BlueGreenActiveBlue},
		{"new image: blue/green transition", manifest("flink:1.20.1", ""), status.CurrentStatus, "Healthy", flinkv1beta1.BlueGreenActiveGreen},
		{"bad image: transition aborted", manifest(brokenImage, ""), status.FailedStatus, "Degraded", flinkv1beta1.BlueGreenActiveGreen},
		{"fix commit", manifest("flink:1.20.2", ""), status.CurrentStatus, "Healthy", flinkv1beta1.BlueGreenActiveBlue},
		{"suspend", manifest("flink:1.20.2", flinkv1beta1.JobStateSuspended), status.CurrentStatus, "Suspended", flinkv1beta1.BlueGreenActiveBlue},
	}
	for i, commit := range commits {
		t.Run(commit.name, func(t *testing.T) {
			g := NewWithT(t)
			apply(g, commit.object)
			g.Eventually(func(g Gomega) {
				current := &flinkv1beta1.FlinkBlueGreenDeployment{}
				g.Expect(env.Client.Get(ctx, client.ObjectKeyFromObject(commit.object), current)).To(Succeed())
				g.Expect(current.Generation).To(BeEquivalentTo(i + 1))
				g.Expect(current.Status.ObservedGeneration).To(Equal(current.Generation))
				result, err := testenv.KStatus(current)
				g.Expect(err).NotTo(HaveOccurred())
				g.Expect(result).To(Equal(commit.kstatus), "conditions: %+v", current.Status.Conditions)
				health, err := EvaluateHealth("FlinkBlueGreenDeployment", current)
				g.Expect(err).NotTo(HaveOccurred())
				g.Expect(health.Status).To(Equal(commit.argo), health.Message)
				g.Expect(current.Status.BlueGreenState).To(Equal(commit.state))
				// The children are judged by the same contract.
				active := &flinkv1beta1.FlinkDeployment{}
				g.Expect(env.Client.Get(ctx, client.ObjectKey{Namespace: namespace, Name: current.Status.ActiveDeployment}, active)).To(Succeed())
				childHealth, err := EvaluateHealth("FlinkDeployment", active)
				g.Expect(err).NotTo(HaveOccurred())
				want := map[string]string{"Degraded": "Healthy"}[commit.argo]
				if want == "" {
					want = commit.argo
				}
				g.Expect(childHealth.Status).To(Equal(want), "the serving child: %s", childHealth.Message)
			}, timeout, interval).Should(Succeed())
		})
	}
	// Nothing the controllers wrote is a spec field Flux manages: a re-apply of the last commit changes nothing.
	current := &flinkv1beta1.FlinkBlueGreenDeployment{}
	g.Expect(env.Client.Get(ctx, client.ObjectKeyFromObject(commits[4].object), current)).To(Succeed())
	apply(g, commits[4].object)
	again := &flinkv1beta1.FlinkBlueGreenDeployment{}
	g.Expect(env.Client.Get(ctx, client.ObjectKeyFromObject(commits[4].object), again)).To(Succeed())
	g.Expect(again.Generation).To(Equal(current.Generation))
}
