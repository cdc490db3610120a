package resources

import (
	"testing"

	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
	"github.com/teal-flink/teal/internal/operatorconfig"
)

// TestBuilderKeysFromTheOperatorConfiguration: merge-arrays-by-name and the JobManager startup probe are
// upstream's per-resource keys with an operator-wide default. Set in the plain operator configuration they
// apply to every deployment (before, only a resource's own value was read, and the probe switch under a
// misspelt key); a resource's value overrides the operator's. The options are built as the controller builds
// them: the operator configuration for the resource, then its Flink defaults.
func TestBuilderKeysFromTheOperatorConfiguration(t *testing.T) {
	const mergeKey, probeKey = "kubernetes.operator.pod-template.merge-arrays-by-name", "kubernetes.operator.jm-deployment.startup.probe.enabled"
	base := &flinkv1beta1.Pod{Spec: corev1.PodSpec{Containers: []corev1.Container{
		{Name: MainContainerName, Env: []corev1.EnvVar{{Name: "A", Value: "base"}}},
	}}}
	overlay := &flinkv1beta1.Pod{Spec: corev1.PodSpec{Containers: []corev1.Container{
		{Name: MainContainerName, Env: []corev1.EnvVar{{Name: "B", Value: "overlay"}}},
	}}}
	byName := []corev1.EnvVar{{Name: "A", Value: "base"}, {Name: "B", Value: "overlay"}}
	byPosition := []corev1.EnvVar{{Name: "B", Value: "overlay"}}
	cases := []struct {
		name             string
		operator, own    map[string]string
		wantEnv          []corev1.EnvVar
		wantStartupProbe bool
	}{
		{name: "upstream defaults", wantEnv: byPosition, wantStartupProbe: true},
		{name: "operator merges by name", operator: map[string]string{mergeKey: "true"}, wantEnv: byName, wantStartupProbe: true},
		{name: "resource overrides the operator's merge", operator: map[string]string{mergeKey: "true"},
			own: map[string]string{mergeKey: "false"}, wantEnv: byPosition, wantStartupProbe: true},
		{name: "resource merges by name", own: map[string]string{mergeKey: "true"}, wantEnv: byName, wantStartupProbe: true},
		{name: "operator turns the startup probe off", operator: map[string]string{probeKey: "false"}, wantEnv: byPosition},
		{name: "resource turns it back on", operator: map[string]string{probeKey: "false"},
			own: map[string]string{probeKey: "true"}, wantEnv: byPosition, wantStartupProbe: true},
		{name: "resource turns the startup probe off under upstream's key", own: map[string]string{probeKey: "false"}, wantEnv: byPosition},
		{name: "operator-wide through default-configuration", operator: map[string]string{
			operatorconfig.DefaultConfigurationPrefix + probeKey: "false"}, wantEnv: byPosition},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			g := NewWithT(t)
			g.Expect(operatorconfig.Validate(tc.operator)).To(BeEmpty(), "honoured keys load without a finding")
			deployment := withConfig(application(), tc.own)
			deployment.Spec.PodTemplate, deployment.Spec.JobManager.PodTemplate = base, overlay
			config := operatorconfig.New(tc.operator).InNamespace(deployment.Namespace).ForResource(tc.own)
			cluster, err := Build(deployment, ConfigOptions{Defaults: config.FlinkDefaults(deployment.Spec.FlinkVersion)})
			g.Expect(err).NotTo(HaveOccurred())
			main := mainOf(cluster.JobManager.Spec.Template)
			g.Expect(main.Env).To(ContainElements(tc.wantEnv))
			if len(tc.wantEnv) == 1 {
				g.Expect(main.Env).NotTo(ContainElement(corev1.EnvVar{Name: "A", Value: "base"}))
			}
			g.Expect(main.StartupProbe != nil).To(Equal(tc.wantStartupProbe))
		})
	}
}
