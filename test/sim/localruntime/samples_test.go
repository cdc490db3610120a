package localruntime

import (
	"os"
	"path/filepath"
	"testing"

	. "github.com/onsi/gomega"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/yaml"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
	"github.com/teal-flink/teal/internal/resources"
	"github.com/teal-flink/teal/validators"
)

// Every shipped FlinkDeployment sample (and the blue/green template) is valid, draws no warning, and its
// JobManager pod starts as the image's entrypoint would read it.
func TestSamplesAreValidWarningFreeAndStart(t *testing.T) {
	paths, err := filepath.Glob(filepath.Join(repoRoot(t), "config", "samples", "*.yaml"))
	NewWithT(t).Expect(err).NotTo(HaveOccurred())
	deployments := 0
	for _, path := range paths {
		t.Run(filepath.Base(path), func(t *testing.T) {
			g := NewWithT(t)
			raw, err := os.ReadFile(path)
			g.Expect(err).NotTo(HaveOccurred())
			var kind struct{ Kind string }
			g.Expect(yaml.Unmarshal(raw, &kind)).To(Succeed())
			var deployment *flinkv1beta1.FlinkDeployment
			switch kind.Kind {
			case "FlinkDeployment":
				deployment = &flinkv1beta1.FlinkDeployment{}
				g.Expect(yaml.UnmarshalStrict(raw, deployment)).To(Succeed())
				g.Expect(validators.ValidateFlinkDeployment(deployment, nil, validators.Options{})).To(BeEmpty())
				g.Expect(validators.FlinkDeploymentWarnings(deployment)).To(BeEmpty())
			case "FlinkBlueGreenDeployment":
				bg := &flinkv1beta1.FlinkBlueGreenDeployment{}
				g.Expect(yaml.UnmarshalStrict(raw, bg)).To(Succeed())
				g.Expect(validators.ValidateFlinkBlueGreenDeployment(bg, nil, validators.Options{})).To(BeEmpty())
				g.Expect(validators.FlinkBlueGreenDeploymentWarnings(bg)).To(BeEmpty())
				deployment = &flinkv1beta1.FlinkDeployment{ObjectMeta: bg.ObjectMeta}
				deployment.Name += "-blue"
				deployment.Spec = *bg.Spec.Template.Spec.DeepCopy()
			default:
				t.Skipf("%s: no JobManager pod to start", kind.Kind)
			}
			deployments++
			deployment.Namespace, deployment.UID = "streaming", types.UID("sample")
			run, launch, err := planFor(t, deployment, resources.ConfigOptions{}, nil)
			g.Expect(err).NotTo(HaveOccurred())
			g.Expect(run.Image).To(HavePrefix("flink:"))
			if deployment.Spec.Job != nil {
				g.Expect(launch.Job).NotTo(BeNil())
				g.Expect(launch.Job.JarURI).To(HaveSuffix("TopSpeedWindowing.jar"))
			}
			g.Expect(launch.Config[resources.JavaModuleOptionsKey(deployment.Spec.FlinkVersion)]).To(ContainSubstring("--add-opens="))
		})
	}
	NewWithT(t).Expect(deployments).To(BeNumerically(">=", 4))
}
