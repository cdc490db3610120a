package conditions_test

import (
	"strings"
	"testing"
	"time"

	. "github.com/onsi/gomega"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
	"github.com/teal-flink/teal/internal/conditions"
)

func newObject(generation int64) *flinkv1beta1.FlinkDeployment {
	return &flinkv1beta1.FlinkDeployment{ObjectMeta: metav1.ObjectMeta{Name: "x", Generation: generation}}
}

func TestMarkStampsTheGenerationAndKeepsReadyFirst(t *testing.T) {
	g := NewWithT(t)
	obj := newObject(3)
	conditions.MarkTrue(obj, "Running", "JobRunning", "job %s runs", "abc")
	conditions.MarkFalse(obj, conditions.Ready, "Progressing", "deploying")
	conditions.MarkUnknown(obj, "Alpha", "Unknown", "")
	types := []string{}
	for _, c := range obj.GetConditions() {
		types = append(types, c.Type)
		g.Expect(c.ObservedGeneration).To(Equal(int64(3)))
		g.Expect(c.LastTransitionTime.IsZero()).To(BeFalse())
	}
	g.Expect(types).To(Equal([]string{conditions.Ready, "Alpha", "Running"}))
	g.Expect(conditions.GetMessage(obj, "Running")).To(Equal("job abc runs"))
	g.Expect(conditions.IsFalse(obj, conditions.Ready)).To(BeTrue())
	g.Expect(conditions.IsUnknown(obj, "Alpha")).To(BeTrue())
	g.Expect(conditions.IsUnknown(obj, "Missing")).To(BeTrue())
	g.Expect(conditions.GetReason(obj, "Missing")).To(BeEmpty())
}

func TestLastTransitionTimeMovesOnlyWithTheStatus(t *testing.T) {
	g := NewWithT(t)
	obj := newObject(1)
	long := metav1.NewTime(time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC))
	obj.SetConditions([]metav1.Condition{{Type: conditions.Ready, Status: metav1.ConditionFalse, Reason: "A", LastTransitionTime: long}})

	obj.Generation = 2
	conditions.MarkFalse(obj, conditions.Ready, "B", "another reason, same status")
	ready := conditions.Get(obj, conditions.Ready)
	g.Expect(ready.LastTransitionTime).To(Equal(long))
	g.Expect(ready.Reason).To(Equal("B"))
	g.Expect(ready.ObservedGeneration).To(Equal(int64(2)))

	conditions.MarkTrue(obj, conditions.Ready, "Succeeded", "done")
	g.Expect(conditions.Get(obj, conditions.Ready).LastTransitionTime.After(long.Time)).To(BeTrue())
}

func TestReconcilingAndStalledExcludeEachOther(t *testing.T) {
	g := NewWithT(t)
	obj := newObject(1)
	conditions.MarkReconciling(obj, "Progressing", "working")
	g.Expect(conditions.IsReconciling(obj)).To(BeTrue())
	conditions.MarkStalled(obj, "InvalidSpec", "fix it")
	g.Expect(conditions.IsStalled(obj)).To(BeTrue())
	g.Expect(conditions.Has(obj, conditions.Reconciling)).To(BeFalse())
	conditions.MarkReconciling(obj, "Progressing", "again")
	g.Expect(conditions.Has(obj, conditions.Stalled)).To(BeFalse())
	conditions.Delete(obj, conditions.Reconciling)
	g.Expect(obj.GetConditions()).To(BeEmpty())
}

func TestMessagesAreBoundedToWhatTheAPIServerAccepts(t *testing.T) {
	g := NewWithT(t)
	obj := newObject(1)
	conditions.MarkFalse(obj, conditions.Ready, "Failed", "%s", strings.Repeat("é", 40000))
	message := conditions.GetMessage(obj, conditions.Ready)
	g.Expect(len(message)).To(BeNumerically("<=", 32768))
	g.Expect(message).To(HaveSuffix("(truncated)"))
	g.Expect(strings.ToValidUTF8(message, "?")).To(Equal(message))
}

func TestReport(t *testing.T) {
	g := NewWithT(t)
	deployment := &flinkv1beta1.FlinkDeployment{}
	g.Expect(conditions.Report(deployment, "TaskManagers", "TaskManagerFailed", "")).To(BeFalse())
	g.Expect(conditions.Has(deployment, "TaskManagers")).To(BeFalse())
	g.Expect(conditions.Report(deployment, "TaskManagers", "TaskManagerFailed", "pod a: ErrImagePull")).To(BeTrue(), "a run of failures begins")
	g.Expect(conditions.Report(deployment, "TaskManagers", "TaskManagerFailed", "pod b: ErrImagePull")).To(BeFalse(), "the same run, another message")
	g.Expect(conditions.GetMessage(deployment, "TaskManagers")).To(Equal("pod b: ErrImagePull"))
	g.Expect(conditions.IsFalse(deployment, "TaskManagers")).To(BeTrue())
	g.Expect(conditions.Report(deployment, "TaskManagers", "OtherReason", "pod b: ErrImagePull")).To(BeTrue(), "another reason is news")
	g.Expect(conditions.Report(deployment, "TaskManagers", "TaskManagerFailed", "")).To(BeFalse())
	g.Expect(conditions.Has(deployment, "TaskManagers")).To(BeFalse(), "over: removed")
	g.Expect(conditions.Report(deployment, "TaskManagers", "TaskManagerFailed", "pod c: Unschedulable")).To(BeTrue(), "a new run")
}
