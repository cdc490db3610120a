// Package builders makes test objects short to write: NewFlinkDeployment("x", WithImage("flink:2.1"),
// WithUpgradeMode(flinkv1beta1.UpgradeModeSavepoint)) is a valid application cluster with every option applied.
package builders

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
)

// DeploymentOption changes a FlinkDeployment under construction.
type DeploymentOption func(*flinkv1beta1.FlinkDeployment)

// NewFlinkDeployment returns a valid application cluster running TopSpeedWindowing in namespace "default",
// upgraded statelessly, with every option applied in order.
func NewFlinkDeployment(name string, options ...DeploymentOption) *flinkv1beta1.FlinkDeployment {
	cpu := 1.0
	deployment := &flinkv1beta1.FlinkDeployment{
		TypeMeta:   metav1.TypeMeta{APIVersion: flinkv1beta1.GroupVersion.String(), Kind: "FlinkDeployment"},
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "default"},
		Spec: flinkv1beta1.FlinkDeploymentSpec{
			Image: "flink:1.20", FlinkVersion: flinkv1beta1.FlinkVersionV1_20, ServiceAccount: "flink",
			FlinkConfiguration: flinkv1beta1.NewConfigObject(map[string]string{"taskmanager.numberOfTaskSlots": "2"}),
			JobManager:         &flinkv1beta1.JobManagerSpec{Resource: &flinkv1beta1.Resource{Memory: "1024m", CPU: &cpu}},
			TaskManager:        &flinkv1beta1.TaskManagerSpec{Resource: &flinkv1beta1.Resource{Memory: "1024m", CPU: &cpu}},
			Job: &flinkv1beta1.JobSpec{
				JarURI:      "local:///opt/flink/examples/streaming/TopSpeedWindowing.jar",
				Parallelism: 2, UpgradeMode: flinkv1beta1.UpgradeModeStateless, State: flinkv1beta1.JobStateRunning,
			},
		},
	}
	for _, option := range options {
		option(deployment)
	}
	return deployment
}

// InNamespace sets the namespace.
func InNamespace(namespace string) DeploymentOption {
	return func(d *flinkv1beta1.FlinkDeployment) { d.Namespace = namespace }
}

// WithImage sets the image.
func WithImage(image string) DeploymentOption {
	return func(d *flinkv1beta1.FlinkDeployment) { d.Spec.Image = image }
}

// WithUpgradeMode sets job.upgradeMode.
func WithUpgradeMode(mode flinkv1beta1.UpgradeMode) DeploymentOption {
	return func(d *flinkv1beta1.FlinkDeployment) { d.Spec.Job.UpgradeMode = mode }
}

// WithJobState sets job.state.
func WithJobState(state flinkv1beta1.JobState) DeploymentOption {
	return func(d *flinkv1beta1.FlinkDeployment) { d.Spec.Job.State = state }
}

// WithConfig adds flat Flink configuration keys.
func WithConfig(keyValues ...string) DeploymentOption {
	return func(d *flinkv1beta1.FlinkDeployment) {
		flat, _ := d.Spec.FlinkConfiguration.Flatten()
		for i := 0; i+1 < len(keyValues); i += 2 {
			flat[keyValues[i]] = keyValues[i+1]
		}
		d.Spec.FlinkConfiguration = flinkv1beta1.NewConfigObject(flat)
	}
}

// WithSessionCluster removes the job, making a session cluster.
func WithSessionCluster() DeploymentOption {
	return func(d *flinkv1beta1.FlinkDeployment) { d.Spec.Job = nil }
}

// WithStandalone selects standalone mode.
func WithStandalone() DeploymentOption {
	return func(d *flinkv1beta1.FlinkDeployment) { d.Spec.Mode = flinkv1beta1.DeploymentModeStandalone }
}

// WithTaskManagerReplicas sets taskManager.replicas.
func WithTaskManagerReplicas(replicas int32) DeploymentOption {
	return func(d *flinkv1beta1.FlinkDeployment) { d.Spec.TaskManager.Replicas = &replicas }
}

// WithInitialSavepoint sets job.initialSavepointPath.
func WithInitialSavepoint(path string) DeploymentOption {
	return func(d *flinkv1beta1.FlinkDeployment) { d.Spec.Job.InitialSavepointPath = path }
}

// WithEntryClass sets job.entryClass.
func WithEntryClass(class string) DeploymentOption {
	return func(d *flinkv1beta1.FlinkDeployment) { d.Spec.Job.EntryClass = class }
}

// WithParallelism sets job.parallelism.
func WithParallelism(parallelism int32) DeploymentOption {
	return func(d *flinkv1beta1.FlinkDeployment) { d.Spec.Job.Parallelism = parallelism }
}

// WithFlinkVersion sets flinkVersion.
func WithFlinkVersion(version flinkv1beta1.FlinkVersion) DeploymentOption {
	return func(d *flinkv1beta1.FlinkDeployment) { d.Spec.FlinkVersion = version }
}
