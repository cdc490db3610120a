package validators_test

import (
	"strings"
	"testing"

	. "github.com/onsi/gomega"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
	"github.com/teal-flink/teal/validators"
)

func blueGreen() *flinkv1beta1.FlinkBlueGreenDeployment {
	return &flinkv1beta1.FlinkBlueGreenDeployment{
		ObjectMeta: metav1.ObjectMeta{Name: "bg", Namespace: "flink"},
		Spec: flinkv1beta1.FlinkBlueGreenDeploymentSpec{
			Configuration: map[string]string{validators.KeyBlueGreenAbortGracePeriod: "10 min"},
			Template:      flinkv1beta1.FlinkDeploymentTemplateSpec{Spec: applicationCluster().Spec},
		},
	}
}

func TestValidateFlinkBlueGreenDeployment(t *testing.T) {
	cases := []struct {
		name   string
		mutate func(*flinkv1beta1.FlinkBlueGreenDeployment)
		want   []string
	}{
		{name: "valid"},
		{name: "all durations", mutate: func(b *flinkv1beta1.FlinkBlueGreenDeployment) {
			b.Spec.Configuration = map[string]string{validators.KeyBlueGreenAbortGracePeriod: "PT10M",
				validators.KeyBlueGreenRescheduleInterval: "500 ms", validators.KeyBlueGreenDeletionDelay: "0"}
		}},
		{name: "bad duration", mutate: func(b *flinkv1beta1.FlinkBlueGreenDeployment) {
			b.Spec.Configuration[validators.KeyBlueGreenAbortGracePeriod] = "ten minutes"
		}, want: []string{"spec.configuration[kubernetes.operator.bluegreen.abort.grace-period]"}},
		{name: "zero grace period", mutate: func(b *flinkv1beta1.FlinkBlueGreenDeployment) {
			b.Spec.Configuration[validators.KeyBlueGreenAbortGracePeriod] = "0 s"
		}, want: []string{"spec.configuration[kubernetes.operator.bluegreen.abort.grace-period]"}},
		{name: "unknown bluegreen key", mutate: func(b *flinkv1beta1.FlinkBlueGreenDeployment) {
			b.Spec.Configuration["kubernetes.operator.bluegreen.abort.grace"] = "1 min"
		}, want: []string{"spec.configuration[kubernetes.operator.bluegreen.abort.grace]"}},
		{name: "template without job", mutate: func(b *flinkv1beta1.FlinkBlueGreenDeployment) { b.Spec.Template.Spec.Job = nil },
			want: []string{"spec.template.spec.job"}},
		{name: "template rules", mutate: func(b *flinkv1beta1.FlinkBlueGreenDeployment) {
			b.Spec.Template.Spec.Job.UpgradeMode = flinkv1beta1.UpgradeModeSavepoint
			b.Spec.Template.Spec.FlinkConfiguration = flinkv1beta1.NewConfigObject(map[string]string{"state.checkpoints.dir": "s3://c"})
			b.Spec.Template.Spec.ServiceAccount = ""
		}, want: []string{"spec.template.spec.job.upgradeMode", "spec.template.spec.serviceAccount"}},
		{name: "ingress without template", mutate: func(b *flinkv1beta1.FlinkBlueGreenDeployment) { b.Spec.Ingress = &flinkv1beta1.IngressSpec{} },
			want: []string{"spec.ingress.template"}},
		{name: "name too long for children", mutate: func(b *flinkv1beta1.FlinkBlueGreenDeployment) { b.Name = "b" + strings.Repeat("g", 39) },
			want: []string{"metadata.name"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			g := NewWithT(t)
			b := blueGreen()
			if tc.mutate != nil {
				tc.mutate(b)
			}
			errs := validators.ValidateFlinkBlueGreenDeployment(b, nil, testOptions)
			g.Expect(fieldPaths(errs)).To(Equal(orEmpty(tc.want)), "errors: %v", errs)
		})
	}
}
