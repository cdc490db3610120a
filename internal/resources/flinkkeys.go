package resources

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
)

// Flink's Kubernetes keys that shape the pods, which Teal applies to the pods it builds itself (the JobManager,
// and a standalone cluster's TaskManagers) as Flink's native integration does to its own.
const (
	KeyJobManagerEnvPrefix   = "containerized.master.env."
	KeyTaskManagerEnvPrefix  = "containerized.taskmanager.env."
	KeySecrets               = "kubernetes.secrets"
	KeyEnvSecretKeyRef       = "kubernetes.env.secretKeyRef"
	KeyJobManagerLabels      = "kubernetes.jobmanager.labels"
	KeyJobManagerAnnotations = "kubernetes.jobmanager.annotations"
	KeyJobManagerNodeSelect  = "kubernetes.jobmanager.node-selector"
	KeyJobManagerTolerations = "kubernetes.jobmanager.tolerations"
	KeyTaskManagerLabels     = "kubernetes.taskmanager.labels"
	KeyTaskManagerAnnotation = "kubernetes.taskmanager.annotations"
	KeyTaskManagerNodeSelect = "kubernetes.taskmanager.node-selector"
	KeyTaskManagerToleration = "kubernetes.taskmanager.tolerations"
	KeyRestServiceAnnotation = "kubernetes.rest-service.annotations"
)

// componentKeys are the per-component keys of one Flink component.
type componentKeys struct {
	envPrefix, labels, annotations, nodeSelector, tolerations string
	resources                                                 resourceKeys
}

var (
	jobManagerComponent = componentKeys{KeyJobManagerEnvPrefix, KeyJobManagerLabels, KeyJobManagerAnnotations,
		KeyJobManagerNodeSelect, KeyJobManagerTolerations,
		resourceKeys{KeyJobManagerMemory, KeyJobManagerCPU, KeyJobManagerCPULimitFactor, KeyJobManagerMemoryLimitFactor}}
	taskManagerComponent = componentKeys{KeyTaskManagerEnvPrefix, KeyTaskManagerLabels, KeyTaskManagerAnnotation,
		KeyTaskManagerNodeSelect, KeyTaskManagerToleration,
		resourceKeys{KeyTaskManagerMemory, KeyTaskManagerCPU, KeyTaskManagerCPULimitFactor, KeyTaskManagerMemoryLimitFactor}}
)

// applyFlinkKeys lays the component's Flink keys over a pod built from the spec: environment variables, secret
// mounts, secret environment variables, labels, annotations, node selector and tolerations. Values from the keys
// win over the pod template's, as in Flink's own decorators.
func applyFlinkKeys(config map[string]string, keys componentKeys, template *corev1.PodTemplateSpec, container *corev1.Container) error {
	for _, name := range sortedWithPrefix(config, keys.envPrefix) {
		setEnv(container, corev1.EnvVar{Name: strings.TrimPrefix(name, keys.envPrefix), Value: config[name]})
	}
	secrets, err := mapOption(config, KeySecrets)
	if err != nil {
		return err
	}
	for _, secret := range sortedKeys(secrets) {
		volume := secret + "-volume"
		template.Spec.Volumes = append(template.Spec.Volumes, corev1.Volume{Name: volume,
			VolumeSource: corev1.VolumeSource{Secret: &corev1.SecretVolumeSource{SecretName: secret}}})
		container.VolumeMounts = append(container.VolumeMounts, corev1.VolumeMount{Name: volume, MountPath: secrets[secret]})
	}
	secretEnv, err := listOfMapsOption(config, KeyEnvSecretKeyRef)
	if err != nil {
		return err
	}
	for i, ref := range secretEnv {
		if ref["env"] == "" || ref["secret"] == "" || ref["key"] == "" {
			return fmt.Errorf("%s: item %d must name env, secret and key (env:NAME,secret:SECRET,key:KEY)", KeyEnvSecretKeyRef, i)
		}
		setEnv(container, corev1.EnvVar{Name: ref["env"], ValueFrom: &corev1.EnvVarSource{SecretKeyRef: &corev1.SecretKeySelector{
			LocalObjectReference: corev1.LocalObjectReference{Name: ref["secret"]}, Key: ref["key"]}}})
	}
	labels, err := mapOption(config, keys.labels)
	if err != nil {
		return err
	}
	for key, value := range labels {
		if template.Labels == nil {
			template.Labels = map[string]string{}
		}
		template.Labels[key] = value
	}
	annotations, err := mapOption(config, keys.annotations)
	if err != nil {
		return err
	}
	for key, value := range annotations {
		if template.Annotations == nil {
			template.Annotations = map[string]string{}
		}
		template.Annotations[key] = value
	}
	nodeSelector, err := mapOption(config, keys.nodeSelector)
	if err != nil {
		return err
	}
	for key, value := range nodeSelector {
		if template.Spec.NodeSelector == nil {
			template.Spec.NodeSelector = map[string]string{}
		}
		template.Spec.NodeSelector[key] = value
	}
	tolerations, err := listOfMapsOption(config, keys.tolerations)
	if err != nil {
		return err
	}
	for i, toleration := range tolerations {
		parsed, err := parseToleration(toleration)
		if err != nil {
			return fmt.Errorf("%s: item %d: %w", keys.tolerations, i, err)
		}
		template.Spec.Tolerations = append(template.Spec.Tolerations, parsed)
	}
	return nil
}

// applyLimitFactors raises the container's limits to request × factor where the configuration has a factor
// (set from spec resources or by the user), as Flink does for the pods it creates.
func applyLimitFactors(config map[string]string, keys resourceKeys, container *corev1.Container) error {
	for _, item := range []struct {
		name corev1.ResourceName
		key  string
	}{{corev1.ResourceCPU, keys.cpuLimitFactor}, {corev1.ResourceMemory, keys.memoryLimitFactor}} {
		text, set := config[item.key]
		if !set {
			continue
		}
		factor, err := strconv.ParseFloat(strings.TrimSpace(text), 64)
		if err != nil || factor < 1 {
			return fmt.Errorf("%s: %q must be a number of at least 1", item.key, text)
		}
		request, hasRequest := container.Resources.Requests[item.name]
		if !hasRequest {
			continue
		}
		if container.Resources.Limits == nil {
			container.Resources.Limits = corev1.ResourceList{}
		}
		if item.name == corev1.ResourceCPU {
			container.Resources.Limits[item.name] = *resource.NewMilliQuantity(int64(math.Round(float64(request.MilliValue())*factor)), resource.DecimalSI)
		} else {
			container.Resources.Limits[item.name] = *resource.NewQuantity(int64(math.Round(float64(request.Value())*factor)), resource.BinarySI)
		}
	}
	return nil
}

// setEnv sets an environment variable, replacing one of the same name.
func setEnv(container *corev1.Container, env corev1.EnvVar) {
	for i := range container.Env {
		if container.Env[i].Name == env.Name {
			container.Env[i] = env
			return
		}
	}
	container.Env = append(container.Env, env)
}

func parseToleration(item map[string]string) (corev1.Toleration, error) {
	toleration := corev1.Toleration{}
	for key, value := range item {
		switch strings.ToLower(key) {
		case "key":
			toleration.Key = value
		case "operator":
			toleration.Operator = corev1.TolerationOperator(value)
		case "value":
			toleration.Value = value
		case "effect":
			toleration.Effect = corev1.TaintEffect(value)
		case "tolerationseconds":
			seconds, err := strconv.ParseInt(value, 10, 64)
			if err != nil {
				return toleration, fmt.Errorf("tolerationSeconds %q is not a whole number", value)
			}
			toleration.TolerationSeconds = &seconds
		default:
			return toleration, fmt.Errorf("unknown field %q (key, operator, value, effect, tolerationSeconds)", key)
		}
	}
	return toleration, nil
}

// mapOption reads a map option as Flink does: "k1:v1,k2:v2", or one key per entry under the option's prefix
// (option.k1: v1), which is how a nested map in config.yaml arrives flattened.
func mapOption(config map[string]string, key string) (map[string]string, error) {
	out := map[string]string{}
	if value := config[key]; value != "" {
		parsed, err := parseMap(value)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", key, err)
		}
		out = parsed
	}
	for _, name := range sortedWithPrefix(config, key+".") {
		out[strings.TrimPrefix(name, key+".")] = config[name]
	}
	return out, nil
}

// listOfMapsOption reads a list of maps: "k:v,k:v;k:v,k:v".
func listOfMapsOption(config map[string]string, key string) ([]map[string]string, error) {
	items, err := SplitList(config[key])
	if err != nil {
		return nil, fmt.Errorf("%s: %w", key, err)
	}
	var out []map[string]string
	for _, item := range items {
		if strings.TrimSpace(item) == "" {
			continue
		}
		parsed, err := parseMap(item)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", key, err)
		}
		out = append(out, parsed)
	}
	return out, nil
}

func parseMap(value string) (map[string]string, error) {
	entries, err := splitEscaped(value, ',')
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	for _, entry := range entries {
		if strings.TrimSpace(entry) == "" {
			continue
		}
		parts, err := splitEscaped(entry, ':')
		if err != nil {
			return nil, err
		}
		if len(parts) != 2 {
			return nil, fmt.Errorf("%q is not key:value", entry)
		}
		out[strings.TrimSpace(parts[0])] = strings.TrimSpace(parts[1])
	}
	return out, nil
}

func sortedWithPrefix(config map[string]string, prefix string) []string {
	var names []string
	for name := range config {
		if strings.HasPrefix(name, prefix) && len(name) > len(prefix) {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	return names
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for key := range m {
		keys = append(keys, key)
	}
	sort.Strings(keys)
	return keys
}
