package manager

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"

	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
	"github.com/teal-flink/teal/internal/operatorconfig"
	"github.com/teal-flink/teal/validators"
	"github.com/teal-flink/teal/webhooks"
)

func savepointDeployment(namespace string, version flinkv1beta1.FlinkVersion) *flinkv1beta1.FlinkDeployment {
	resources := &corev1.ResourceRequirements{Requests: corev1.ResourceList{
		corev1.ResourceCPU: resource.MustParse("1"), corev1.ResourceMemory: resource.MustParse("2048m")}}
	return &flinkv1beta1.FlinkDeployment{
		ObjectMeta: metav1.ObjectMeta{Name: "job", Namespace: namespace},
		Spec: flinkv1beta1.FlinkDeploymentSpec{
			Image: "flink:1.20", ServiceAccount: "flink", FlinkVersion: version,
			JobManager:  &flinkv1beta1.JobManagerSpec{Resources: resources},
			TaskManager: &flinkv1beta1.TaskManagerSpec{Resources: resources},
			Job: &flinkv1beta1.JobSpec{JarURI: "local:///opt/flink/job.jar", Parallelism: 1,
				UpgradeMode: flinkv1beta1.UpgradeModeSavepoint, State: flinkv1beta1.JobStateRunning},
		},
	}
}

// TestWebhookUsesTheConfigurationInForce: the webhook computes its options per request, so a deployment whose
// state directories come from the operator's per-version or per-namespace defaults is admitted (before the fix
// the webhook computed its options once, without those defaults, and rejected what the controller accepts),
// and a reload is seen at once.
func TestWebhookUsesTheConfigurationInForce(t *testing.T) {
	var config atomic.Pointer[operatorconfig.Config]
	config.Store(operatorconfig.New(map[string]string{
		operatorconfig.DefaultConfigurationPrefix + "flink-version.v1_20+.state.checkpoints.dir": "file:///cp",
		operatorconfig.DefaultConfigurationPrefix + "flink-version.v1_20+.state.savepoints.dir":  "file:///sp",
		operatorconfig.DefaultConfigurationPrefix + "namespace.team-a.state.checkpoints.dir":     "file:///a/cp",
		operatorconfig.DefaultConfigurationPrefix + "namespace.team-a.state.savepoints.dir":      "file:///a/sp",
	}))
	opts := Options{OperatorConfig: config.Load, Validator: validators.NewRegistry()}
	validator := webhooks.NewFlinkDeploymentValidator(webhooks.Options{
		Validator: opts.Validator,
		OptionsFor: func(namespace string, version flinkv1beta1.FlinkVersion) (validators.Options, error) {
			return validatorOptions(opts, namespace, version)
		},
	})
	cases := []struct {
		name      string
		namespace string
		version   flinkv1beta1.FlinkVersion
		admitted  bool
	}{
		{name: "version+ defaults apply", namespace: "team-b", version: flinkv1beta1.FlinkVersionV2_0, admitted: true},
		{name: "below the version: no state directories", namespace: "team-b", version: flinkv1beta1.FlinkVersionV1_19},
		{name: "namespace defaults apply in their namespace", namespace: "team-a", version: flinkv1beta1.FlinkVersionV1_19, admitted: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			g := NewWithT(t)
			_, err := validator.ValidateCreate(context.Background(), savepointDeployment(tc.namespace, tc.version))
			if tc.admitted {
				g.Expect(err).NotTo(HaveOccurred())
			} else {
				g.Expect(err).To(MatchError(ContainSubstring("spec.job.upgradeMode")))
			}
		})
	}
	t.Run("a reload is seen by the next request", func(t *testing.T) {
		g := NewWithT(t)
		config.Store(operatorconfig.New(map[string]string{
			operatorconfig.DefaultConfigurationPrefix + "state.checkpoints.dir": "file:///cp",
			operatorconfig.DefaultConfigurationPrefix + "state.savepoints.dir":  "file:///sp",
		}))
		_, err := validator.ValidateCreate(context.Background(), savepointDeployment("team-b", flinkv1beta1.FlinkVersionV1_19))
		g.Expect(err).NotTo(HaveOccurred())
	})
}

// BenchmarkValidatorOptions measures the per-request option computation the webhooks now do (an operator
// configuration of 40 keys, with namespace and version defaults): the cached path, and the computation a
// reload or a new namespace costs once.
func BenchmarkValidatorOptions(b *testing.B) {
	values := map[string]string{}
	for i := 0; i < 30; i++ {
		values[fmt.Sprintf("%sflink-version.v1_%d+.key%d", operatorconfig.DefaultConfigurationPrefix, 15+i%6, i)] = "x"
	}
	for i := 0; i < 10; i++ {
		values[fmt.Sprintf("%snamespace.team-%d.key%d", operatorconfig.DefaultConfigurationPrefix, i, i)] = "x"
	}
	config := operatorconfig.New(values)
	opts := Options{OperatorConfig: func() *operatorconfig.Config { return config }}
	b.Run("cached", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := validatorOptions(opts, "team-1", flinkv1beta1.FlinkVersionV1_20); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("computed", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := computeValidatorOptions(config, "team-1", flinkv1beta1.FlinkVersionV1_20); err != nil {
				b.Fatal(err)
			}
		}
	})
}
