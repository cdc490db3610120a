package validators

import (
	"github.com/teal-flink/teal/internal/flinkvalue"

	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/util/validation/field"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
)

// Flink memory options that size a JobManager or TaskManager without spec resources.
var (
	keysJMMemory = []string{"jobmanager.memory.process.size", "jobmanager.memory.flink.size",
		"jobmanager.memory.heap.size", "jobmanager.heap.size", "jobmanager.heap.mb"}
	keysTMMemoryTotal = []string{"taskmanager.memory.process.size", "taskmanager.memory.flink.size"}
	keysTMMemoryFine  = []string{"taskmanager.memory.task.heap.size", "taskmanager.memory.managed.size"}
)

func validateJobManager(jm *flinkv1beta1.JobManagerSpec, config flinkConfig, path *field.Path) field.ErrorList {
	var resourceSpec *flinkv1beta1.Resource
	var resources *corev1.ResourceRequirements
	if jm != nil {
		resourceSpec, resources = jm.Resource, jm.Resources
	}
	var errs field.ErrorList
	if !memoryDefined(resourceSpec, resources) && !configMemoryDefined(config, keysJMMemory) {
		errs = append(errs, field.Required(memoryPath(resourceSpec, resources, path), fmt.Sprintf(
			"JobManager memory must be defined: set spec.jobManager.resources.requests.memory (or resource.memory), or %s in flinkConfiguration",
			keysJMMemory[0])))
	}
	if jm == nil {
		return errs
	}
	errs = append(errs, validateResource("JobManager", jm.Resource, path.Child("resource"))...)
	errs = append(errs, validateResourceRequirements(jm.Resources, path.Child("resources"))...)
	replicas := int32(1)
	if jm.Replicas != nil {
		replicas = *jm.Replicas
	}
	switch {
	case replicas < 1:
		errs = append(errs, field.Invalid(path.Child("replicas"), replicas, "must be at least 1"))
	case replicas > 1 && !config.haEnabled():
		errs = append(errs, field.Invalid(path.Child("replicas"), replicas,
			"standby JobManagers need high availability: set high-availability.type (e.g. kubernetes) or use 1 replica"))
	}
	return errs
}

func validateTaskManager(tm *flinkv1beta1.TaskManagerSpec, config flinkConfig, path *field.Path) field.ErrorList {
	var resourceSpec *flinkv1beta1.Resource
	var resources *corev1.ResourceRequirements
	if tm != nil {
		resourceSpec, resources = tm.Resource, tm.Resources
	}
	var errs field.ErrorList
	configured := configMemoryDefined(config, keysTMMemoryTotal) ||
		(!config.isBlank(keysTMMemoryFine[0]) && !config.isBlank(keysTMMemoryFine[1]))
	if !memoryDefined(resourceSpec, resources) && !configured {
		errs = append(errs, field.Required(memoryPath(resourceSpec, resources, path), fmt.Sprintf(
			"TaskManager memory must be defined: set spec.taskManager.resources.requests.memory (or resource.memory), or %s in flinkConfiguration",
			keysTMMemoryTotal[0])))
	}
	if tm == nil {
		return errs
	}
	errs = append(errs, validateResource("TaskManager", tm.Resource, path.Child("resource"))...)
	errs = append(errs, validateResourceRequirements(tm.Resources, path.Child("resources"))...)
	if tm.Replicas != nil && *tm.Replicas < 1 {
		errs = append(errs, field.Invalid(path.Child("replicas"), *tm.Replicas, "must be at least 1 when set"))
	}
	return errs
}

// memoryDefined mirrors upstream: resource.memory, or a memory request or limit (Kubernetes defaults the
// request to the limit).
func memoryDefined(resourceSpec *flinkv1beta1.Resource, resources *corev1.ResourceRequirements) bool {
	if resourceSpec != nil && strings.TrimSpace(resourceSpec.Memory) != "" {
		return true
	}
	if resources == nil {
		return false
	}
	_, inRequests := resources.Requests[corev1.ResourceMemory]
	_, inLimits := resources.Limits[corev1.ResourceMemory]
	return inRequests || inLimits
}

// memoryPath names the field a user most likely meant to set: resource.memory when they use the shorthand.
func memoryPath(resourceSpec *flinkv1beta1.Resource, resources *corev1.ResourceRequirements, path *field.Path) *field.Path {
	if resourceSpec != nil && resources == nil {
		return path.Child("resource", "memory")
	}
	return path.Child("resources", "requests", "memory")
}

// configMemoryDefined reports whether one of keys sets a memory size Flink can read.
func configMemoryDefined(config flinkConfig, keys []string) bool {
	for _, key := range keys {
		if value, ok := config.values[key]; ok && strings.TrimSpace(value) != "" {
			if _, err := flinkvalue.ParseFlinkMemory(value); err == nil {
				return true
			}
		}
	}
	return false
}

func validateResource(component string, resourceSpec *flinkv1beta1.Resource, path *field.Path) field.ErrorList {
	if resourceSpec == nil {
		return nil
	}
	var errs field.ErrorList
	if resourceSpec.Memory != "" {
		if _, err := ParseMemory(resourceSpec.Memory); err != nil {
			errs = append(errs, field.Invalid(path.Child("memory"), resourceSpec.Memory,
				component+" memory must be a size such as 2048m or 2Gi: "+err.Error()))
		}
	}
	if resourceSpec.EphemeralStorage != "" {
		if _, err := resource.ParseQuantity(resourceSpec.EphemeralStorage); err != nil {
			errs = append(errs, field.Invalid(path.Child("ephemeralStorage"), resourceSpec.EphemeralStorage,
				component+" ephemeral storage must be a Kubernetes quantity such as 2Gi: "+err.Error()))
		}
	}
	return errs
}

// validateResourceRequirements checks quantities the schema let through: cpu and memory must be positive,
// nothing negative, and no request above its limit (Kubernetes would reject the pod later).
func validateResourceRequirements(resources *corev1.ResourceRequirements, path *field.Path) field.ErrorList {
	if resources == nil {
		return nil
	}
	var errs field.ErrorList
	sections := []struct {
		name string
		list corev1.ResourceList
	}{{"requests", resources.Requests}, {"limits", resources.Limits}}
	for _, section := range sections {
		list := section.list
		for _, name := range sortedKeys(list) {
			quantity := list[corev1.ResourceName(name)]
			quantityPath := path.Child(section.name).Key(name)
			switch {
			case (name == string(corev1.ResourceCPU) || name == string(corev1.ResourceMemory)) && quantity.Sign() <= 0:
				errs = append(errs, field.Invalid(quantityPath, quantity.String(), "must be positive"))
			case quantity.Sign() < 0:
				errs = append(errs, field.Invalid(quantityPath, quantity.String(), "must not be negative"))
			}
		}
	}
	for _, name := range []corev1.ResourceName{corev1.ResourceCPU, corev1.ResourceMemory} {
		request, hasRequest := resources.Requests[name]
		limit, hasLimit := resources.Limits[name]
		if hasRequest && hasLimit && request.Cmp(limit) > 0 {
			errs = append(errs, field.Invalid(path.Child("requests").Key(string(name)), request.String(),
				fmt.Sprintf("must not exceed the %s limit %s: lower the request or raise the limit", name, limit.String())))
		}
	}
	return errs
}
