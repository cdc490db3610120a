package validators_test

import (
	"testing"

	. "github.com/onsi/gomega"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
	"github.com/teal-flink/teal/validators"
)

// advancedBlueGreen is a valid ADVANCED deployment: savepoint hand-over, the WATERMARK gate and one extractor.
func advancedBlueGreen() *flinkv1beta1.FlinkBlueGreenDeployment {
	b := blueGreen()
	b.Spec.TransitionMode = flinkv1beta1.TransitionModeAdvanced
	b.Spec.Template.Spec.Job.UpgradeMode = flinkv1beta1.UpgradeModeSavepoint
	b.Spec.Template.Spec.FlinkConfiguration = flinkv1beta1.NewConfigObject(map[string]string{
		"state.checkpoints.dir": "s3://c", "state.savepoints.dir": "s3://s",
		validators.KeyGateStrategy: "WATERMARK", validators.KeyGateFieldPath: "eventTime",
	})
	return b
}

func setGateConfig(b *flinkv1beta1.FlinkBlueGreenDeployment, mutate func(map[string]string)) {
	flat, _ := b.Spec.Template.Spec.FlinkConfiguration.Flatten()
	if flat == nil {
		flat = map[string]string{}
	}
	mutate(flat)
	b.Spec.Template.Spec.FlinkConfiguration = flinkv1beta1.NewConfigObject(flat)
}

func TestValidateBlueGreenAdvancedMode(t *testing.T) {
	const config = "spec.template.spec.flinkConfiguration"
	cases := []struct {
		name   string
		mutate func(*flinkv1beta1.FlinkBlueGreenDeployment)
		want   []string
	}{
		{name: "valid field path"},
		{name: "valid field index, AFTER_SOURCE", mutate: func(b *flinkv1beta1.FlinkBlueGreenDeployment) {
			setGateConfig(b, func(m map[string]string) {
				delete(m, validators.KeyGateFieldPath)
				m[validators.KeyGateFieldIndex] = "2"
				m[validators.KeyGateInjectionPosition] = "AFTER_SOURCE"
			})
		}},
		{name: "valid last-state extractor class", mutate: func(b *flinkv1beta1.FlinkBlueGreenDeployment) {
			b.Spec.Template.Spec.Job.UpgradeMode = flinkv1beta1.UpgradeModeLastState
			setGateConfig(b, func(m map[string]string) {
				delete(m, validators.KeyGateFieldPath)
				m[validators.KeyGateExtractorClass] = "com.example.EventTime"
			})
		}},
		{name: "no strategy", mutate: func(b *flinkv1beta1.FlinkBlueGreenDeployment) {
			setGateConfig(b, func(m map[string]string) { delete(m, validators.KeyGateStrategy) })
		}, want: []string{config + "[bluegreen.gate.strategy]"}},
		{name: "unknown strategy", mutate: func(b *flinkv1beta1.FlinkBlueGreenDeployment) {
			setGateConfig(b, func(m map[string]string) { m[validators.KeyGateStrategy] = "TIMER" })
		}, want: []string{config + "[bluegreen.gate.strategy]"}},
		{name: "no extractor", mutate: func(b *flinkv1beta1.FlinkBlueGreenDeployment) {
			setGateConfig(b, func(m map[string]string) { delete(m, validators.KeyGateFieldPath) })
		}, want: []string{config + "[bluegreen.gate.watermark.field-path]"}},
		{name: "two extractors", mutate: func(b *flinkv1beta1.FlinkBlueGreenDeployment) {
			setGateConfig(b, func(m map[string]string) { m[validators.KeyGateFieldIndex] = "1" })
		}, want: []string{config + "[bluegreen.gate.watermark.field-index]"}},
		{name: "negative field index", mutate: func(b *flinkv1beta1.FlinkBlueGreenDeployment) {
			setGateConfig(b, func(m map[string]string) {
				delete(m, validators.KeyGateFieldPath)
				m[validators.KeyGateFieldIndex] = "-1"
			})
		}, want: []string{config + "[bluegreen.gate.watermark.field-index]"}},
		{name: "bad injection position", mutate: func(b *flinkv1beta1.FlinkBlueGreenDeployment) {
			setGateConfig(b, func(m map[string]string) { m[validators.KeyGateInjectionPosition] = "BEFORE_SOURCE" })
		}, want: []string{config + "[bluegreen.gate.injection.position]"}},
		{name: "stateless has no hand-over", mutate: func(b *flinkv1beta1.FlinkBlueGreenDeployment) {
			b.Spec.Template.Spec.Job.UpgradeMode = flinkv1beta1.UpgradeModeStateless
		}, want: []string{"spec.template.spec.job.upgradeMode"}},
		{name: "operator keys set by hand", mutate: func(b *flinkv1beta1.FlinkBlueGreenDeployment) {
			setGateConfig(b, func(m map[string]string) {
				m[validators.KeyGateConfigMapName] = "mine"
				m[validators.KeyGateInjectionEnabled] = "true"
			})
		}, want: []string{config + "[bluegreen.configmap.name]", config + "[bluegreen.gate.injection.enabled]"}},
		{name: "BASIC needs no gate", mutate: func(b *flinkv1beta1.FlinkBlueGreenDeployment) {
			b.Spec.TransitionMode = flinkv1beta1.TransitionModeBasic
			setGateConfig(b, func(m map[string]string) {
				delete(m, validators.KeyGateStrategy)
				delete(m, validators.KeyGateFieldPath)
			})
			b.Spec.Template.Spec.Job.UpgradeMode = flinkv1beta1.UpgradeModeStateless
		}},
		{name: "transition deadline", mutate: func(b *flinkv1beta1.FlinkBlueGreenDeployment) {
			b.Spec.Configuration[validators.KeyBlueGreenTransitionDeadline] = "0 s"
		}, want: []string{"spec.configuration[kubernetes.operator.bluegreen.advanced.transition-deadline]"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			g := NewWithT(t)
			b := advancedBlueGreen()
			if tc.mutate != nil {
				tc.mutate(b)
			}
			errs := validators.ValidateFlinkBlueGreenDeployment(b, nil, testOptions)
			g.Expect(fieldPaths(errs)).To(ConsistOf(orEmpty(tc.want)), "errors: %v", errs)
		})
	}
}

func TestValidateTransitionModeIsImmutableAfterTheFirstDeployment(t *testing.T) {
	cases := []struct {
		name     string
		deployed bool
		from, to flinkv1beta1.TransitionMode
		want     []string
	}{
		{name: "before the first deployment", from: "", to: flinkv1beta1.TransitionModeAdvanced},
		{name: "unset is BASIC", deployed: true, from: "", to: flinkv1beta1.TransitionModeBasic},
		{name: "BASIC to ADVANCED", deployed: true, from: flinkv1beta1.TransitionModeBasic, to: flinkv1beta1.TransitionModeAdvanced,
			want: []string{"spec.transitionMode"}},
		{name: "ADVANCED to unset", deployed: true, from: flinkv1beta1.TransitionModeAdvanced, to: "",
			want: []string{"spec.transitionMode"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			g := NewWithT(t)
			old := advancedBlueGreen()
			old.Spec.TransitionMode = tc.from
			if tc.deployed {
				old.Status.LastReconciledSpec = `{"spec":{}}`
			}
			updated := advancedBlueGreen()
			updated.Spec.TransitionMode = tc.to
			errs := validators.ValidateFlinkBlueGreenDeployment(updated, old, testOptions)
			g.Expect(fieldPaths(errs)).To(Equal(orEmpty(tc.want)), "errors: %v", errs)
			if len(errs) > 0 {
				g.Expect(errs[0].Error()).To(ContainSubstring("after the first deployment"))
			}
		})
	}
}
