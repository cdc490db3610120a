package webhook

import (
	"context"
	"testing"

	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/teal-flink/teal/validators/policy"
)

// registryPolicy allows images from one registry, in the policy namespace only.
func registryPolicy(registryPattern string) string {
	return `kind: FlinkDeployment
name: allowed-registry
message: use an image from the approved registry
schema:
  if:
    properties: {metadata: {properties: {namespace: {const: ` + policyNamespace + `}}}}
  then:
    properties:
      spec:
        properties:
          image: {type: string, pattern: "` + registryPattern + `"}
`
}

func TestPolicyFromConfigMapIsReloaded(t *testing.T) {
	g := NewWithT(t)
	ctx := context.Background()
	configMap := &corev1.ConfigMap{
		ObjectMeta: metav1.ObjectMeta{Name: policy.DefaultConfigMapName, Namespace: operatorNamespace},
		Data:       map[string]string{"allowed-registry.yaml": registryPolicy(`^registry\\.example\\.com/`)},
	}
	g.Expect(env.Client.Create(ctx, configMap)).To(Succeed())

	// docker.io is not the approved registry: rejected once the watcher has loaded the ConfigMap.
	g.Eventually(func(g Gomega) {
		err := env.Client.Create(ctx, appCluster("from-docker-hub", policyNamespace), client.DryRunAll)
		rejectedAt(g, err, []string{"spec.image"})
		g.Expect(err.Error()).To(ContainSubstring("violates policy allowed-registry"))
	}).Should(Succeed())
	// The same object elsewhere is not in the policy's scope.
	g.Expect(env.Client.Create(ctx, appCluster("from-docker-hub", "default"), client.DryRunAll)).To(Succeed())

	// Widen the policy: the same object is now accepted.
	configMap.Data["allowed-registry.yaml"] = registryPolicy(`^(registry\\.example\\.com/|flink:)`)
	g.Expect(env.Client.Update(ctx, configMap)).To(Succeed())
	g.Eventually(func(g Gomega) {
		g.Expect(env.Client.Create(ctx, appCluster("from-docker-hub", policyNamespace))).To(Succeed())
	}).Should(Succeed())

	// A broken document is refused and the previous policy stays in force.
	configMap.Data["broken.yaml"] = "kind: Nope\nschema: {}"
	g.Expect(env.Client.Update(ctx, configMap)).To(Succeed())
	g.Eventually(watcher.LastError).Should(MatchError(ContainSubstring("Nope")))
	g.Expect(watcher.Reload(ctx)).To(MatchError(ContainSubstring("Nope")))
	quay := appCluster("from-quay", policyNamespace)
	quay.Spec.Image = "quay.io/flink:1.20"
	rejectedAt(g, env.Client.Create(ctx, quay, client.DryRunAll), []string{"spec.image"})
}
