package operatorconfig

import (
	"testing"
	"time"

	. "github.com/onsi/gomega"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
)

func TestParseDuration(t *testing.T) {
	cases := map[string]time.Duration{
		"10 s": 10 * time.Second, "1 min": time.Minute, "500ms": 500 * time.Millisecond, "600000": 10 * time.Minute,
		"2h": 2 * time.Hour, "1d": 24 * time.Hour, "PT10M": 10 * time.Minute, "PT0.5S": 500 * time.Millisecond,
		"P1DT2H": 26 * time.Hour, "0 ms": 0, "15 seconds": 15 * time.Second,
	}
	for input, want := range cases {
		t.Run(input, func(t *testing.T) {
			g := NewWithT(t)
			got, err := ParseDuration(input)
			g.Expect(err).NotTo(HaveOccurred())
			g.Expect(got).To(Equal(want))
		})
	}
	for _, bad := range []string{"", "ten seconds", "10 fortnights", "-5s", "P"} {
		t.Run("rejects "+bad, func(t *testing.T) {
			_, err := ParseDuration(bad)
			NewWithT(t).Expect(err).To(HaveOccurred())
		})
	}
}

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
	_, err := resource.Duration(KeyReconcileInterval)
	g.Expect(err).To(MatchError(ContainSubstring(KeyReconcileInterval)))
	g.Expect(resource.DurationOr(KeyReconcileInterval)).To(Equal(time.Minute))
	g.Expect(resource.Values()).NotTo(HaveKey("parallelism.default"), "only operator keys override")

	g.Expect(operator.FlinkDefaults(flinkv1beta1.FlinkVersionV1_20)).To(Equal(map[string]string{"taskmanager.numberOfTaskSlots": "2"}))
	g.Expect(operator.FlinkDefaults(flinkv1beta1.FlinkVersionV2_1)).To(Equal(map[string]string{
		"taskmanager.numberOfTaskSlots": "4", "state.backend.type": "rocksdb",
	}))
}
