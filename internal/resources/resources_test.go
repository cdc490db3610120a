package resources

import (
	"testing"

	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
)

func ptr[T any](v T) *T { return &v }

func application() *flinkv1beta1.FlinkDeployment {
	return &flinkv1beta1.FlinkDeployment{
		ObjectMeta: metav1.ObjectMeta{Name: "topspeed", Namespace: "streaming", Generation: 4},
		Spec: flinkv1beta1.FlinkDeploymentSpec{
			Image: "flink:1.20", ImagePullPolicy: "IfNotPresent", FlinkVersion: flinkv1beta1.FlinkVersionV1_20,
			ServiceAccount:     "flink",
			FlinkConfiguration: &flinkv1beta1.ConfigObject{Raw: []byte(`{"taskmanager":{"numberOfTaskSlots":"2"},"state.savepoints.dir":"file:///sp","rest.port":"8081","kubernetes.cluster-id":"ignored"}`)},
			JobManager:         &flinkv1beta1.JobManagerSpec{Resource: &flinkv1beta1.Resource{Memory: "2048m", CPU: ptr(0.5)}},
			TaskManager:        &flinkv1beta1.TaskManagerSpec{Resource: &flinkv1beta1.Resource{Memory: "2Gi", CPU: ptr(1.0)}},
			LogConfiguration:   map[string]string{"log4j-console.properties": "rootLogger.level = INFO\n"},
			Job: &flinkv1beta1.JobSpec{
				JarURI: "local:///opt/flink/examples/streaming/TopSpeedWindowing.jar", Parallelism: 3,
				EntryClass: "org.example.Main", Args: []string{"--a", "b"}, AllowNonRestoredState: ptr(true),
			},
		},
	}
}

func TestEffectiveConfig(t *testing.T) {
	g := NewWithT(t)
	config, err := EffectiveConfig(application(), ConfigOptions{
		Defaults:             map[string]string{"taskmanager.numberOfTaskSlots": "1", "web.cancel.enable": "false"},
		RestoreSavepointPath: "file:///sp/savepoint-1",
	})
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(config).To(HaveKeyWithValue(KeyTaskSlots, "2"), "the spec overrides operator defaults")
	g.Expect(config).To(HaveKeyWithValue("web.cancel.enable", "false"), "operator defaults apply")
	g.Expect(config).To(HaveKeyWithValue(KeyClusterID, "topspeed"), "derived keys win over the spec")
	g.Expect(config).To(HaveKeyWithValue(KeyNamespace, "streaming"))
	g.Expect(config).To(HaveKeyWithValue(KeyExecutionTarget, "kubernetes-application"))
	g.Expect(config).To(HaveKeyWithValue(KeyJobManagerMemory, "2147483648b"))
	g.Expect(config).To(HaveKeyWithValue(KeyTaskManagerMemory, "2147483648b"))
	g.Expect(config).To(HaveKeyWithValue(KeyJobManagerCPU, "0.5"))
	g.Expect(config).To(HaveKeyWithValue(KeyPipelineJars, "local:///opt/flink/examples/streaming/TopSpeedWindowing.jar"))
	g.Expect(config).To(HaveKeyWithValue(KeyApplicationMain, "org.example.Main"))
	g.Expect(config).To(HaveKeyWithValue(KeyApplicationArgs, "--a;b"))
	g.Expect(config).To(HaveKeyWithValue(KeyParallelism, "3"))
	g.Expect(config).To(HaveKeyWithValue(KeySavepointPath, "file:///sp/savepoint-1"))
	g.Expect(config).To(HaveKeyWithValue(KeyIgnoreUnclaimed, "true"))
	g.Expect(config).To(HaveKeyWithValue(KeyImage, "flink:1.20"))
	g.Expect(config).To(HaveKeyWithValue(KeyServiceAccount, "flink"))
	g.Expect(config).To(HaveKeyWithValue(KeyShutdownOnFinish, "false"))
}

func TestEffectiveConfigDropsAStaleSavepointPath(t *testing.T) {
	g := NewWithT(t)
	deployment := application()
	deployment.Spec.FlinkConfiguration = flinkv1beta1.NewConfigObject(map[string]string{KeySavepointPath: "file:///old"})
	config, err := EffectiveConfig(deployment, ConfigOptions{})
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(config).NotTo(HaveKey(KeySavepointPath), "restores come from initialSavepointPath or the operator, never a stale key")
}

func TestBuildNativeApplication(t *testing.T) {
	g := NewWithT(t)
	cluster, err := Build(application(), ConfigOptions{})
	g.Expect(err).NotTo(HaveOccurred())

	g.Expect(cluster.ConfigMap.Name).To(Equal("flink-config-topspeed"))
	g.Expect(cluster.ConfigMap.Data).To(HaveKey("config.yaml"))
	g.Expect(cluster.ConfigMap.Data).To(HaveKeyWithValue("log4j-console.properties", "rootLogger.level = INFO\n"))
	parsed, err := ParseConfig(cluster.ConfigMap.Data["config.yaml"], "config.yaml")
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(parsed).To(Equal(cluster.Config), "the ConfigMap carries exactly the effective configuration")

	jm := cluster.JobManager
	g.Expect(jm.Name).To(Equal("topspeed"))
	g.Expect(jm.Namespace).To(Equal("streaming"))
	g.Expect(jm.Annotations).To(HaveKeyWithValue(AnnotationGeneration, "4"))
	g.Expect(jm.Labels).To(HaveKeyWithValue(LabelManagedBy, ManagedByValue))
	g.Expect(jm.Spec.Selector.MatchLabels).To(Equal(map[string]string{LabelApp: "topspeed", LabelComponent: "jobmanager", LabelType: TypeNative}))
	g.Expect(*jm.Spec.Replicas).To(BeEquivalentTo(1))
	pod := jm.Spec.Template
	g.Expect(pod.Labels).To(HaveKeyWithValue(LabelComponent, "jobmanager"))
	g.Expect(pod.Spec.ServiceAccountName).To(Equal("flink"))
	g.Expect(pod.Spec.Containers).To(HaveLen(1))
	main := pod.Spec.Containers[0]
	g.Expect(main.Name).To(Equal(MainContainerName))
	g.Expect(main.Image).To(Equal("flink:1.20"))
	g.Expect(main.ImagePullPolicy).To(Equal(corev1.PullIfNotPresent))
	g.Expect(main.Args).To(Equal([]string{"kubernetes-jobmanager.sh", "kubernetes-application"}))
	g.Expect(main.Ports).To(ContainElement(HaveField("ContainerPort", BeEquivalentTo(8081))))
	g.Expect(main.VolumeMounts).To(ContainElement(corev1.VolumeMount{Name: ConfigVolumeName, MountPath: ConfigMountPath}))
	g.Expect(main.Resources.Limits.Memory().Value()).To(BeEquivalentTo(2 << 30))
	g.Expect(main.Resources.Requests.Cpu().MilliValue()).To(BeEquivalentTo(500))
	g.Expect(pod.Spec.Volumes).To(ContainElement(HaveField("VolumeSource.ConfigMap.Name", "flink-config-topspeed")))

	g.Expect(cluster.InternalService.Name).To(Equal("topspeed"))
	g.Expect(cluster.InternalService.Spec.ClusterIP).To(Equal(corev1.ClusterIPNone))
	g.Expect(cluster.RestService.Name).To(Equal("topspeed-rest"))
	g.Expect(cluster.RestService.Spec.Ports[0].Port).To(BeEquivalentTo(8081))
	g.Expect(cluster.RestService.Spec.Selector).To(Equal(jm.Spec.Selector.MatchLabels))
	g.Expect(cluster.TaskManager).To(BeNil(), "native clusters create TaskManagers themselves")
	g.Expect(cluster.Ingress).To(BeNil())
}

func TestBuildSessionAndStandalone(t *testing.T) {
	cases := []struct {
		name       string
		mutate     func(*flinkv1beta1.FlinkDeployment)
		jmArgs     []string
		target     string
		taskManags *int32
	}{
		{"native session", func(d *flinkv1beta1.FlinkDeployment) { d.Spec.Job = nil }, []string{"kubernetes-jobmanager.sh", "kubernetes-session"}, "kubernetes-session", nil},
		{"standalone application", func(d *flinkv1beta1.FlinkDeployment) { d.Spec.Mode = flinkv1beta1.DeploymentModeStandalone },
			[]string{"standalone-job", "--job-classname", "org.example.Main", "--allowNonRestoredState", "--a", "b"}, "remote", ptr(int32(2))},
		{"standalone session", func(d *flinkv1beta1.FlinkDeployment) {
			d.Spec.Mode = flinkv1beta1.DeploymentModeStandalone
			d.Spec.Job = nil
		}, []string{"jobmanager"}, "remote", ptr(int32(1))},
		{"standalone with replicas", func(d *flinkv1beta1.FlinkDeployment) {
			d.Spec.Mode = flinkv1beta1.DeploymentModeStandalone
			d.Spec.TaskManager.Replicas = ptr(int32(5))
		}, []string{"standalone-job", "--job-classname", "org.example.Main", "--allowNonRestoredState", "--a", "b"}, "remote", ptr(int32(5))},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			g := NewWithT(t)
			deployment := application()
			tc.mutate(deployment)
			cluster, err := Build(deployment, ConfigOptions{})
			g.Expect(err).NotTo(HaveOccurred())
			g.Expect(cluster.JobManager.Spec.Template.Spec.Containers[0].Args).To(Equal(tc.jmArgs))
			g.Expect(cluster.Config).To(HaveKeyWithValue(KeyExecutionTarget, tc.target))
			if tc.taskManags == nil {
				g.Expect(cluster.TaskManager).To(BeNil())
				return
			}
			g.Expect(cluster.TaskManager.Name).To(Equal("topspeed-taskmanager"))
			g.Expect(*cluster.TaskManager.Spec.Replicas).To(Equal(*tc.taskManags))
			g.Expect(cluster.TaskManager.Spec.Template.Spec.Containers[0].Args).To(Equal([]string{"taskmanager"}))
			g.Expect(cluster.TaskManager.Spec.Template.Labels).To(HaveKeyWithValue(LabelType, TypeStandalone))
		})
	}
}

func TestPodTemplatesMerge(t *testing.T) {
	g := NewWithT(t)
	deployment := application()
	deployment.Spec.FlinkConfiguration = flinkv1beta1.NewConfigObject(map[string]string{KeyMergeArraysByName: "true"})
	deployment.Spec.PodTemplate = &flinkv1beta1.Pod{
		Metadata: metav1.ObjectMeta{Labels: map[string]string{"team": "data"}, Annotations: map[string]string{"a": "base"}},
		Spec: corev1.PodSpec{
			NodeSelector: map[string]string{"pool": "base"},
			Containers: []corev1.Container{{Name: MainContainerName, Env: []corev1.EnvVar{{Name: "FROM_BASE", Value: "1"}}},
				{Name: "sidecar", Image: "busybox"}},
			Volumes: []corev1.Volume{{Name: "data", VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{}}}},
		},
	}
	deployment.Spec.JobManager.PodTemplate = &flinkv1beta1.Pod{
		Metadata: metav1.ObjectMeta{Annotations: map[string]string{"a": "jm"}},
		Spec: corev1.PodSpec{
			NodeSelector: map[string]string{"pool": "jm"},
			Containers:   []corev1.Container{{Name: MainContainerName, Env: []corev1.EnvVar{{Name: "FROM_JM", Value: "2"}}}},
		},
	}
	cluster, err := Build(deployment, ConfigOptions{})
	g.Expect(err).NotTo(HaveOccurred())
	pod := cluster.JobManager.Spec.Template
	g.Expect(pod.Labels).To(HaveKeyWithValue("team", "data"))
	g.Expect(pod.Annotations).To(HaveKeyWithValue("a", "jm"))
	g.Expect(pod.Spec.NodeSelector).To(Equal(map[string]string{"pool": "jm"}))
	g.Expect(pod.Spec.Containers).To(HaveLen(2))
	g.Expect(pod.Spec.Containers[0].Env).To(ContainElements(
		corev1.EnvVar{Name: "FROM_BASE", Value: "1"}, corev1.EnvVar{Name: "FROM_JM", Value: "2"}))
	g.Expect(pod.Spec.Containers[1].Name).To(Equal("sidecar"))
	g.Expect(pod.Spec.Volumes).To(HaveLen(3), "data, the configuration and the TaskManager pod template")
}

func TestFullResourcesWinOverTheShorthand(t *testing.T) {
	g := NewWithT(t)
	deployment := application()
	deployment.Spec.TaskManager.Resources = &corev1.ResourceRequirements{
		Requests: corev1.ResourceList{corev1.ResourceMemory: resource.MustParse("3Gi")},
	}
	deployment.Spec.Mode = flinkv1beta1.DeploymentModeStandalone
	cluster, err := Build(deployment, ConfigOptions{})
	g.Expect(err).NotTo(HaveOccurred())
	resources := cluster.TaskManager.Spec.Template.Spec.Containers[0].Resources
	g.Expect(resources.Requests.Memory().String()).To(Equal("3Gi"))
	g.Expect(resources.Limits).To(BeEmpty())
	g.Expect(cluster.Config).To(HaveKeyWithValue(KeyTaskManagerMemory, "3221225472b"), "Flink sizes itself from the requests, as upstream")
	g.Expect(cluster.Config).To(HaveKeyWithValue(KeyTaskManagerCPU, "1"), "the shorthand still sets what resources leave out")
}

func TestIngress(t *testing.T) {
	cases := []struct {
		template string
		host     string
		path     string
	}{
		{"{{name}}.{{namespace}}.flink.example.com", "topspeed.streaming.flink.example.com", "/"},
		{"/{{namespace}}/{{name}}(/|$)(.*)", "", "/streaming/topspeed(/|$)(.*)"},
		{"flink.example.com/{{namespace}}/{{name}}", "flink.example.com", "/streaming/topspeed"},
	}
	for _, tc := range cases {
		t.Run(tc.template, func(t *testing.T) {
			g := NewWithT(t)
			ingress, err := BuildIngress("topspeed", "streaming", &flinkv1beta1.IngressSpec{
				Template: tc.template, ClassName: "nginx", Annotations: map[string]string{"x": "y"},
				TLS: []flinkv1beta1.IngressTLS{{Hosts: []string{"h"}, SecretName: "s"}},
			}, "topspeed-rest", 8081)
			g.Expect(err).NotTo(HaveOccurred())
			rule := ingress.Spec.Rules[0]
			g.Expect(rule.Host).To(Equal(tc.host))
			g.Expect(rule.HTTP.Paths[0].Path).To(Equal(tc.path))
			g.Expect(rule.HTTP.Paths[0].Backend.Service.Name).To(Equal("topspeed-rest"))
			g.Expect(rule.HTTP.Paths[0].Backend.Service.Port.Number).To(BeEquivalentTo(8081))
			g.Expect(*ingress.Spec.IngressClassName).To(Equal("nginx"))
			g.Expect(ingress.Annotations).To(HaveKeyWithValue("x", "y"))
			g.Expect(ingress.Spec.TLS).To(HaveLen(1))
		})
	}
}

func TestMemoryBytes(t *testing.T) {
	cases := map[string]int64{"2048m": 2 << 30, "1g": 1 << 30, "1024": 1024, "2Gi": 2 << 30, "1G": 1 << 30, "1.5Gi": 3 << 29, "512 mb": 512 << 20}
	for input, want := range cases {
		t.Run(input, func(t *testing.T) {
			g := NewWithT(t)
			got, err := MemoryBytes(input)
			g.Expect(err).NotTo(HaveOccurred())
			g.Expect(got).To(Equal(want))
		})
	}
	_, err := MemoryBytes("lots")
	NewWithT(t).Expect(err).To(MatchError(ContainSubstring("neither a Flink memory size")))
}

func TestConfigFilesRoundTrip(t *testing.T) {
	config := map[string]string{"a.b": "true", "c": "1.0", "d": "x: y", "pipeline.jars": "local:///a.jar", "e": "s3://b/p"}
	for _, version := range []flinkv1beta1.FlinkVersion{flinkv1beta1.FlinkVersionV1_18, flinkv1beta1.FlinkVersionV2_1} {
		t.Run(string(version), func(t *testing.T) {
			g := NewWithT(t)
			name := ConfigFileName(version)
			rendered, err := RenderConfig(config, name)
			g.Expect(err).NotTo(HaveOccurred())
			parsed, err := ParseConfig(rendered, name)
			g.Expect(err).NotTo(HaveOccurred())
			g.Expect(parsed).To(Equal(config))
		})
	}
	NewWithT(t).Expect(ConfigFileName(flinkv1beta1.FlinkVersionV1_18)).To(Equal("flink-conf.yaml"))
	NewWithT(t).Expect(ConfigFileName(flinkv1beta1.FlinkVersionV1_19)).To(Equal("config.yaml"))
}

func TestClusterObjectsJobManagerLast(t *testing.T) {
	kinds := func(cluster *Cluster) []string {
		var names []string
		for _, object := range cluster.Objects() {
			names = append(names, object.GetName())
		}
		return names
	}
	for _, tc := range []struct {
		name   string
		mutate func(*flinkv1beta1.FlinkDeployment)
		expect []string
	}{
		{"native application", func(*flinkv1beta1.FlinkDeployment) {},
			[]string{"flink-config-topspeed", "topspeed", "topspeed-rest", "topspeed"}},
		{"standalone with an ingress", func(d *flinkv1beta1.FlinkDeployment) {
			d.Spec.Mode = flinkv1beta1.DeploymentModeStandalone
			d.Spec.Ingress = &flinkv1beta1.IngressSpec{Template: "flink.example.com/{{namespace}}/{{name}}"}
		}, []string{"flink-config-topspeed", "topspeed", "topspeed-rest", "topspeed-taskmanager", "topspeed", "topspeed"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := NewWithT(t)
			deployment := application()
			tc.mutate(deployment)
			cluster, err := Build(deployment, ConfigOptions{})
			g.Expect(err).NotTo(HaveOccurred())
			g.Expect(kinds(cluster)).To(Equal(tc.expect))
			objects := cluster.Objects()
			g.Expect(objects[len(objects)-1]).To(BeIdenticalTo(cluster.JobManager), "the JobManager reads the ConfigMap when it starts")
		})
	}
}
