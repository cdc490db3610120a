package webhook

import (
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
	"github.com/teal-flink/teal/validators"
)

func flinkConfig() map[string]string {
	return map[string]string{
		"high-availability.type":       "kubernetes",
		"high-availability.storageDir": "file:///flink-data/ha",
		"state.savepoints.dir":         "file:///flink-data/savepoints",
		"state.checkpoints.dir":        "file:///flink-data/checkpoints",
	}
}

func requirements(memory string) *corev1.ResourceRequirements {
	return &corev1.ResourceRequirements{Requests: corev1.ResourceList{
		corev1.ResourceCPU: resource.MustParse("1"), corev1.ResourceMemory: resource.MustParse(memory)}}
}

func sessionCluster(name, namespace string) *flinkv1beta1.FlinkDeployment {
	return &flinkv1beta1.FlinkDeployment{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: namespace},
		Spec: flinkv1beta1.FlinkDeploymentSpec{
			Image: "flink:1.20", ServiceAccount: "flink", FlinkVersion: flinkv1beta1.FlinkVersionV1_20,
			FlinkConfiguration: flinkv1beta1.NewConfigObject(flinkConfig()),
			JobManager:         &flinkv1beta1.JobManagerSpec{Resources: requirements("2Gi")},
			TaskManager:        &flinkv1beta1.TaskManagerSpec{Resources: requirements("2Gi")},
		},
	}
}

func appCluster(name, namespace string) *flinkv1beta1.FlinkDeployment {
	d := sessionCluster(name, namespace)
	d.Spec.Job = &flinkv1beta1.JobSpec{JarURI: "local:///opt/flink/examples/streaming/StateMachineExample.jar",
		Parallelism: 2, UpgradeMode: flinkv1beta1.UpgradeModeSavepoint}
	return d
}

func sessionJob(name, namespace, deployment string) *flinkv1beta1.FlinkSessionJob {
	return &flinkv1beta1.FlinkSessionJob{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: namespace},
		Spec: flinkv1beta1.FlinkSessionJobSpec{DeploymentName: deployment, Job: &flinkv1beta1.JobSpec{
			JarURI: "https://repo.example.com/job.jar", Parallelism: 1, UpgradeMode: flinkv1beta1.UpgradeModeStateless}},
	}
}

func snapshot(name, namespace string, kind flinkv1beta1.JobKind, target string) *flinkv1beta1.FlinkStateSnapshot {
	return &flinkv1beta1.FlinkStateSnapshot{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: namespace},
		Spec: flinkv1beta1.FlinkStateSnapshotSpec{
			JobReference: &flinkv1beta1.JobReference{Kind: kind, Name: target},
			Savepoint:    &flinkv1beta1.SavepointSpec{},
		},
	}
}

func blueGreen(name, namespace string) *flinkv1beta1.FlinkBlueGreenDeployment {
	return &flinkv1beta1.FlinkBlueGreenDeployment{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: namespace},
		Spec: flinkv1beta1.FlinkBlueGreenDeploymentSpec{
			Configuration: map[string]string{validators.KeyBlueGreenAbortGracePeriod: "10 min"},
			Template:      flinkv1beta1.FlinkDeploymentTemplateSpec{Spec: appCluster("x", namespace).Spec},
		},
	}
}

// advancedBlueGreen is a valid transitionMode ADVANCED deployment: the WATERMARK gate with one extractor.
func advancedBlueGreen(name, namespace string) *flinkv1beta1.FlinkBlueGreenDeployment {
	b := blueGreen(name, namespace)
	b.Spec.TransitionMode = flinkv1beta1.TransitionModeAdvanced
	withConfig(&b.Spec.Template.Spec, map[string]string{validators.KeyGateStrategy: "WATERMARK", validators.KeyGateFieldPath: "eventTime"})
	return b
}

func with[T any](obj T, mutate func(T)) T {
	mutate(obj)
	return obj
}

func withConfig(d *flinkv1beta1.FlinkDeploymentSpec, set map[string]string, drop ...string) {
	config := flinkConfig()
	for k, v := range set {
		config[k] = v
	}
	for _, k := range drop {
		delete(config, k)
	}
	d.FlinkConfiguration = flinkv1beta1.NewConfigObject(config)
}

func ptr[T any](v T) *T { return &v }
