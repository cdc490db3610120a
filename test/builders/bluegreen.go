package builders

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
)

// BlueGreenOption changes a FlinkBlueGreenDeployment under construction.
type BlueGreenOption func(*flinkv1beta1.FlinkBlueGreenDeployment)

// NewFlinkBlueGreenDeployment returns a valid blue/green deployment in namespace "default" whose template is
// NewFlinkDeployment's spec with the template options applied, then every blue/green option in order.
func NewFlinkBlueGreenDeployment(name string, template []DeploymentOption, options ...BlueGreenOption) *flinkv1beta1.FlinkBlueGreenDeployment {
	child := NewFlinkDeployment(name, template...)
	bg := &flinkv1beta1.FlinkBlueGreenDeployment{
		TypeMeta:   metav1.TypeMeta{APIVersion: flinkv1beta1.GroupVersion.String(), Kind: "FlinkBlueGreenDeployment"},
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: child.Namespace},
		Spec: flinkv1beta1.FlinkBlueGreenDeploymentSpec{
			Configuration: map[string]string{},
			Template:      flinkv1beta1.FlinkDeploymentTemplateSpec{Spec: child.Spec},
		},
	}
	for _, option := range options {
		option(bg)
	}
	return bg
}

// WithBlueGreenConfig adds blue/green options (kubernetes.operator.bluegreen.*) to spec.configuration.
func WithBlueGreenConfig(keyValues ...string) BlueGreenOption {
	return func(bg *flinkv1beta1.FlinkBlueGreenDeployment) {
		if bg.Spec.Configuration == nil {
			bg.Spec.Configuration = map[string]string{}
		}
		for i := 0; i+1 < len(keyValues); i += 2 {
			bg.Spec.Configuration[keyValues[i]] = keyValues[i+1]
		}
	}
}

// WithBlueGreenIngress sets spec.ingress.
func WithBlueGreenIngress(template string) BlueGreenOption {
	return func(bg *flinkv1beta1.FlinkBlueGreenDeployment) {
		bg.Spec.Ingress = &flinkv1beta1.IngressSpec{Template: template}
	}
}

// WithTemplate changes the template spec with FlinkDeployment options.
func WithTemplate(options ...DeploymentOption) BlueGreenOption {
	return func(bg *flinkv1beta1.FlinkBlueGreenDeployment) {
		child := &flinkv1beta1.FlinkDeployment{ObjectMeta: metav1.ObjectMeta{Name: bg.Name, Namespace: bg.Namespace}, Spec: bg.Spec.Template.Spec}
		for _, option := range options {
			option(child)
		}
		bg.Spec.Template.Spec = child.Spec
	}
}
