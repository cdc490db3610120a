package resources

import (
	"testing"

	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func TestIsHAConfigMap(t *testing.T) {
	const jobID = "0123456789abcdef0123456789abcdef"
	native := map[string]string{LabelApp: "c", LabelType: TypeNative}
	for _, tc := range []struct {
		name     string
		cmName   string
		labels   map[string]string
		expectHA bool
	}{
		{name: "Flink 1.x labels it", cmName: "anything", labels: map[string]string{LabelApp: "c", "configmap-type": "high-availability"}, expectHA: true},
		{name: "Flink 2.x leader ConfigMap", cmName: "c-cluster-config-map", labels: native, expectHA: true},
		{name: "Flink 2.x job ConfigMap", cmName: "c-" + jobID + "-config-map", labels: native, expectHA: true},
		{name: "another cluster's", cmName: "d-cluster-config-map", labels: map[string]string{LabelApp: "d", "configmap-type": "high-availability"}},
		{name: "the operator's Flink configuration", cmName: ConfigMapName("c"), labels: native},
		{name: "a job id that is not one", cmName: "c-notajobid-config-map", labels: native},
		{name: "the right name on a standalone cluster's object", cmName: "c-cluster-config-map",
			labels: map[string]string{LabelApp: "c", LabelType: "flink-standalone-kubernetes"}},
		{name: "the right name of another cluster", cmName: "c-cluster-config-map", labels: map[string]string{LabelApp: "other", LabelType: TypeNative}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := NewWithT(t)
			configMap := corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: tc.cmName, Labels: tc.labels}}
			g.Expect(IsHAConfigMap("c", configMap)).To(Equal(tc.expectHA))
		})
	}
}

func TestTaskManagerCluster(t *testing.T) {
	for _, tc := range []struct {
		name          string
		labels        map[string]string
		expectCluster string
	}{
		{name: "native TaskManager", labels: Selector("c", ComponentTaskManager, TypeNative), expectCluster: "c"},
		{name: "standalone TaskManager", labels: Selector("c", ComponentTaskManager, TypeStandalone), expectCluster: "c"},
		{name: "JobManager", labels: Selector("c", ComponentJobManager, TypeNative)},
		{name: "not a Flink pod", labels: map[string]string{LabelApp: "c", LabelComponent: ComponentTaskManager}},
		{name: "no labels"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := NewWithT(t)
			cluster, ok := TaskManagerCluster(tc.labels)
			g.Expect(ok).To(Equal(tc.expectCluster != ""))
			if ok {
				g.Expect(cluster).To(Equal(tc.expectCluster))
			}
		})
	}
}
