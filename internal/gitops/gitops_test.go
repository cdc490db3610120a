package gitops

import (
	"testing"

	"github.com/fluxcd/pkg/runtime/conditions"
	. "github.com/onsi/gomega"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/cli-utils/pkg/kstatus/status"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
)

func deployment(generation, observed int64) *flinkv1beta1.FlinkDeployment {
	d := &flinkv1beta1.FlinkDeployment{ObjectMeta: metav1.ObjectMeta{Name: "d", Namespace: "n", Generation: generation}}
	d.APIVersion, d.Kind = flinkv1beta1.GroupVersion.String(), "FlinkDeployment"
	d.Status.ObservedGeneration = observed
	return d
}

func kstatus(g Gomega, obj runtime.Object) status.Status {
	raw, err := runtime.DefaultUnstructuredConverter.ToUnstructured(obj)
	g.Expect(err).NotTo(HaveOccurred())
	result, err := status.Compute(&unstructured.Unstructured{Object: raw})
	g.Expect(err).NotTo(HaveOccurred())
	return result.Status
}

// The contract table of docs/gitops.md, checked against kstatus itself.
func TestContractMatchesKstatus(t *testing.T) {
	cases := []struct {
		name     string
		mark     func(*flinkv1beta1.FlinkDeployment)
		observed int64
		want     status.Status
	}{
		{"work started on a new commit", func(d *flinkv1beta1.FlinkDeployment) { MarkReconciling(d, "Upgrading", "savepointing") }, 1, status.InProgressStatus},
		{"latest generation ready", func(d *flinkv1beta1.FlinkDeployment) { MarkReady(d, "Succeeded", "running") }, 2, status.CurrentStatus},
		{"suspended as asked", func(d *flinkv1beta1.FlinkDeployment) { MarkReady(d, "Suspended", "suspended") }, 2, status.CurrentStatus},
		{"needs a person", func(d *flinkv1beta1.FlinkDeployment) { MarkStalled(d, "ValidationError", "bad") }, 2, status.FailedStatus},
		{"ready but an older generation", func(d *flinkv1beta1.FlinkDeployment) { MarkReady(d, "Succeeded", "running") }, 1, status.InProgressStatus},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			g := NewWithT(t)
			d := deployment(2, tc.observed)
			tc.mark(d)
			g.Expect(kstatus(g, d)).To(Equal(tc.want))
		})
	}
}

func TestReconcilingAndStalledAreExclusive(t *testing.T) {
	g := NewWithT(t)
	d := deployment(1, 0)
	MarkStalled(d, "ValidationError", "bad")
	MarkReconciling(d, "Retrying", "again")
	g.Expect(conditions.Has(d, flinkv1beta1.ConditionStalled)).To(BeFalse())
	g.Expect(conditions.IsFalse(d, flinkv1beta1.ConditionReady)).To(BeTrue())
	MarkReady(d, "Succeeded", "ok")
	g.Expect(conditions.Has(d, flinkv1beta1.ConditionReconciling)).To(BeFalse())
	g.Expect(d.Status.Conditions).To(HaveLen(1))
	g.Expect(d.Status.Conditions[0].ObservedGeneration).To(BeEquivalentTo(1))
	MarkStalled(d, "JobFailed", "failed")
	g.Expect(conditions.Has(d, flinkv1beta1.ConditionReconciling)).To(BeFalse())
	g.Expect(Current(d)).To(Equal(Stalled))
}

func TestMetadataOperations(t *testing.T) {
	meta := func(fields map[string]any) map[string]any { return map[string]any{"metadata": fields} }
	cases := []struct {
		name          string
		before, after map[string]any
		want          []operation
	}{
		{"nothing changed", meta(map[string]any{"finalizers": []any{"a"}}), meta(map[string]any{"finalizers": []any{"a"}}), nil},
		{"first finalizer", meta(map[string]any{}), meta(map[string]any{"finalizers": []any{"a"}}),
			[]operation{{Op: "add", Path: "/metadata/finalizers", Value: []any{"a"}}}},
		{"finalizer removed: the list is tested first", meta(map[string]any{"finalizers": []any{"x", "a"}}), meta(map[string]any{"finalizers": []any{"x"}}),
			[]operation{{Op: "test", Path: "/metadata/finalizers", Value: []any{"x", "a"}}, {Op: "add", Path: "/metadata/finalizers", Value: []any{"x"}}}},
		{"last finalizer removed", meta(map[string]any{"finalizers": []any{"a"}}), meta(map[string]any{}),
			[]operation{{Op: "test", Path: "/metadata/finalizers", Value: []any{"a"}}, {Op: "add", Path: "/metadata/finalizers", Value: []any{}}}},
		{"annotations change key by key", meta(map[string]any{"annotations": map[string]any{"keep": "1", "teal.flink.apache.org/retry": "1", "old": "x"}}),
			meta(map[string]any{"annotations": map[string]any{"keep": "1", "old": "y"}}),
			[]operation{{Op: "add", Path: "/metadata/annotations/old", Value: "y"}, {Op: "remove", Path: "/metadata/annotations/teal.flink.apache.org~1retry"}}},
		{"first label", meta(map[string]any{}), meta(map[string]any{"labels": map[string]any{"a": "b"}}),
			[]operation{{Op: "add", Path: "/metadata/labels", Value: map[string]any{"a": "b"}}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			g := NewWithT(t)
			g.Expect(metadataOperations(tc.before, tc.after)).To(Equal(tc.want))
		})
	}
}
