package crd

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"testing"

	"github.com/google/go-cmp/cmp"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/util/rand"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
	"github.com/teal-flink/teal/test/testenv"
)

var env *testenv.Env

func TestMain(m *testing.M) { testenv.Main(m, &env, testenv.Options{}) }

// newNamespace creates a namespace for one test.
func newNamespace(g Gomega) string {
	name := "crd-" + rand.String(6)
	g.Expect(env.Client.Create(testenv.Context(), &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name}})).To(Succeed())
	return name
}

// manifests returns the YAML files of the samples and of the upstream-shaped test data.
func manifests(t *testing.T) []string {
	var files []string
	for _, dir := range []string{filepath.Join(env.Root, "config", "samples"), "testdata"} {
		matches, err := filepath.Glob(filepath.Join(dir, "*.yaml"))
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, matches...)
	}
	sort.Strings(files)
	if len(files) < 10 {
		t.Fatalf("expected the samples and upstream manifests, found only %v", files)
	}
	return files
}

func readManifest(g Gomega, path string) *unstructured.Unstructured {
	raw, err := os.ReadFile(path)
	g.Expect(err).NotTo(HaveOccurred())
	object := &unstructured.Unstructured{}
	g.Expect(yaml.Unmarshal(raw, &object.Object)).To(Succeed())
	return object
}

// asJSONValue normalises numbers and maps so a YAML document and the API server's JSON compare by meaning.
func asJSONValue(g Gomega, value any) any {
	raw, err := json.Marshal(value)
	g.Expect(err).NotTo(HaveOccurred())
	var out any
	g.Expect(json.Unmarshal(raw, &out)).To(Succeed())
	return out
}

func TestManifestsRoundTripThroughTheAPIServer(t *testing.T) {
	for _, path := range manifests(t) {
		t.Run(filepath.Base(path), func(t *testing.T) {
			g := NewWithT(t)
			ctx := testenv.Context()
			written := readManifest(g, path)
			object := written.DeepCopy()
			object.SetNamespace(newNamespace(g))
			g.Expect(env.Client.Create(ctx, object)).To(Succeed())

			read := &unstructured.Unstructured{}
			read.SetGroupVersionKind(written.GroupVersionKind())
			g.Expect(env.Client.Get(ctx, client.ObjectKeyFromObject(object), read)).To(Succeed())
			if diff := cmp.Diff(asJSONValue(g, written.Object["spec"]), asJSONValue(g, read.Object["spec"])); diff != "" {
				t.Fatalf("the API server changed the spec of %s (-written +read):\n%s", path, diff)
			}
			g.Expect(read.GetLabels()).To(Equal(written.GetLabels()))

			// The typed client reads the same object back into Teal's Go types without losing a field.
			typed, err := env.Scheme.New(written.GroupVersionKind())
			g.Expect(err).NotTo(HaveOccurred())
			typedObject := typed.(client.Object)
			g.Expect(env.Client.Get(ctx, client.ObjectKeyFromObject(object), typedObject)).To(Succeed())
			typedJSON, err := json.Marshal(typedObject)
			g.Expect(err).NotTo(HaveOccurred())
			var typedMap map[string]any
			g.Expect(json.Unmarshal(typedJSON, &typedMap)).To(Succeed())
			g.Expect(subsetDiff(asJSONValue(g, written.Object["spec"]), typedMap["spec"])).To(BeEmpty(),
				"the Go types dropped or changed fields of %s", path)
		})
	}
}

// subsetDiff lists the paths of want that got lacks or holds differently (got may add empty defaults).
func subsetDiff(want, got any) []string {
	var problems []string
	var walk func(path string, want, got any)
	walk = func(path string, want, got any) {
		switch typed := want.(type) {
		case map[string]any:
			gotMap, ok := got.(map[string]any)
			if !ok {
				if len(typed) == 0 && got == nil {
					return
				}
				problems = append(problems, fmt.Sprintf("%s: want object, got %v", path, got))
				return
			}
			for key, child := range typed {
				walk(path+"."+key, child, gotMap[key])
			}
		case []any:
			gotList, ok := got.([]any)
			if !ok && len(typed) == 0 {
				return
			}
			if !ok || len(gotList) != len(typed) {
				problems = append(problems, fmt.Sprintf("%s: want %v, got %v", path, typed, got))
				return
			}
			for i := range typed {
				walk(fmt.Sprintf("%s[%d]", path, i), typed[i], gotList[i])
			}
		default:
			// Zero values the Go types omit (nonce 0, false) read back as absent.
			if got == nil && (want == float64(0) || want == false || want == "") {
				return
			}
			if !cmp.Equal(want, got) {
				problems = append(problems, fmt.Sprintf("%s: want %v, got %v", path, want, got))
			}
		}
	}
	walk("spec", want, got)
	return problems
}

func TestUnknownFlinkConfigurationKeysSurvive(t *testing.T) {
	g := NewWithT(t)
	ctx := testenv.Context()
	object := readManifest(g, filepath.Join("testdata", "upstream-pod-template.yaml"))
	object.SetNamespace(newNamespace(g))
	g.Expect(env.Client.Create(ctx, object)).To(Succeed())

	deployment := &flinkv1beta1.FlinkDeployment{}
	g.Expect(env.Client.Get(ctx, client.ObjectKeyFromObject(object), deployment)).To(Succeed())
	flat, err := deployment.Spec.FlinkConfiguration.Flatten()
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(flat).To(HaveKeyWithValue("my.company.custom-option", "keep me"))
	g.Expect(flat).To(HaveKeyWithValue("metrics.reporter.prom.port", "9249"))
	g.Expect(flat).To(HaveKeyWithValue("metrics.reporter.prom.factory.class", "org.apache.flink.metrics.prometheus.PrometheusReporterFactory"))
	g.Expect(deployment.Spec.TaskManager.PodTemplate.Spec.NodeSelector).To(HaveKeyWithValue("disktype", "ssd"))
}

func TestSchemaRejectsValuesOutsideTheEnums(t *testing.T) {
	cases := []struct {
		name      string
		file      string
		path      []string
		value     any
		fieldPath string
		// mentionsValue: an enum rejection quotes the rejected value; a type mismatch names the type.
		mentionsValue bool
	}{
		{"upgrade mode", filepath.Join("testdata", "upstream-basic.yaml"), []string{"spec", "job", "upgradeMode"}, "rolling", "spec.job.upgradeMode", true},
		{"flink version", filepath.Join("testdata", "upstream-basic.yaml"), []string{"spec", "flinkVersion"}, "v9_9", "spec.flinkVersion", true},
		{"job state", filepath.Join("testdata", "upstream-basic.yaml"), []string{"spec", "job", "state"}, "paused", "spec.job.state", true},
		{"deployment mode", filepath.Join("testdata", "upstream-basic.yaml"), []string{"spec", "mode"}, "yarn", "spec.mode", true},
		{"parallelism type", filepath.Join("testdata", "upstream-basic.yaml"), []string{"spec", "job", "parallelism"}, "two", "spec.job.parallelism", false},
		{"snapshot job kind", filepath.Join(env.Root, "config", "samples", "flinkstatesnapshot-savepoint.yaml"), []string{"spec", "jobReference", "kind"}, "Deployment", "spec.jobReference.kind", true},
		{"savepoint format", filepath.Join(env.Root, "config", "samples", "flinkstatesnapshot-savepoint.yaml"), []string{"spec", "savepoint", "formatType"}, "ZIP", "spec.savepoint.formatType", true},
		{"blue/green child upgrade mode", filepath.Join("testdata", "upstream-bluegreen.yaml"), []string{"spec", "template", "spec", "job", "upgradeMode"}, "rolling", "spec.template.spec.job.upgradeMode", true},
		{"flink configuration must be an object", filepath.Join("testdata", "upstream-basic.yaml"), []string{"spec", "flinkConfiguration"}, "taskmanager.numberOfTaskSlots=2", "spec.flinkConfiguration", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			g := NewWithT(t)
			object := readManifest(g, tc.file)
			object.SetNamespace(newNamespace(g))
			g.Expect(unstructured.SetNestedField(object.Object, tc.value, tc.path...)).To(Succeed())
			err := env.Client.Create(testenv.Context(), object)
			g.Expect(apierrors.IsInvalid(err)).To(BeTrue(), "want an Invalid error, got %v", err)
			g.Expect(err.Error()).To(ContainSubstring(tc.fieldPath))
			if tc.mentionsValue {
				g.Expect(err.Error()).To(ContainSubstring(fmt.Sprint(tc.value)))
			}
		})
	}
}

func TestScaleSubresourceDrivesTaskManagerReplicas(t *testing.T) {
	g := NewWithT(t)
	ctx := testenv.Context()
	object := readManifest(g, filepath.Join(env.Root, "config", "samples", "flinkdeployment-standalone.yaml"))
	object.SetNamespace(newNamespace(g))
	g.Expect(env.Client.Create(ctx, object)).To(Succeed())

	deployment := &flinkv1beta1.FlinkDeployment{}
	deployment.SetName(object.GetName())
	deployment.SetNamespace(object.GetNamespace())
	scale := &unstructured.Unstructured{}
	scale.SetAPIVersion("autoscaling/v1")
	scale.SetKind("Scale")
	g.Expect(env.Client.SubResource("scale").Get(ctx, deployment, scale)).To(Succeed())
	replicas, _, err := unstructured.NestedInt64(scale.Object, "spec", "replicas")
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(replicas).To(BeEquivalentTo(2))

	g.Expect(unstructured.SetNestedField(scale.Object, int64(5), "spec", "replicas")).To(Succeed())
	scale.SetAPIVersion("autoscaling/v1")
	scale.SetKind("Scale")
	g.Expect(env.Client.SubResource("scale").Update(ctx, deployment, client.WithSubResourceBody(scale))).To(Succeed())
	g.Expect(env.Client.Get(ctx, client.ObjectKeyFromObject(deployment), deployment)).To(Succeed())
	g.Expect(*deployment.Spec.TaskManager.Replicas).To(BeEquivalentTo(5))
}
