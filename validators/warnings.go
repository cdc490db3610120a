package validators

import (
	"fmt"
	"strings"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
)

// oldestCurrentFlinkVersion is the oldest release line upstream does not mark @Deprecated; older supported
// lines still deploy but draw a warning.
const oldestCurrentFlinkVersion = flinkv1beta1.FlinkVersionV1_19

// FlinkDeploymentWarnings lists the deprecated things a FlinkDeployment uses (upstream marks them
// @Deprecated): they still work, so they warn instead of reject.
func FlinkDeploymentWarnings(obj *flinkv1beta1.FlinkDeployment) []string {
	return specWarnings(&obj.Spec, "spec")
}

// FlinkSessionJobWarnings lists the deprecated things a FlinkSessionJob uses.
func FlinkSessionJobWarnings(obj *flinkv1beta1.FlinkSessionJob) []string {
	warnings := jobWarnings(obj.Spec.Job, "spec.job")
	return append(warnings, configWarnings(obj.Spec.FlinkConfiguration, "spec.flinkConfiguration")...)
}

// flinkBlueGreenConfigurationWarnings lists the keys of spec.configuration Teal accepts without
// acting on them.
func flinkBlueGreenConfigurationWarnings(obj *flinkv1beta1.FlinkBlueGreenDeployment) []string {
	return resourceKeyWarnings(obj.Spec.Configuration, "spec.configuration")
}

// FlinkBlueGreenDeploymentWarnings lists the deprecated things a blue/green template uses.
func FlinkBlueGreenDeploymentWarnings(obj *flinkv1beta1.FlinkBlueGreenDeployment) []string {
	return append(flinkBlueGreenConfigurationWarnings(obj), specWarnings(&obj.Spec.Template.Spec, "spec.template.spec")...)
}

func specWarnings(spec *flinkv1beta1.FlinkDeploymentSpec, prefix string) []string {
	var warnings []string
	if v := spec.FlinkVersion; v != "" && v.Ordinal() >= minSupportedFlinkVersion.Ordinal() && v.Ordinal() < oldestCurrentFlinkVersion.Ordinal() {
		warnings = append(warnings, fmt.Sprintf("%s.flinkVersion: Flink %s is deprecated upstream and support will be removed: move to %s or newer",
			prefix, v, oldestCurrentFlinkVersion))
	}
	if spec.JobManager != nil && spec.JobManager.Resource != nil {
		warnings = append(warnings, prefix+".jobManager.resource is deprecated: use jobManager.resources (Kubernetes resource requirements)")
	}
	if spec.TaskManager != nil && spec.TaskManager.Resource != nil {
		warnings = append(warnings, prefix+".taskManager.resource is deprecated: use taskManager.resources (Kubernetes resource requirements)")
	}
	warnings = append(warnings, jobWarnings(spec.Job, prefix+".job")...)
	return append(warnings, configWarnings(spec.FlinkConfiguration, prefix+".flinkConfiguration")...)
}

func jobWarnings(job *flinkv1beta1.JobSpec, prefix string) []string {
	if job == nil {
		return nil
	}
	var warnings []string
	if job.SavepointTriggerNonce != nil {
		warnings = append(warnings, prefix+".savepointTriggerNonce is deprecated: create a FlinkStateSnapshot with spec.savepoint instead")
	}
	if job.AutoscalerResetNonce != nil {
		warnings = append(warnings, prefix+".autoscalerResetNonce has no effect: Teal has no autoscaler yet, autoscaling is not performed")
	}
	if job.CheckpointTriggerNonce != nil {
		warnings = append(warnings, prefix+".checkpointTriggerNonce is deprecated: create a FlinkStateSnapshot with spec.checkpoint instead")
	}
	return warnings
}

// configWarnings flags the autoscaler's old kubernetes.operator.job.autoscaler.* spellings.
func configWarnings(config *flinkv1beta1.ConfigObject, prefix string) []string {
	flat, err := config.Flatten()
	if err != nil {
		return nil
	}
	var warnings []string
	for _, key := range sortedKeys(flat) {
		if strings.HasPrefix(key, "kubernetes.operator."+autoscalerPrefix) {
			warnings = append(warnings, fmt.Sprintf("%s[%s]: the kubernetes.operator. prefix of autoscaler options is deprecated: use %s",
				prefix, key, strings.TrimPrefix(key, "kubernetes.operator.")))
		}
	}
	return append(warnings, resourceKeyWarnings(flat, prefix)...)
}
