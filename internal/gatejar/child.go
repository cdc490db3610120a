package gatejar

import (
	"fmt"
	"path"
	"strings"

	corev1 "k8s.io/api/core/v1"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
	"github.com/teal-flink/teal/internal/operatorconfig"
	"github.com/teal-flink/teal/internal/resources"
	"github.com/teal-flink/teal/validators"
)

// The gate's delivery to the Flink pods of an ADVANCED child: an emptyDir volume filled by an init container
// that runs the operator image's copy-gate-jar command, and -javaagent on the JobManager and TaskManager JVMs
// (an agent jar is on the system class path, so the gate's classes need nothing in lib/).
const (
	gateVolumeName        = "teal-gate"
	gateInitContainerName = "teal-gate"
	mainContainerName     = "flink-main-container"
	// OperatorBinary is the operator binary in its image (Dockerfile, hack/images), which runs Command.
	OperatorBinary = "/teal"
)

// Delivery says how the gate reaches an ADVANCED child's pods.
type Delivery struct {
	// Image is the image the init container copies the jar from; empty: the Flink image carries it at JarPath.
	Image string
	// PullPolicy is the init container's image pull policy.
	PullPolicy corev1.PullPolicy
	// JarPath is where the JVMs find the jar.
	JarPath string
}

// DeliveryFrom reads the delivery from the operator configuration
// (kubernetes.operator.bluegreen.advanced.gate.*).
func DeliveryFrom(config *operatorconfig.Config) Delivery {
	return Delivery{
		Image:      strings.TrimSpace(config.String(operatorconfig.KeyBlueGreenGateImage)),
		PullPolicy: corev1.PullPolicy(config.String(operatorconfig.KeyBlueGreenGateImagePullPolicy)),
		JarPath:    operatorconfig.DefaultBlueGreenGateJarPath,
	}
}

// AddToChild renders an ADVANCED child: the keys that tell its gate its colour and ConfigMap, the agent on both
// JVMs (appended to the user's options), and, with a gate image, the volume and init container that deliver it.
func AddToChild(spec *flinkv1beta1.FlinkDeploymentSpec, colour flinkv1beta1.BlueGreenDeploymentType, configMap string, delivery Delivery) error {
	flat, err := spec.FlinkConfiguration.Flatten()
	if err != nil {
		return fmt.Errorf("spec.template.spec.flinkConfiguration: %w", err)
	}
	flat[validators.KeyGateActiveDeploymentType] = string(colour)
	flat[validators.KeyGateConfigMapName] = configMap
	flat[validators.KeyGateInjectionEnabled] = "true"
	agent := "-javaagent:" + delivery.JarPath
	for _, key := range []string{"env.java.opts.jobmanager", "env.java.opts.taskmanager"} {
		if opts := strings.TrimSpace(flat[key]); opts != "" {
			flat[key] = opts + " " + agent
		} else {
			flat[key] = agent
		}
	}
	spec.FlinkConfiguration = flinkv1beta1.NewConfigObject(flat)
	if delivery.Image == "" {
		return nil
	}
	// Pod templates merge by position (spec.podTemplate, then the JobManager's or TaskManager's), so an item
	// appended to one list could land on another's item at the same index. The child gets each component's
	// template merged as Teal would merge it, with the gate's items appended to the result.
	byName := strings.EqualFold(flat[resources.KeyMergeArraysByName], "true")
	if spec.JobManager == nil {
		spec.JobManager = &flinkv1beta1.JobManagerSpec{}
	}
	if spec.TaskManager == nil {
		spec.TaskManager = &flinkv1beta1.TaskManagerSpec{}
	}
	for _, component := range []**flinkv1beta1.Pod{&spec.JobManager.PodTemplate, &spec.TaskManager.PodTemplate} {
		merged, err := resources.MergePodTemplates(spec.PodTemplate, *component, byName)
		if err != nil {
			return fmt.Errorf("spec.template.spec.podTemplate: %w", err)
		}
		withVolume(&merged.Spec, delivery)
		*component = merged
	}
	spec.PodTemplate = nil
	return nil
}

// withVolume appends the gate's volume and init container to a pod spec and mounts the volume into the Flink
// container.
func withVolume(pod *corev1.PodSpec, delivery Delivery) {
	dir := path.Dir(delivery.JarPath)
	pod.Volumes = append(pod.Volumes, corev1.Volume{Name: gateVolumeName, VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{}}})
	pod.InitContainers = append(pod.InitContainers, corev1.Container{
		Name: gateInitContainerName, Image: delivery.Image, ImagePullPolicy: delivery.PullPolicy,
		Command:      []string{OperatorBinary, Command, delivery.JarPath},
		VolumeMounts: []corev1.VolumeMount{{Name: gateVolumeName, MountPath: dir}},
	})
	mount := corev1.VolumeMount{Name: gateVolumeName, MountPath: dir, ReadOnly: true}
	for i := range pod.Containers {
		if pod.Containers[i].Name == mainContainerName {
			pod.Containers[i].VolumeMounts = append(pod.Containers[i].VolumeMounts, mount)
			return
		}
	}
	pod.Containers = append(pod.Containers, corev1.Container{Name: mainContainerName, VolumeMounts: []corev1.VolumeMount{mount}})
}
