package localruntime

import (
	"context"
	"errors"
	"testing"

	. "github.com/onsi/gomega"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
	"github.com/teal-flink/teal/internal/resources"
)

func ptr[T any](v T) *T { return &v }

func deploymentSpec(mutate ...func(*flinkv1beta1.FlinkDeployment)) *flinkv1beta1.FlinkDeployment {
	deployment := &flinkv1beta1.FlinkDeployment{
		ObjectMeta: metav1.ObjectMeta{Name: "topspeed", Namespace: "streaming", UID: types.UID("uid-1")},
		Spec: flinkv1beta1.FlinkDeploymentSpec{
			Image: "flink:1.20", FlinkVersion: flinkv1beta1.FlinkVersionV1_20, ServiceAccount: "flink",
			FlinkConfiguration: flinkv1beta1.NewConfigObject(map[string]string{"taskmanager.numberOfTaskSlots": "2"}),
			JobManager:         &flinkv1beta1.JobManagerSpec{Resource: &flinkv1beta1.Resource{Memory: "1g", CPU: ptr(0.5)}},
			TaskManager:        &flinkv1beta1.TaskManagerSpec{Resource: &flinkv1beta1.Resource{Memory: "1g", CPU: ptr(0.5)}},
			Job: &flinkv1beta1.JobSpec{JarURI: "local:///opt/flink/examples/streaming/TopSpeedWindowing.jar", Parallelism: 2,
				EntryClass: "org.example.Main", Args: []string{"--window", "a;b"}},
		},
	}
	for _, m := range mutate {
		m(deployment)
	}
	return deployment
}

func withHA(d *flinkv1beta1.FlinkDeployment) {
	d.Spec.FlinkConfiguration = flinkv1beta1.NewConfigObject(map[string]string{
		"high-availability.type": "kubernetes", "high-availability.storageDir": "file:///ha"})
}

// planFor builds the cluster's objects, stores them in a fake API server, and resolves and plans the JobManager
// pod as the runtime does; breakPod may damage the JobManager Deployment first (the defects Teal had).
func planFor(t *testing.T, deployment *flinkv1beta1.FlinkDeployment, opts resources.ConfigOptions, breakPod func(*appsv1.Deployment, *corev1.ConfigMap)) (*PodRun, *Launch, error) {
	t.Helper()
	g := NewWithT(t)
	cluster, err := resources.Build(deployment, opts)
	g.Expect(err).NotTo(HaveOccurred())
	if breakPod != nil {
		breakPod(cluster.JobManager, cluster.ConfigMap)
	}
	reader := fake.NewClientBuilder().WithScheme(clientgoscheme.Scheme).WithObjects(cluster.ConfigMap,
		&corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: "streaming", Name: "db"}, Data: map[string][]byte{"password": []byte("s3cret")}},
		&corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Namespace: "streaming", Name: "flink"}}).Build()
	run, err := resolvePod(context.Background(), reader, cluster.JobManager, t.TempDir(), true)
	if err != nil {
		return nil, nil, err
	}
	launch, err := PlanLaunch(run)
	return run, launch, err
}

func TestPlanLaunchRunsWhatThePodSpecSays(t *testing.T) {
	t.Run("native application", func(t *testing.T) {
		g := NewWithT(t)
		run, launch, err := planFor(t, deploymentSpec(), resources.ConfigOptions{RestoreSavepointPath: "file:///sp/1"}, nil)
		g.Expect(err).NotTo(HaveOccurred())
		ip, _ := run.Getenv(resources.EnvPodIP)
		g.Expect(ip).To(Equal(PodIP), "fieldRef status.podIP resolves to the pod IP")
		g.Expect(launch.Native).To(BeTrue())
		g.Expect(launch.Job.JarURI).To(Equal("local:///opt/flink/examples/streaming/TopSpeedWindowing.jar"))
		g.Expect(launch.Job.EntryClass).To(Equal("org.example.Main"))
		g.Expect(launch.Job.Args).To(Equal([]string{"--window", "a;b"}), "program arguments arrive as a list")
		g.Expect(launch.Job.SavepointPath).To(Equal("file:///sp/1"))
		g.Expect(launch.Job.JobID).To(MatchRegexp("^[0-9a-f]{32}$"))
		g.Expect(launch.Config).To(HaveKeyWithValue(resources.KeyClusterID, "topspeed"))
	})
	t.Run("native session", func(t *testing.T) {
		g := NewWithT(t)
		_, launch, err := planFor(t, deploymentSpec(func(d *flinkv1beta1.FlinkDeployment) { d.Spec.Job = nil }), resources.ConfigOptions{}, nil)
		g.Expect(err).NotTo(HaveOccurred())
		g.Expect(launch.Job).To(BeNil())
	})
	t.Run("standalone application takes its job from the command line", func(t *testing.T) {
		g := NewWithT(t)
		deployment := deploymentSpec(withHA, func(d *flinkv1beta1.FlinkDeployment) {
			d.Spec.Mode = flinkv1beta1.DeploymentModeStandalone
			d.Spec.Job.AllowNonRestoredState = ptr(true)
		})
		_, launch, err := planFor(t, deployment, resources.ConfigOptions{RestoreSavepointPath: "file:///sp/2"}, nil)
		g.Expect(err).NotTo(HaveOccurred())
		g.Expect(launch.Command).To(Equal("standalone-job"))
		g.Expect(launch.Job).To(Equal(&JobLaunch{
			JarURI: "file:///opt/flink/examples/streaming/TopSpeedWindowing.jar", EntryClass: "org.example.Main",
			Args: []string{"--window", "a;b"}, SavepointPath: "file:///sp/2", AllowNonRestoredState: true,
			JobID: launch.Config[resources.KeyJobID], Parallelism: 2,
		}))
		g.Expect(launch.Config).To(HaveKeyWithValue(resources.KeyRPCAddress, PodIP), "-D jobmanager.rpc.address=$(_POD_IP_ADDRESS) expands")
	})
	t.Run("native TaskManager pod template is mounted", func(t *testing.T) {
		g := NewWithT(t)
		deployment := deploymentSpec(func(d *flinkv1beta1.FlinkDeployment) {
			d.Spec.PodTemplate = &flinkv1beta1.Pod{Spec: corev1.PodSpec{NodeSelector: map[string]string{"pool": "flink"}}}
		})
		_, launch, err := planFor(t, deployment, resources.ConfigOptions{}, nil)
		g.Expect(err).NotTo(HaveOccurred())
		g.Expect(launch.Config).To(HaveKey(resources.KeyTaskManagerPodTemplate))
	})
}

// Each case is a Pod-spec defect Teal had: the local runtime now fails it the way the real container would.
func TestPlanLaunchFailsBadPodSpecsAsTheRealContainerWould(t *testing.T) {
	cases := []struct {
		name       string
		deployment *flinkv1beta1.FlinkDeployment
		breakPod   func(*appsv1.Deployment, *corev1.ConfigMap)
		want       string
	}{
		{"POD_IP instead of _POD_IP_ADDRESS under HA", deploymentSpec(withHA), func(d *appsv1.Deployment, _ *corev1.ConfigMap) {
			env := d.Spec.Template.Spec.Containers[0].Env
			for i := range env {
				if env[i].Name == resources.EnvPodIP {
					env[i].Name = "POD_IP"
				}
			}
		}, "JobManager ip address environment variable _POD_IP_ADDRESS not set"},
		{"submit-failed-job without HA or a fixed job id", deploymentSpec(), func(_ *appsv1.Deployment, configMap *corev1.ConfigMap) {
			configMap.Data["config.yaml"] = removeLine(configMap.Data["config.yaml"], resources.KeyJobID)
		}, "is not supported in non-HA setups"},
		{"standalone-job without its job", deploymentSpec(func(d *flinkv1beta1.FlinkDeployment) { d.Spec.Mode = flinkv1beta1.DeploymentModeStandalone }),
			func(d *appsv1.Deployment, configMap *corev1.ConfigMap) {
				d.Spec.Template.Spec.Containers[0].Args = []string{"standalone-job"}
				configMap.Data["config.yaml"] = removeLine(configMap.Data["config.yaml"], resources.KeyPipelineClasspaths)
			}, "Could not find the job jar"},
		{"TaskManager pod template not mounted", deploymentSpec(func(d *flinkv1beta1.FlinkDeployment) {
			d.Spec.PodTemplate = &flinkv1beta1.Pod{Spec: corev1.PodSpec{NodeSelector: map[string]string{"pool": "flink"}}}
		}), func(d *appsv1.Deployment, _ *corev1.ConfigMap) {
			container := &d.Spec.Template.Spec.Containers[0]
			var mounts []corev1.VolumeMount
			for _, mount := range container.VolumeMounts {
				if mount.Name != resources.PodTemplateVolumeName {
					mounts = append(mounts, mount)
				}
			}
			container.VolumeMounts = mounts
		}, "Pod template file /opt/flink/pod-template/taskmanager-pod-template.yaml does not exist."},
		{"configuration not mounted", deploymentSpec(), func(d *appsv1.Deployment, _ *corev1.ConfigMap) {
			d.Spec.Template.Spec.Containers[0].VolumeMounts = nil
		}, "FLINK_CONF_DIR /opt/flink/conf is not mounted"},
		{"a command the image does not have", deploymentSpec(), func(d *appsv1.Deployment, _ *corev1.ConfigMap) {
			d.Spec.Template.Spec.Containers[0].Args = []string{"flink-jobmanager"}
		}, `exec: "flink-jobmanager": executable file not found`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			g := NewWithT(t)
			_, _, err := planFor(t, tc.deployment, resources.ConfigOptions{}, tc.breakPod)
			var failure *launchError
			g.Expect(errors.As(err, &failure)).To(BeTrue(), "a start-up failure: %v", err)
			g.Expect(failure.message).To(ContainSubstring(tc.want))
		})
	}
}

func TestResolvePodFailsAsTheKubeletWould(t *testing.T) {
	t.Run("missing secret key reference", func(t *testing.T) {
		g := NewWithT(t)
		deployment := deploymentSpec(func(d *flinkv1beta1.FlinkDeployment) {
			d.Spec.FlinkConfiguration = flinkv1beta1.NewConfigObject(map[string]string{resources.KeyEnvSecretKeyRef: "env:TOKEN,secret:missing,key:token"})
		})
		_, _, err := planFor(t, deployment, resources.ConfigOptions{}, nil)
		var failure *podError
		g.Expect(errors.As(err, &failure)).To(BeTrue())
		g.Expect(failure.reason).To(Equal("CreateContainerConfigError"))
	})
	t.Run("secret key reference resolves", func(t *testing.T) {
		g := NewWithT(t)
		deployment := deploymentSpec(func(d *flinkv1beta1.FlinkDeployment) {
			d.Spec.FlinkConfiguration = flinkv1beta1.NewConfigObject(map[string]string{resources.KeyEnvSecretKeyRef: "env:DB_PASSWORD,secret:db,key:password"})
		})
		run, _, err := planFor(t, deployment, resources.ConfigOptions{}, nil)
		g.Expect(err).NotTo(HaveOccurred())
		password, _ := run.Getenv("DB_PASSWORD")
		g.Expect(password).To(Equal("s3cret"))
	})
	t.Run("missing service account", func(t *testing.T) {
		g := NewWithT(t)
		_, _, err := planFor(t, deploymentSpec(func(d *flinkv1beta1.FlinkDeployment) { d.Spec.ServiceAccount = "nobody" }), resources.ConfigOptions{}, nil)
		var failure *podError
		g.Expect(errors.As(err, &failure)).To(BeTrue())
		g.Expect(failure.replicaFailure).To(BeTrue())
		g.Expect(failure.message).To(ContainSubstring(`error looking up service account streaming/nobody: serviceaccount "nobody" not found`))
	})
}

func TestExpandFollowsTheKubelet(t *testing.T) {
	g := NewWithT(t)
	lookup := func(name string) (string, bool) {
		if name == "IP" {
			return "10.0.0.1", true
		}
		return "", false
	}
	g.Expect(expand("addr=$(IP)", lookup)).To(Equal("addr=10.0.0.1"))
	g.Expect(expand("$$(IP)", lookup)).To(Equal("$(IP)"))
	g.Expect(expand("$(UNKNOWN)", lookup)).To(Equal("$(UNKNOWN)"))
}

func removeLine(content, key string) string {
	var kept []byte
	for _, line := range splitLines(content) {
		if len(line) > len(key) && line[:len(key)+1] == key+":" {
			continue
		}
		kept = append(kept, line+"\n"...)
	}
	return string(kept)
}

func splitLines(content string) []string {
	var lines []string
	start := 0
	for i := 0; i < len(content); i++ {
		if content[i] == '\n' {
			lines = append(lines, content[start:i])
			start = i + 1
		}
	}
	if start < len(content) {
		lines = append(lines, content[start:])
	}
	return lines
}
