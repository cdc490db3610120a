package validators_test

import (
	"testing"

	. "github.com/onsi/gomega"
	"k8s.io/apimachinery/pkg/util/validation/field"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
	"github.com/teal-flink/teal/validators"
)

// imageRequired is a custom validator that checks only FlinkDeployments.
type imageRequired struct{ validators.Base }

func (imageRequired) ValidateFlinkDeployment(newObj, _ *flinkv1beta1.FlinkDeployment, _ validators.Options) field.ErrorList {
	if newObj.Spec.Image == "" {
		return field.ErrorList{field.Required(field.NewPath("spec", "image"), "set the image")}
	}
	return nil
}

func TestRegistryConcatenatesBuiltinAndCustom(t *testing.T) {
	g := NewWithT(t)
	registry := validators.NewRegistry()
	registry.Register(imageRequired{})
	d := applicationCluster()
	d.Spec.Image, d.Spec.ServiceAccount = "", ""
	g.Expect(fieldPaths(registry.ValidateFlinkDeployment(d, nil, testOptions))).To(Equal([]string{"spec.serviceAccount", "spec.image"}))
	g.Expect(registry.ValidateFlinkSessionJob(sessionJob(), nil, sessionCluster(), testOptions)).To(BeEmpty())
	g.Expect(registry.ValidateFlinkBlueGreenDeployment(blueGreen(), nil, testOptions)).To(BeEmpty())
}

func TestWarnings(t *testing.T) {
	g := NewWithT(t)
	d := applicationCluster()
	d.Spec.FlinkVersion = flinkv1beta1.FlinkVersionV1_18
	d.Spec.JobManager.Resource = &flinkv1beta1.Resource{Memory: "1g"}
	d.Spec.Job.SavepointTriggerNonce = ptr(int64(1))
	g.Expect(validators.FlinkDeploymentWarnings(d)).To(HaveLen(3))
	g.Expect(validators.FlinkDeploymentWarnings(applicationCluster())).To(BeEmpty())
}
