package chart_test

import (
	"strings"
	"testing"

	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/yaml"

	"github.com/teal-flink/teal/internal/operatorconfig"
)

// TestLabelSelectorReachesTheOperatorAndTheWebhooks: the chart's labelSelector becomes
// kubernetes.operator.label.selector (which the operator loads) and scopes every webhook with an objectSelector.
func TestLabelSelectorReachesTheOperatorAndTheWebhooks(t *testing.T) {
	g := NewWithT(t)
	objects := render(g, variant{set: []string{"labelSelector.matchLabels.owner=teal",
		"labelSelector.matchExpressions[0].key=tier", "labelSelector.matchExpressions[0].operator=NotIn",
		"labelSelector.matchExpressions[0].values={legacy}"}})
	configMap := &corev1.ConfigMap{}
	into(g, named(find(objects, "ConfigMap"), "teal-config"), configMap)
	config, err := operatorconfig.Parse([]byte(configMap.Data["config.yaml"]))
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(config.String(operatorconfig.KeyLabelSelector)).To(Equal("owner=teal,tier notin (legacy)"))
	for _, configuration := range webhookConfigurations(g, objects) {
		for _, webhook := range configuration.webhooks {
			g.Expect(webhook.ObjectSelector).NotTo(BeNil(), webhook.Name)
			g.Expect(webhook.ObjectSelector.MatchLabels).To(HaveKeyWithValue("owner", "teal"))
			g.Expect(webhook.ObjectSelector.MatchExpressions).To(HaveLen(1))
		}
	}
}

// TestSchemaChecksOperatorConfiguration: the chart refuses what the operator would refuse to load.
func TestSchemaChecksOperatorConfiguration(t *testing.T) {
	cases := []struct {
		name, set, message string
	}{
		{name: "malformed duration", set: `operatorConfiguration.kubernetes\.operator\.reconcile\.interval=soon`, message: "kubernetes.operator.reconcile.interval"},
		{name: "malformed boolean", set: `operatorConfiguration.kubernetes\.operator\.job\.savepoint-on-deletion=maybe`, message: "savepoint-on-deletion"},
		{name: "enum", set: `operatorConfiguration.kubernetes\.operator\.savepoint\.format\.type=ZIP`, message: "savepoint.format.type"},
		{name: "label selector twice", set: `operatorConfiguration.kubernetes\.operator\.label\.selector=a=b`, message: "set the label selector once"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			g := NewWithT(t)
			args := []string{"template", "teal", chartDir(), "--set", tc.set}
			if strings.Contains(tc.message, "label selector") {
				args = append(args, "--set", "labelSelector.matchLabels.owner=teal")
			}
			_, err := helm(args...)
			g.Expect(err).To(MatchError(ContainSubstring(tc.message)))
		})
	}
	g := NewWithT(t)
	out, err := helm("template", "teal", chartDir(), "--set", `operatorConfiguration.kubernetes\.operator\.reconcile\.interval=30 s`,
		"--set", `operatorConfiguration.taskmanager\.numberOfTaskSlots=2`, "--show-only", "templates/configmap.yaml")
	g.Expect(err).NotTo(HaveOccurred())
	configMap := &corev1.ConfigMap{}
	g.Expect(yaml.Unmarshal(out, configMap)).To(Succeed())
	config, err := operatorconfig.Parse([]byte(configMap.Data["config.yaml"]))
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(config.FlinkDefaults("v1_20")).To(HaveKeyWithValue("taskmanager.numberOfTaskSlots", "2"))
}
