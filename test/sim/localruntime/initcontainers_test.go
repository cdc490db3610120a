package localruntime

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	. "github.com/onsi/gomega"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
	"github.com/teal-flink/teal/internal/resources"
)

// withGatePod gives the deployment the pod template the blue/green controller renders for an ADVANCED child: an
// emptyDir filled by the operator image's copy-gate-jar init container and mounted by the Flink container.
func withGatePod(command ...string) func(*flinkv1beta1.FlinkDeployment) {
	return func(d *flinkv1beta1.FlinkDeployment) {
		d.Spec.PodTemplate = &flinkv1beta1.Pod{Spec: corev1.PodSpec{
			Volumes: []corev1.Volume{{Name: "teal-gate", VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{}}}},
			InitContainers: []corev1.Container{{Name: "teal-gate", Image: "ghcr.io/teal-flink/teal:0.1.0", Command: command,
				VolumeMounts: []corev1.VolumeMount{{Name: "teal-gate", MountPath: "/opt/flink/teal-gate"}}}},
			Containers: []corev1.Container{{Name: "flink-main-container",
				VolumeMounts: []corev1.VolumeMount{{Name: "teal-gate", MountPath: "/opt/flink/teal-gate", ReadOnly: true}}}},
		}}
	}
}

func TestInitContainersFillTheVolumesTheMainContainerMounts(t *testing.T) {
	jar := filepath.Join(t.TempDir(), "teal-bluegreen-gate.jar")
	NewWithT(t).Expect(os.WriteFile(jar, []byte("PK gate"), 0o644)).To(Succeed())
	copyGate := []string{"/teal", "copy-gate-jar", "/opt/flink/teal-gate/teal-bluegreen-gate.jar"}

	t.Run("the operator image's copy-gate-jar", func(t *testing.T) {
		g := NewWithT(t)
		t.Setenv(GateJarEnv, jar)
		run, _, err := planFor(t, deploymentSpec(withGatePod(copyGate...)), resources.ConfigOptions{}, nil)
		g.Expect(err).NotTo(HaveOccurred())
		host, mounted := run.HostPath("/opt/flink/teal-gate/teal-bluegreen-gate.jar")
		g.Expect(mounted).To(BeTrue())
		content, err := os.ReadFile(host)
		g.Expect(err).NotTo(HaveOccurred())
		g.Expect(string(content)).To(Equal("PK gate"))
	})
	t.Run("an image without the jar crash-loops", func(t *testing.T) {
		g := NewWithT(t)
		t.Setenv(GateJarEnv, filepath.Join(t.TempDir(), "missing.jar"))
		_, _, err := planFor(t, deploymentSpec(withGatePod(copyGate...)), resources.ConfigOptions{}, nil)
		var failure *podError
		g.Expect(errors.As(err, &failure)).To(BeTrue(), "got %v", err)
		g.Expect(failure.reason).To(Equal("Init:CrashLoopBackOff"))
		g.Expect(failure.message).To(ContainSubstring("make gate"))
	})
	t.Run("an init container the runtime cannot run is not skipped", func(t *testing.T) {
		g := NewWithT(t)
		_, _, err := planFor(t, deploymentSpec(withGatePod("sh", "-c", "wget -O /opt/flink/teal-gate/x.jar http://example.com")),
			resources.ConfigOptions{}, nil)
		var failure *podError
		g.Expect(errors.As(err, &failure)).To(BeTrue(), "got %v", err)
		g.Expect(failure.reason).To(Equal("Init:CreateContainerError"))
	})
	t.Run("an init container mounting an unknown volume", func(t *testing.T) {
		g := NewWithT(t)
		_, _, err := planFor(t, deploymentSpec(withGatePod(copyGate...)), resources.ConfigOptions{},
			func(d *appsv1.Deployment, _ *corev1.ConfigMap) {
				d.Spec.Template.Spec.InitContainers[0].VolumeMounts[0].Name = "nope"
			})
		var failure *podError
		g.Expect(errors.As(err, &failure)).To(BeTrue(), "got %v", err)
		g.Expect(failure.replicaFailure).To(BeTrue())
	})
}

func TestMountedAgentsMapToTheVolumeOnThisMachine(t *testing.T) {
	g := NewWithT(t)
	pod := &PodRun{Mounts: map[string]string{"/opt/flink/teal-gate": "/tmp/run-1/volumes/teal-gate"}}
	config := mountedAgents(map[string]string{
		"env.java.opts.jobmanager":  "-Xss2m -javaagent:/opt/flink/teal-gate/teal-bluegreen-gate.jar",
		"env.java.opts.taskmanager": "-javaagent:/opt/flink/teal-gate/teal-bluegreen-gate.jar=debug -javaagent:/opt/other.jar",
		"pipeline.name":             "-javaagent:/opt/flink/teal-gate/x.jar",
	}, pod)
	g.Expect(config).To(HaveKeyWithValue("env.java.opts.jobmanager", "-Xss2m -javaagent:/tmp/run-1/volumes/teal-gate/teal-bluegreen-gate.jar"))
	g.Expect(config).To(HaveKeyWithValue("env.java.opts.taskmanager",
		"-javaagent:/tmp/run-1/volumes/teal-gate/teal-bluegreen-gate.jar=debug -javaagent:/opt/other.jar"), "a path of the image stays")
	g.Expect(config).To(HaveKeyWithValue("pipeline.name", "-javaagent:/opt/flink/teal-gate/x.jar"), "only JVM options")
}
