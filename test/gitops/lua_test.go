package gitops

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	. "github.com/onsi/gomega"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	utiljson "k8s.io/apimachinery/pkg/util/json"
	"sigs.k8s.io/cli-utils/pkg/kstatus/status"

	"github.com/teal-flink/teal/test/testenv"
)

var kinds = []string{"FlinkDeployment", "FlinkSessionJob", "FlinkBlueGreenDeployment", "FlinkStateSnapshot"}

// object is the part of any Teal kind a health script reads.
type object struct {
	Metadata metav1.ObjectMeta `json:"metadata"`
	Status   *objectStatus     `json:"status,omitempty"`
}

type objectStatus struct {
	ObservedGeneration int64              `json:"observedGeneration,omitempty"`
	Conditions         []metav1.Condition `json:"conditions,omitempty"`
}

func condition(kind, status, reason string, generation int64) metav1.Condition {
	return metav1.Condition{Type: kind, Status: metav1.ConditionStatus(status), Reason: reason, Message: reason + " message", ObservedGeneration: generation}
}

func TestHealthScriptsOfAllKinds(t *testing.T) {
	now := metav1.Now()
	cases := []struct {
		name   string
		obj    object
		health string
	}{
		{"no status yet", object{Metadata: metav1.ObjectMeta{Generation: 1}}, "Progressing"},
		{"working on a new commit", object{Metadata: metav1.ObjectMeta{Generation: 2}, Status: &objectStatus{ObservedGeneration: 1, Conditions: []metav1.Condition{
			condition("Ready", "False", "Transitioning", 2), condition("Reconciling", "True", "Transitioning", 2)}}}, "Progressing"},
		{"ready with the latest generation", object{Metadata: metav1.ObjectMeta{Generation: 2}, Status: &objectStatus{ObservedGeneration: 2, Conditions: []metav1.Condition{
			condition("Ready", "True", "Succeeded", 2)}}}, "Healthy"},
		{"ready but an older generation observed", object{Metadata: metav1.ObjectMeta{Generation: 3}, Status: &objectStatus{ObservedGeneration: 2, Conditions: []metav1.Condition{
			condition("Ready", "True", "Succeeded", 2)}}}, "Progressing"},
		{"suspended as asked", object{Metadata: metav1.ObjectMeta{Generation: 2}, Status: &objectStatus{ObservedGeneration: 2, Conditions: []metav1.Condition{
			condition("Ready", "True", "Suspended", 2)}}}, "Suspended"},
		{"stalled", object{Metadata: metav1.ObjectMeta{Generation: 2}, Status: &objectStatus{ObservedGeneration: 2, Conditions: []metav1.Condition{
			condition("Ready", "False", "TransitionAborted", 2), condition("Stalled", "True", "TransitionAborted", 2)}}}, "Degraded"},
		{"retrying a transient error", object{Metadata: metav1.ObjectMeta{Generation: 2}, Status: &objectStatus{ObservedGeneration: 1, Conditions: []metav1.Condition{
			condition("Ready", "Unknown", "Retrying", 2), condition("Reconciling", "True", "Retrying", 2)}}}, "Progressing"},
		{"being deleted", object{Metadata: metav1.ObjectMeta{Generation: 2, DeletionTimestamp: &now}, Status: &objectStatus{ObservedGeneration: 2, Conditions: []metav1.Condition{
			condition("Ready", "True", "Succeeded", 2)}}}, "Progressing"},
	}
	for _, kind := range kinds {
		for _, tc := range cases {
			t.Run(kind+"/"+tc.name, func(t *testing.T) {
				g := NewWithT(t)
				health, err := EvaluateHealth(kind, tc.obj)
				g.Expect(err).NotTo(HaveOccurred())
				g.Expect(health.Status).To(Equal(tc.health), "message: %s", health.Message)
			})
		}
	}
}

// TestArgoCDConfigMapCarriesTheScripts: every kind's health check in the argocd-cm snippet is the one shared
// script, config/argocd/health.lua (hack/argocdcm generates the snippet).
func TestArgoCDConfigMapCarriesTheScripts(t *testing.T) {
	g := NewWithT(t)
	source, err := os.ReadFile(filepath.Join(testenv.RepoRoot(), "config", "argocd", "health.lua"))
	g.Expect(err).NotTo(HaveOccurred())
	for _, kind := range kinds {
		script, err := HealthScript(kind)
		g.Expect(err).NotTo(HaveOccurred())
		g.Expect(script).To(Equal(string(source)), "the %s script in argocd-cm.yaml is out of date: run make manifests", kind)
	}
}

// TestHealthGenerationNotObservedBeforeStalled is defect 4: a fix committed on top of a Stalled generation reads
// Progressing (as kstatus says InProgress) until the operator reacts, not Degraded.
func TestHealthGenerationNotObservedBeforeStalled(t *testing.T) {
	fix := object{Metadata: metav1.ObjectMeta{Generation: 3}, Status: &objectStatus{ObservedGeneration: 2, Conditions: []metav1.Condition{
		condition("Ready", "False", "TransitionAborted", 2), condition("Stalled", "True", "TransitionAborted", 2)}}}
	for _, kind := range kinds {
		t.Run(kind, func(t *testing.T) {
			g := NewWithT(t)
			health, err := EvaluateHealth(kind, fix)
			g.Expect(err).NotTo(HaveOccurred())
			g.Expect(health.Status).To(Equal("Progressing"), "message: %s", health.Message)
			g.Expect(kstatusOf(g, fix)).To(Equal(status.InProgressStatus))
		})
	}
}

// kstatusOf computes kstatus for a health-script test object.
func kstatusOf(g Gomega, obj object) status.Status {
	raw, err := json.Marshal(obj)
	g.Expect(err).NotTo(HaveOccurred())
	content := map[string]any{}
	g.Expect(utiljson.Unmarshal(raw, &content)).To(Succeed())
	content["apiVersion"], content["kind"] = "flink.apache.org/v1beta1", "FlinkDeployment"
	result, err := status.Compute(&unstructured.Unstructured{Object: content})
	g.Expect(err).NotTo(HaveOccurred())
	return result.Status
}
