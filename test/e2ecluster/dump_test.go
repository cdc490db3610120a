package e2ecluster

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"

	appsv1 "k8s.io/api/apps/v1"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
)

// keepOnFailure registers a cleanup that, when the test failed, writes each pod's logs (the previous container's
// too) and the YAML of the objects of the namespace under outputDir/<test name>.
func keepOnFailure(t *testing.T) {
	t.Helper()
	t.Cleanup(func() {
		if !t.Failed() {
			return
		}
		dir := filepath.Join(outputDir, strings.ReplaceAll(t.Name(), "/", "_"))
		if err := dump(dir); err != nil {
			t.Logf("keeping the evidence in %s: %v", dir, err)
			return
		}
		t.Logf("pod logs and object YAML are in %s", dir)
	})
}

func dump(dir string) error {
	ctx := context.Background()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	lists := map[string]client.ObjectList{
		"flinkdeployments":          &flinkv1beta1.FlinkDeploymentList{},
		"flinksessionjobs":          &flinkv1beta1.FlinkSessionJobList{},
		"flinkbluegreendeployments": &flinkv1beta1.FlinkBlueGreenDeploymentList{},
		"flinkstatesnapshots":       &flinkv1beta1.FlinkStateSnapshotList{},
		"deployments":               &appsv1.DeploymentList{},
		"pods":                      &corev1.PodList{},
		"services":                  &corev1.ServiceList{},
		"configmaps":                &corev1.ConfigMapList{},
		"events":                    &corev1.EventList{},
	}
	for name, list := range lists {
		if err := k8s.List(ctx, list, client.InNamespace(namespace)); err != nil {
			return fmt.Errorf("listing %s: %w", name, err)
		}
		content, err := yaml.Marshal(list)
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dir, name+".yaml"), content, 0o644); err != nil {
			return err
		}
	}
	pods := lists["pods"].(*corev1.PodList)
	for _, pod := range pods.Items {
		for _, container := range append(pod.Spec.InitContainers, pod.Spec.Containers...) {
			for _, previous := range []bool{false, true} {
				logs, err := clientset.CoreV1().Pods(namespace).GetLogs(pod.Name,
					&corev1.PodLogOptions{Container: container.Name, Previous: previous}).DoRaw(ctx)
				if err != nil {
					continue
				}
				name := pod.Name + "_" + container.Name
				if previous {
					name += "_previous"
				}
				if err := os.WriteFile(filepath.Join(dir, name+".log"), logs, 0o644); err != nil {
					return err
				}
			}
		}
	}
	return nil
}
