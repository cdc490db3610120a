package chart_test

import (
	"testing"

	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"

	"github.com/teal-flink/teal/internal/operatorconfig"
)

// TestAdvancedBlueGreenGateIsDeliveredAndAuthorized: ADVANCED blue/green pods copy the gate jar from the
// operator image (the chart names it, unless the user does), and the Flink service account may read, watch and
// patch the coordination ConfigMap, as the gate in the job does.
func TestAdvancedBlueGreenGateIsDeliveredAndAuthorized(t *testing.T) {
	t.Run("defaults", func(t *testing.T) {
		g := NewWithT(t)
		objects := render(g, variant{set: []string{"image.tag=1.2.3", "image.pullPolicy=Always"}})
		configMap := &corev1.ConfigMap{}
		into(g, named(find(objects, "ConfigMap"), "teal-config"), configMap)
		config, err := operatorconfig.Parse([]byte(configMap.Data["config.yaml"]))
		g.Expect(err).NotTo(HaveOccurred())
		g.Expect(config.String(operatorconfig.KeyBlueGreenGateImage)).To(Equal("ghcr.io/teal-flink/teal:1.2.3"))
		g.Expect(config.String(operatorconfig.KeyBlueGreenGateImagePullPolicy)).To(Equal("Always"))

		var granted []string
		for _, obj := range find(objects, "Role") {
			role := &rbacv1.Role{}
			into(g, obj, role)
			if role.Name != "flink" {
				continue
			}
			for _, rule := range role.Rules {
				for _, resource := range rule.Resources {
					if resource == "configmaps" && len(rule.APIGroups) == 1 && rule.APIGroups[0] == "" {
						granted = append(granted, rule.Verbs...)
					}
				}
			}
		}
		g.Expect(granted).To(ContainElements("get", "list", "watch", "patch"))
	})
	t.Run("the user's image wins", func(t *testing.T) {
		g := NewWithT(t)
		objects := render(g, variant{set: []string{`operatorConfiguration.kubernetes\.operator\.bluegreen\.advanced\.gate\.image=registry.example.com/teal:mine`}})
		configMap := &corev1.ConfigMap{}
		into(g, named(find(objects, "ConfigMap"), "teal-config"), configMap)
		config, err := operatorconfig.Parse([]byte(configMap.Data["config.yaml"]))
		g.Expect(err).NotTo(HaveOccurred())
		g.Expect(config.String(operatorconfig.KeyBlueGreenGateImage)).To(Equal("registry.example.com/teal:mine"))
	})
}
