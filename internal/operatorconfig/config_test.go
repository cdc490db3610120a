package operatorconfig

import (
	"testing"
	"time"

	. "github.com/onsi/gomega"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
)

func TestDefaultsAndOverrides(t *testing.T) {
	g := NewWithT(t)
	operator := New(map[string]string{
		KeyReconcileInterval: "30 s",
		DefaultConfigurationPrefix + "taskmanager.numberOfTaskSlots":                    "2",
		DefaultConfigurationPrefix + "flink-version.v2_1.state.backend.type":            "rocksdb",
		DefaultConfigurationPrefix + "flink-version.v2_1.taskmanager.numberOfTaskSlots": "4",
	})
	g.Expect(operator.DurationOr(KeyReconcileInterval)).To(Equal(30 * time.Second))
	g.Expect(operator.DurationOr(KeyProgressCheckInterval)).To(Equal(10*time.Second), "upstream default")
	g.Expect(operator.Bool(KeyJMDeploymentRecovery)).To(BeTrue())
	g.Expect(operator.String(KeyRestURLTemplate)).To(Equal(DefaultRestURLTemplate))

	resource := operator.ForResource(map[string]string{KeySavepointOnDeletion: "true", "parallelism.default": "9", KeyReconcileInterval: "bogus"})
	g.Expect(resource.Bool(KeySavepointOnDeletion)).To(BeTrue())
	g.Expect(resource.DurationOr(KeyReconcileInterval)).To(Equal(30*time.Second), "reconcile.interval is operator-wide: a resource cannot change it")
	_, err := New(map[string]string{KeyReconcileInterval: "bogus"}).Duration(KeyReconcileInterval)
	g.Expect(err).To(MatchError(ContainSubstring(KeyReconcileInterval)))
	g.Expect(resource.Values()).NotTo(HaveKey("parallelism.default"), "only operator keys override")

	g.Expect(operator.FlinkDefaults(flinkv1beta1.FlinkVersionV1_20)).To(Equal(map[string]string{"taskmanager.numberOfTaskSlots": "2"}))
	g.Expect(operator.FlinkDefaults(flinkv1beta1.FlinkVersionV2_1)).To(Equal(map[string]string{
		"taskmanager.numberOfTaskSlots": "4", "state.backend.type": "rocksdb",
	}))
}

func TestDefaultConfigurationKeyWinsOverAPlainKey(t *testing.T) {
	g := NewWithT(t)
	config := New(map[string]string{"a": "plain", DefaultConfigurationPrefix + "a": "prefixed"})
	for i := 0; i < 20; i++ { // map order varies between runs
		g.Expect(config.FlinkDefaults(flinkv1beta1.FlinkVersionV1_20)).To(HaveKeyWithValue("a", "prefixed"))
	}
}
