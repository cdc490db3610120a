package upgradeplan

import (
	"testing"
	"time"

	. "github.com/onsi/gomega"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
)

func TestParseParallelismOverrides(t *testing.T) {
	cases := []struct {
		value string
		want  map[string]int
		err   bool
	}{
		{"", map[string]int{}, false},
		{"bc764cd8ddf7a0cff126f51c16239658:4", map[string]int{"bc764cd8ddf7a0cff126f51c16239658": 4}, false},
		{" a:2 , b:3,", map[string]int{"a": 2, "b": 3}, false},
		{"a", nil, true},
		{"a:0", nil, true},
		{"a:two", nil, true},
		{":2", nil, true},
	}
	for _, tc := range cases {
		t.Run(tc.value, func(t *testing.T) {
			g := NewWithT(t)
			got, err := ParseParallelismOverrides(tc.value)
			if tc.err {
				g.Expect(err).To(MatchError(ContainSubstring("pipeline.jobvertex-parallelism-overrides")))
				return
			}
			g.Expect(err).NotTo(HaveOccurred())
			g.Expect(got).To(Equal(tc.want))
		})
	}
}

func TestRescalesInPlace(t *testing.T) {
	adaptive := map[string]string{"jobmanager.scheduler": "Adaptive"}
	g := NewWithT(t)
	g.Expect(RescalesInPlace(flinkv1beta1.FlinkVersionV1_18, adaptive)).To(BeTrue())
	g.Expect(RescalesInPlace(flinkv1beta1.FlinkVersionV2_1, adaptive)).To(BeTrue())
	g.Expect(RescalesInPlace(flinkv1beta1.FlinkVersionV1_17, adaptive)).To(BeFalse(), "Flink 1.17 has no resource-requirements endpoint")
	g.Expect(RescalesInPlace(flinkv1beta1.FlinkVersionV1_20, map[string]string{})).To(BeFalse(), "the default scheduler cannot rescale")
	g.Expect(RescalesInPlace("", adaptive)).To(BeFalse(), "an unknown version is not assumed new enough")
}

func TestShutdownRemaining(t *testing.T) {
	g := NewWithT(t)
	finished := time.UnixMilli(1_000_000)
	g.Expect(ShutdownRemaining(finished.Add(time.Hour), finished, 24*time.Hour)).To(Equal(23 * time.Hour))
	g.Expect(ShutdownRemaining(finished.Add(25*time.Hour), finished, 24*time.Hour)).To(BeNumerically("<", 0))
}
