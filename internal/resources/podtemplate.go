package resources

import (
	"encoding/json"
	"fmt"

	corev1 "k8s.io/api/core/v1"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
)

// MergePodTemplates lays overlay over base as upstream does for spec.podTemplate and the JobManager/TaskManager
// templates: maps merge key by key; lists merge item by item by position (the n-th overlay item over the n-th
// base item, extra overlay items appended), or, with byName (kubernetes.operator.pod-template.merge-arrays-by-name)
// and every item named, on their name; any other value in overlay replaces the one in base.
func MergePodTemplates(base, overlay *flinkv1beta1.Pod, byName bool) (*flinkv1beta1.Pod, error) {
	switch {
	case base == nil && overlay == nil:
		return &flinkv1beta1.Pod{}, nil
	case base == nil:
		return overlay.DeepCopy(), nil
	case overlay == nil:
		return base.DeepCopy(), nil
	}
	baseDoc, err := toDocument(base)
	if err != nil {
		return nil, err
	}
	overlayDoc, err := toDocument(overlay)
	if err != nil {
		return nil, err
	}
	merged := mergeValues(baseDoc, overlayDoc, byName)
	raw, err := json.Marshal(merged)
	if err != nil {
		return nil, fmt.Errorf("merging pod templates: %w", err)
	}
	result := &flinkv1beta1.Pod{}
	if err := json.Unmarshal(raw, result); err != nil {
		return nil, fmt.Errorf("merging pod templates: %w", err)
	}
	return result, nil
}

func toDocument(pod *flinkv1beta1.Pod) (any, error) {
	raw, err := json.Marshal(pod)
	if err != nil {
		return nil, fmt.Errorf("encoding a pod template: %w", err)
	}
	var doc any
	return doc, json.Unmarshal(raw, &doc)
}

func mergeValues(base, overlay any, byName bool) any {
	baseMap, baseIsMap := base.(map[string]any)
	overlayMap, overlayIsMap := overlay.(map[string]any)
	if baseIsMap && overlayIsMap {
		out := make(map[string]any, len(baseMap)+len(overlayMap))
		for key, value := range baseMap {
			out[key] = value
		}
		for key, value := range overlayMap {
			if value == nil {
				// An unset field (Go's API types write some as null) leaves the base's value alone.
				continue
			}
			if existing, present := out[key]; present {
				out[key] = mergeValues(existing, value, byName)
			} else {
				out[key] = value
			}
		}
		return out
	}
	baseList, baseIsList := base.([]any)
	overlayList, overlayIsList := overlay.([]any)
	if baseIsList && overlayIsList && byName && allNamed(baseList) && allNamed(overlayList) {
		out := append([]any(nil), baseList...)
		for _, item := range overlayList {
			name := item.(map[string]any)["name"]
			replaced := false
			for i, existing := range out {
				if existing.(map[string]any)["name"] == name {
					out[i] = mergeValues(existing, item, byName)
					replaced = true
					break
				}
			}
			if !replaced {
				out = append(out, item)
			}
		}
		return out
	}
	if baseIsList && overlayIsList {
		out := append([]any(nil), baseList...)
		for i, item := range overlayList {
			if i < len(out) {
				out[i] = mergeValues(out[i], item, byName)
			} else {
				out = append(out, item)
			}
		}
		return out
	}
	return overlay
}

func allNamed(items []any) bool {
	for _, item := range items {
		object, ok := item.(map[string]any)
		if !ok {
			return false
		}
		if _, named := object["name"].(string); !named {
			return false
		}
	}
	return len(items) > 0
}

// mainContainer returns the Flink container of spec, adding it when the template did not name it.
func mainContainer(spec *corev1.PodSpec) *corev1.Container {
	for i := range spec.Containers {
		if spec.Containers[i].Name == MainContainerName {
			return &spec.Containers[i]
		}
	}
	spec.Containers = append([]corev1.Container{{Name: MainContainerName}}, spec.Containers...)
	return &spec.Containers[0]
}
