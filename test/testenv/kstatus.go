package testenv

import (
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/cli-utils/pkg/kstatus/status"
)

// KStatus computes the kstatus of an object exactly as Flux and kubectl wait would (Current, InProgress,
// Failed, Terminating).
func KStatus(obj runtime.Object) (status.Status, error) {
	content, err := runtime.DefaultUnstructuredConverter.ToUnstructured(obj)
	if err != nil {
		return "", err
	}
	result, err := status.Compute(&unstructured.Unstructured{Object: content})
	if err != nil {
		return "", err
	}
	return result.Status, nil
}
