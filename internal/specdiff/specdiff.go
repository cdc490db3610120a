package specdiff

import (
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
	"strings"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
)

// Type is the kind of action a spec change needs, ordered from least to most disruptive.
type Type int

// Diff types. The overall result of a diff is the most disruptive type among its changes.
const (
	Ignore Type = iota
	Scale
	Upgrade
	SavepointRedeploy
)

// String returns upstream's name of the type.
func (t Type) String() string {
	return [...]string{"IGNORE", "SCALE", "UPGRADE", "SAVEPOINT_REDEPLOY"}[t]
}

// Change is one changed field and what it needs.
type Change struct {
	// Path names the field, e.g. spec.job.parallelism or spec.flinkConfiguration["state.backend.type"].
	Path string
	// Type is what the change needs.
	Type Type
}

// Result lists the changes between two specs; Type is the most disruptive of them (Ignore when none).
type Result struct {
	Type    Type
	Changes []Change
}

// String summarises the result for events and logs: the type and the changed fields.
func (r Result) String() string {
	if len(r.Changes) == 0 {
		return "no changes"
	}
	paths := make([]string, 0, len(r.Changes))
	for _, change := range r.Changes {
		paths = append(paths, change.Path)
	}
	return fmt.Sprintf("%s (%s)", r.Type, strings.Join(paths, ", "))
}

func (r *Result) add(path string, diffType Type) {
	r.Changes = append(r.Changes, Change{Path: path, Type: diffType})
	if diffType > r.Type {
		r.Type = diffType
	}
}

// configRule classifies flinkConfiguration keys by prefix, as upstream's @SpecDiff.Config on flinkConfiguration.
type configRule struct {
	prefix string
	diff   Type
	// mode restricts the rule to one deployment mode; empty applies to both.
	mode flinkv1beta1.KubernetesDeploymentMode
}

var configRules = []configRule{
	{prefix: "job.autoscaler", diff: Ignore},
	{prefix: "parallelism.default", diff: Ignore},
	{prefix: "kubernetes.operator", diff: Ignore},
	{prefix: "pipeline.jobvertex-parallelism-overrides", diff: Scale, mode: flinkv1beta1.DeploymentModeNative},
}

// ConfigKeyType is the diff type of a change to one flinkConfiguration key in the given mode.
func ConfigKeyType(key string, mode flinkv1beta1.KubernetesDeploymentMode) Type {
	for _, rule := range configRules {
		if rule.mode != "" && rule.mode != mode {
			continue
		}
		if strings.HasPrefix(key, rule.prefix) {
			return rule.diff
		}
	}
	return Upgrade
}

// FlinkDeployment compares the last deployed spec with the desired one. Mode is the deployment mode in force
// (native when unset); SCALE-annotated fields of the other mode count as UPGRADE, as upstream.
func FlinkDeployment(before, after *flinkv1beta1.FlinkDeploymentSpec) (Result, error) {
	mode := after.Mode
	if mode == "" {
		mode = flinkv1beta1.DeploymentModeNative
	}
	var result Result
	standaloneScale := Upgrade
	if mode == flinkv1beta1.DeploymentModeStandalone {
		standaloneScale = Scale
	}
	compare(&result, "spec.image", before.Image, after.Image, Upgrade)
	compare(&result, "spec.imagePullPolicy", before.ImagePullPolicy, after.ImagePullPolicy, Upgrade)
	compare(&result, "spec.serviceAccount", before.ServiceAccount, after.ServiceAccount, Upgrade)
	compare(&result, "spec.flinkVersion", before.FlinkVersion, after.FlinkVersion, Upgrade)
	compare(&result, "spec.ingress", before.Ingress, after.Ingress, Upgrade)
	compare(&result, "spec.podTemplate", before.PodTemplate, after.PodTemplate, Upgrade)
	compare(&result, "spec.logConfiguration", before.LogConfiguration, after.LogConfiguration, Upgrade)
	compare(&result, "spec.mode", before.Mode, after.Mode, Upgrade)
	if after.RestartNonce != nil {
		compare(&result, "spec.restartNonce", before.RestartNonce, after.RestartNonce, Upgrade)
	}
	diffJobManager(&result, before.JobManager, after.JobManager)
	diffTaskManager(&result, before.TaskManager, after.TaskManager, standaloneScale)
	diffJob(&result, "spec.job", before.Job, after.Job, standaloneScale)
	if err := diffConfig(&result, "spec.flinkConfiguration", before.FlinkConfiguration, after.FlinkConfiguration, mode); err != nil {
		return Result{}, err
	}
	return result, nil
}

// FlinkSessionJob compares the last submitted session job spec with the desired one.
func FlinkSessionJob(before, after *flinkv1beta1.FlinkSessionJobSpec) (Result, error) {
	var result Result
	compare(&result, "spec.deploymentName", before.DeploymentName, after.DeploymentName, Upgrade)
	if after.RestartNonce != nil {
		compare(&result, "spec.restartNonce", before.RestartNonce, after.RestartNonce, Upgrade)
	}
	// Session jobs are submitted through REST: parallelism changes need a resubmission.
	diffJob(&result, "spec.job", before.Job, after.Job, Upgrade)
	if err := diffConfig(&result, "spec.flinkConfiguration", before.FlinkConfiguration, after.FlinkConfiguration, flinkv1beta1.DeploymentModeNative); err != nil {
		return Result{}, err
	}
	return result, nil
}

func diffJobManager(result *Result, before, after *flinkv1beta1.JobManagerSpec) {
	if before == nil {
		before = &flinkv1beta1.JobManagerSpec{}
	}
	if after == nil {
		after = &flinkv1beta1.JobManagerSpec{}
	}
	compare(result, "spec.jobManager.resource", before.Resource, after.Resource, Upgrade)
	compare(result, "spec.jobManager.resources", before.Resources, after.Resources, Upgrade)
	compare(result, "spec.jobManager.replicas", replicasOrOne(before.Replicas), replicasOrOne(after.Replicas), Upgrade)
	compare(result, "spec.jobManager.podTemplate", before.PodTemplate, after.PodTemplate, Upgrade)
}

func replicasOrOne(replicas *int32) int32 {
	if replicas == nil {
		return 1
	}
	return *replicas
}

func diffTaskManager(result *Result, before, after *flinkv1beta1.TaskManagerSpec, replicasType Type) {
	if before == nil {
		before = &flinkv1beta1.TaskManagerSpec{}
	}
	if after == nil {
		after = &flinkv1beta1.TaskManagerSpec{}
	}
	compare(result, "spec.taskManager.resource", before.Resource, after.Resource, Upgrade)
	compare(result, "spec.taskManager.resources", before.Resources, after.Resources, Upgrade)
	compare(result, "spec.taskManager.replicas", before.Replicas, after.Replicas, replicasType)
	compare(result, "spec.taskManager.podTemplate", before.PodTemplate, after.PodTemplate, Upgrade)
}

func diffJob(result *Result, path string, before, after *flinkv1beta1.JobSpec, parallelismType Type) {
	if before == nil || after == nil {
		// Adding or removing the job turns a session cluster into an application cluster or back.
		compare(result, path, before, after, Upgrade)
		return
	}
	compare(result, path+".jarURI", before.JarURI, after.JarURI, Upgrade)
	compare(result, path+".parallelism", before.Parallelism, after.Parallelism, parallelismType)
	compare(result, path+".entryClass", before.EntryClass, after.EntryClass, Upgrade)
	compare(result, path+".args", emptyAsNil(before.Args), emptyAsNil(after.Args), Upgrade)
	compare(result, path+".state", stateOrRunning(before.State), stateOrRunning(after.State), Upgrade)
	compare(result, path+".savepointTriggerNonce", before.SavepointTriggerNonce, after.SavepointTriggerNonce, Ignore)
	compare(result, path+".initialSavepointPath", before.InitialSavepointPath, after.InitialSavepointPath, Ignore)
	compare(result, path+".checkpointTriggerNonce", before.CheckpointTriggerNonce, after.CheckpointTriggerNonce, Ignore)
	compare(result, path+".upgradeMode", before.UpgradeMode, after.UpgradeMode, Ignore)
	compare(result, path+".allowNonRestoredState", before.AllowNonRestoredState, after.AllowNonRestoredState, Ignore)
	compare(result, path+".autoscalerResetNonce", before.AutoscalerResetNonce, after.AutoscalerResetNonce, Ignore)
	if after.SavepointRedeployNonce != nil {
		compare(result, path+".savepointRedeployNonce", before.SavepointRedeployNonce, after.SavepointRedeployNonce, SavepointRedeploy)
	}
}

func stateOrRunning(state flinkv1beta1.JobState) flinkv1beta1.JobState {
	if state == "" {
		return flinkv1beta1.JobStateRunning
	}
	return state
}

func emptyAsNil(args []string) []string {
	if len(args) == 0 {
		return nil
	}
	return args
}

func diffConfig(result *Result, path string, before, after *flinkv1beta1.ConfigObject, mode flinkv1beta1.KubernetesDeploymentMode) error {
	beforeFlat, err := before.Flatten()
	if err != nil {
		return fmt.Errorf("last deployed %s: %w", path, err)
	}
	afterFlat, err := after.Flatten()
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	keys := map[string]struct{}{}
	for key := range beforeFlat {
		keys[key] = struct{}{}
	}
	for key := range afterFlat {
		keys[key] = struct{}{}
	}
	sorted := make([]string, 0, len(keys))
	for key := range keys {
		sorted = append(sorted, key)
	}
	sort.Strings(sorted)
	for _, key := range sorted {
		beforeValue, beforeSet := beforeFlat[key]
		afterValue, afterSet := afterFlat[key]
		if beforeSet != afterSet || beforeValue != afterValue {
			result.add(fmt.Sprintf("%s[%q]", path, key), ConfigKeyType(key, mode))
		}
	}
	return nil
}

// compare records a change when before and after differ in meaning; nil and an empty value are equal, as an
// absent field and its zero value deploy the same thing.
func compare(result *Result, path string, before, after any, diffType Type) {
	if !equalMeaning(before, after) {
		result.add(path, diffType)
	}
}

func equalMeaning(before, after any) bool {
	if reflect.DeepEqual(before, after) {
		return true
	}
	// Compare through JSON so that nil and empty pointers, maps and slices count as the same thing.
	beforeJSON, beforeErr := json.Marshal(before)
	afterJSON, afterErr := json.Marshal(after)
	if beforeErr != nil || afterErr != nil {
		return false
	}
	return isEmptyJSON(beforeJSON) && isEmptyJSON(afterJSON) || string(beforeJSON) == string(afterJSON)
}

func isEmptyJSON(raw []byte) bool {
	switch string(raw) {
	case "null", "{}", "[]", `""`, "0", "false":
		return true
	}
	return false
}
