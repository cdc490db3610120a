package upgradeplan

import (
	"testing"

	. "github.com/onsi/gomega"
)

func TestClusterBuild(t *testing.T) {
	const record, other = `{"spec":{"image":"flink:1.20"}}`, `{"spec":{"image":"flink:2.3"}}`
	for _, tc := range []struct {
		name                             string
		annotations                      map[string]string
		restarts                         int64
		expectIsTarget, expectRestarting bool
	}{
		{name: "built from the spec, no restart", annotations: ClusterAnnotations(record, 0), expectIsTarget: true},
		{name: "built after the latest restart", annotations: ClusterAnnotations(record, 2), restarts: 2, expectIsTarget: true},
		{name: "a restart recorded since it was built", annotations: ClusterAnnotations(record, 1), restarts: 2, expectRestarting: true},
		{name: "built from another spec", annotations: ClusterAnnotations(other, 0)},
		{name: "not built by Teal (upstream's cluster)", annotations: map[string]string{}},
		{name: "restart count missing counts as none", annotations: map[string]string{AnnotationSpecHash: ClusterAnnotations(record, 0)[AnnotationSpecHash]},
			expectIsTarget: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := NewWithT(t)
			isTarget, restarting := ClusterBuild(tc.annotations, record, tc.restarts)
			g.Expect(isTarget).To(Equal(tc.expectIsTarget))
			g.Expect(restarting).To(Equal(tc.expectRestarting))
		})
	}
}

func TestSpecHashAfterInPlaceChange(t *testing.T) {
	const before, after, unrelated = `{"spec":{"job":{"parallelism":1}}}`, `{"spec":{"job":{"parallelism":2}}}`, `{"spec":{"image":"x"}}`
	for _, tc := range []struct {
		name          string
		annotations   map[string]string
		previous, now string
		relabel       bool
	}{
		{"built from the previous target: relabelled", ClusterAnnotations(before, 0), before, after, true},
		{"nothing changed: left alone", ClusterAnnotations(before, 0), before, before, false},
		{"built from another spec (an upgrade's old cluster): left alone", ClusterAnnotations(unrelated, 0), before, after, false},
		{"no annotations: left alone", nil, before, after, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := NewWithT(t)
			hash, relabel := SpecHashAfterInPlaceChange(tc.annotations, tc.previous, tc.now)
			g.Expect(relabel).To(Equal(tc.relabel))
			if tc.relabel {
				g.Expect(hash).To(Equal(ClusterAnnotations(tc.now, 0)[AnnotationSpecHash]))
				isTarget, _ := ClusterBuild(map[string]string{AnnotationSpecHash: hash}, tc.now, 0)
				g.Expect(isTarget).To(BeTrue(), "the relabelled JobManager counts as the new target's")
			}
		})
	}
}
