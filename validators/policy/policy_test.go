package policy_test

import (
	"path/filepath"
	"runtime"
	"testing"

	. "github.com/onsi/gomega"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
	"github.com/teal-flink/teal/validators"
	"github.com/teal-flink/teal/validators/policy"
)

func samplesDir() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", "config", "samples", "policies")
}

func deployment(image string, config map[string]string) *flinkv1beta1.FlinkDeployment {
	return &flinkv1beta1.FlinkDeployment{
		ObjectMeta: metav1.ObjectMeta{Name: "x", Namespace: "flink"},
		Spec: flinkv1beta1.FlinkDeploymentSpec{Image: image, Job: &flinkv1beta1.JobSpec{Parallelism: 1},
			FlinkConfiguration: flinkv1beta1.NewConfigObject(config)},
	}
}

func paths(errs field.ErrorList) []string {
	out := []string{}
	for _, e := range errs {
		out = append(out, e.Field)
	}
	return out
}

func TestSamplePolicies(t *testing.T) {
	set := policy.NewSet()
	NewWithT(t).Expect(set.LoadFiles(samplesDir())).To(Succeed())
	cases := []struct {
		name string
		obj  *flinkv1beta1.FlinkDeployment
		want []string
	}{
		{name: "compliant", obj: deployment("registry.example.com/flink/app:1", map[string]string{"state.checkpoints.dir": "s3://flink-state/app"})},
		{name: "foreign image", obj: deployment("docker.io/flink:1.20", map[string]string{"state.checkpoints.dir": "s3://flink-state/app"}),
			want: []string{"spec.image"}},
		{name: "checkpoints elsewhere", obj: deployment("registry.example.com/flink/app:1", map[string]string{"state.checkpoints.dir": "s3://other/app"}),
			want: []string{"spec.flinkConfiguration[state.checkpoints.dir]"}},
		{name: "no checkpoint dir", obj: deployment("registry.example.com/flink/app:1", map[string]string{}),
			want: []string{"spec.flinkConfiguration"}},
		{name: "both", obj: deployment("", map[string]string{"state.checkpoints.dir": "/tmp"}),
			want: []string{"spec", "spec.flinkConfiguration[state.checkpoints.dir]"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			g := NewWithT(t)
			errs := set.ValidateFlinkDeployment(tc.obj, nil, validators.Options{})
			if tc.want == nil {
				tc.want = []string{}
			}
			g.Expect(paths(errs)).To(ConsistOf(tc.want), "errors: %v", errs)
			for _, e := range errs {
				g.Expect(e.Detail).To(ContainSubstring("violates policy"))
			}
		})
	}
}

func TestLoadKeepsPreviousPoliciesOnError(t *testing.T) {
	g := NewWithT(t)
	set := policy.NewSet()
	g.Expect(set.LoadFiles(samplesDir())).To(Succeed())
	g.Expect(set.Len()).To(Equal(2))
	g.Expect(set.Load(map[string][]byte{"bad.yaml": []byte("kind: Pod\nschema: {}")})).To(MatchError(ContainSubstring("kind")))
	g.Expect(set.Load(map[string][]byte{"bad.yaml": []byte("kind: FlinkDeployment\nschema: {type: 12}")})).To(HaveOccurred())
	g.Expect(set.Load(map[string][]byte{"ref.yaml": []byte("kind: FlinkDeployment\nschema: {$ref: 'file:///etc/passwd'}")})).To(HaveOccurred())
	g.Expect(set.Len()).To(Equal(2))
}

func TestPolicyScopedToKind(t *testing.T) {
	g := NewWithT(t)
	set := policy.NewSet()
	g.Expect(set.Load(map[string][]byte{"jobs.json": []byte(`{"kind":"FlinkSessionJob","schema":{"properties":{"spec":{"required":["restartNonce"]}}}}`)})).To(Succeed())
	g.Expect(set.ValidateFlinkDeployment(deployment("", nil), nil, validators.Options{})).To(BeEmpty())
	errs := set.ValidateFlinkSessionJob(&flinkv1beta1.FlinkSessionJob{}, nil, nil, validators.Options{})
	g.Expect(paths(errs)).To(Equal([]string{"spec"}))
}

func TestConfigMapRef(t *testing.T) {
	g := NewWithT(t)
	ns, name := policy.ConfigMapRef("", "teal-system")
	g.Expect([]string{ns, name}).To(Equal([]string{"teal-system", policy.DefaultConfigMapName}))
	ns, name = policy.ConfigMapRef("ops/rules", "teal-system")
	g.Expect([]string{ns, name}).To(Equal([]string{"ops", "rules"}))
}

func FuzzPolicyEvaluate(f *testing.F) {
	set := policy.NewSet()
	if err := set.LoadFiles(samplesDir()); err != nil {
		f.Fatal(err)
	}
	f.Add("registry.example.com/flink/x", "s3://flink-state/a")
	f.Fuzz(func(t *testing.T, image, dir string) {
		set.ValidateFlinkDeployment(deployment(image, map[string]string{"state.checkpoints.dir": dir, dir: image}), nil, validators.Options{})
	})
}

// TestKindWithoutPoliciesSkipsTheJSONRoundTrip: admission of a kind no policy covers (most installations have
// no policies at all) must not encode the object to JSON and back for schemas that will not read it — it was a
// tenth of the webhooks' CPU. Counting allocations is deterministic: none at all.
func TestKindWithoutPoliciesSkipsTheJSONRoundTrip(t *testing.T) {
	g := NewWithT(t)
	set := policy.NewSet()
	g.Expect(set.Load(map[string][]byte{"jobs.json": []byte(`{"kind":"FlinkSessionJob","schema":{"properties":{"spec":{"required":["restartNonce"]}}}}`)})).To(Succeed())
	obj := deployment("flink:1.20", map[string]string{"taskmanager.numberOfTaskSlots": "2"})
	blueGreen, snapshot := &flinkv1beta1.FlinkBlueGreenDeployment{}, &flinkv1beta1.FlinkStateSnapshot{}
	allocations := testing.AllocsPerRun(20, func() {
		_ = set.ValidateFlinkDeployment(obj, nil, validators.Options{})
		_ = set.ValidateFlinkBlueGreenDeployment(blueGreen, nil, validators.Options{})
		_ = set.ValidateFlinkStateSnapshot(snapshot, nil, true, validators.Options{})
	})
	g.Expect(allocations).To(BeZero())
	// The covered kind is still evaluated.
	g.Expect(set.ValidateFlinkSessionJob(&flinkv1beta1.FlinkSessionJob{}, nil, nil, validators.Options{})).NotTo(BeEmpty())
}
