package gatejar

import (
	"testing"

	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
)

func TestAddToChild(t *testing.T) {
	g := NewWithT(t)
	spec := &flinkv1beta1.FlinkDeploymentSpec{FlinkConfiguration: flinkv1beta1.NewConfigObject(map[string]string{
		"env.java.opts.taskmanager": "-Xss2m", "bluegreen.gate.strategy": "WATERMARK"})}
	g.Expect(AddToChild(spec, flinkv1beta1.BlueGreenTypeGreen, "orders-configmap", Delivery{Image: "teal:1", PullPolicy: "IfNotPresent",
		JarPath: "/opt/flink/teal-gate/teal-bluegreen-gate.jar"})).To(Succeed())
	flat, err := spec.FlinkConfiguration.Flatten()
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(flat).To(HaveKeyWithValue("bluegreen.active-deployment-type", "GREEN"))
	g.Expect(flat).To(HaveKeyWithValue("bluegreen.configmap.name", "orders-configmap"))
	g.Expect(flat).To(HaveKeyWithValue("bluegreen.gate.injection.enabled", "true"))
	g.Expect(flat).To(HaveKeyWithValue("bluegreen.gate.strategy", "WATERMARK"))
	g.Expect(flat).To(HaveKeyWithValue("env.java.opts.taskmanager", "-Xss2m -javaagent:/opt/flink/teal-gate/teal-bluegreen-gate.jar"))
	g.Expect(flat).To(HaveKeyWithValue("env.java.opts.jobmanager", "-javaagent:/opt/flink/teal-gate/teal-bluegreen-gate.jar"))
	g.Expect(spec.PodTemplate).To(BeNil(), "merged into the components' templates")
	for _, component := range []*flinkv1beta1.Pod{spec.JobManager.PodTemplate, spec.TaskManager.PodTemplate} {
		pod := component.Spec
		g.Expect(pod.Volumes).To(ConsistOf(HaveField("Name", "teal-gate")))
		g.Expect(pod.Volumes[0].EmptyDir).NotTo(BeNil())
		g.Expect(pod.InitContainers).To(HaveLen(1))
		g.Expect(pod.InitContainers[0].Command).To(Equal([]string{"/teal", "copy-gate-jar", "/opt/flink/teal-gate/teal-bluegreen-gate.jar"}))
		g.Expect(pod.Containers).To(ConsistOf(HaveField("Name", "flink-main-container")))
		g.Expect(pod.Containers[0].VolumeMounts).To(ConsistOf(HaveField("MountPath", "/opt/flink/teal-gate")))
	}

	// Without a gate image the Flink image carries the jar: configuration only.
	bare := &flinkv1beta1.FlinkDeploymentSpec{}
	g.Expect(AddToChild(bare, flinkv1beta1.BlueGreenTypeBlue, "x-configmap", Delivery{JarPath: "/opt/flink/teal-gate/teal-bluegreen-gate.jar"})).To(Succeed())
	g.Expect(bare.PodTemplate).To(BeNil())
	g.Expect(bare.JobManager).To(BeNil())
}

// TestAddToChildKeepsTheUsersPodTemplates: pod templates merge by position, so the gate's volume must not land on
// the JobManager template's volume at the same index as an item of spec.podTemplate would.
func TestAddToChildKeepsTheUsersPodTemplates(t *testing.T) {
	g := NewWithT(t)
	spec := &flinkv1beta1.FlinkDeploymentSpec{
		PodTemplate: &flinkv1beta1.Pod{Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "flink-main-container",
			Env: []corev1.EnvVar{{Name: "A", Value: "1"}}}}}},
		JobManager: &flinkv1beta1.JobManagerSpec{PodTemplate: &flinkv1beta1.Pod{Spec: corev1.PodSpec{
			Volumes: []corev1.Volume{{Name: "data", VolumeSource: corev1.VolumeSource{HostPath: &corev1.HostPathVolumeSource{Path: "/data"}}}},
		}}},
	}
	g.Expect(AddToChild(spec, flinkv1beta1.BlueGreenTypeBlue, "x-configmap", Delivery{Image: "teal:1", JarPath: "/opt/flink/teal-gate/teal-bluegreen-gate.jar"})).To(Succeed())
	jobManager := spec.JobManager.PodTemplate.Spec
	g.Expect(jobManager.Volumes).To(HaveLen(2))
	g.Expect(jobManager.Volumes[0].Name).To(Equal("data"))
	g.Expect(jobManager.Volumes[0].HostPath).NotTo(BeNil())
	g.Expect(jobManager.Volumes[0].EmptyDir).To(BeNil())
	g.Expect(jobManager.Volumes[1].Name).To(Equal("teal-gate"))
	g.Expect(jobManager.Containers).To(HaveLen(1))
	g.Expect(jobManager.Containers[0].Env).To(ConsistOf(corev1.EnvVar{Name: "A", Value: "1"}), "spec.podTemplate still applies")
	g.Expect(jobManager.Containers[0].VolumeMounts).To(ConsistOf(HaveField("Name", "teal-gate")))
	taskManager := spec.TaskManager.PodTemplate.Spec
	g.Expect(taskManager.Volumes).To(ConsistOf(HaveField("Name", "teal-gate")))
	g.Expect(taskManager.Containers[0].Env).To(ConsistOf(corev1.EnvVar{Name: "A", Value: "1"}))
}
