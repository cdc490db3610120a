package resources

import (
	"strings"
	"testing"

	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/yaml"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
)

// The tests in this file each cover a defect of the Pod specs that real pods exposed (issue 13): each fails
// against the builders as they were before.

func withConfig(deployment *flinkv1beta1.FlinkDeployment, config map[string]string) *flinkv1beta1.FlinkDeployment {
	deployment.Spec.FlinkConfiguration = flinkv1beta1.NewConfigObject(config)
	return deployment
}

func mainOf(pod corev1.PodTemplateSpec) corev1.Container {
	for _, container := range pod.Spec.Containers {
		if container.Name == MainContainerName {
			return container
		}
	}
	return corev1.Container{}
}

func envNamed(container corev1.Container, name string) *corev1.EnvVar {
	for i := range container.Env {
		if container.Env[i].Name == name {
			return &container.Env[i]
		}
	}
	return nil
}

// Flink refuses execution.submit-failed-job-on-application-error without HA unless the job ID is fixed: every
// application cluster gets one, per FlinkDeployment and per deployment of it.
func TestSubmitFailedJobWithoutHAHasAFixedJobID(t *testing.T) {
	g := NewWithT(t)
	first := application()
	first.UID = types.UID("uid-1")
	first.Status.ReconciliationStatus.ReconciliationTimestamp = 1000
	config, err := EffectiveConfig(first, ConfigOptions{})
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(config).To(HaveKeyWithValue(KeySubmitFailedJob, "true"))
	g.Expect(config).NotTo(HaveKey(KeyHighAvailability))
	g.Expect(config[KeyJobID]).To(MatchRegexp("^[0-9a-f]{32}$"), "a fixed job ID lets Flink accept the key without HA")

	again, err := EffectiveConfig(first, ConfigOptions{RestoreSavepointPath: "file:///sp/1"})
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(again[KeyJobID]).To(Equal(config[KeyJobID]), "a retried or recovered deployment keeps its job ID")

	other := application()
	other.UID = types.UID("uid-2")
	other.Status.ReconciliationStatus.ReconciliationTimestamp = 1000
	otherConfig, err := EffectiveConfig(other, ConfigOptions{})
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(otherConfig[KeyJobID]).NotTo(Equal(config[KeyJobID]), "another FlinkDeployment gets another job ID")

	first.Status.ReconciliationStatus.ReconciliationTimestamp = 2000
	upgraded, err := EffectiveConfig(first, ConfigOptions{})
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(upgraded[KeyJobID]).NotTo(Equal(config[KeyJobID]), "an upgrade starts a job with a new ID")
	first.Status.ClusterHealth = &flinkv1beta1.ClusterHealthStatus{Restarts: 1}
	restarted, err := EffectiveConfig(first, ConfigOptions{})
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(restarted[KeyJobID]).NotTo(Equal(upgraded[KeyJobID]), "a restart starts a job with a new ID")

	user := withConfig(application(), map[string]string{KeyJobID: "00000000000000000000000000000001", KeySubmitFailedJob: "false"})
	userConfig, err := EffectiveConfig(user, ConfigOptions{})
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(userConfig).To(HaveKeyWithValue(KeyJobID, "00000000000000000000000000000001"), "the user's job ID wins")
	g.Expect(userConfig).To(HaveKeyWithValue(KeySubmitFailedJob, "false"), "the user may turn it off, as upstream")

	session := application()
	session.Spec.Job = nil
	sessionConfig, err := EffectiveConfig(session, ConfigOptions{})
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(sessionConfig).NotTo(HaveKey(KeyJobID))
	g.Expect(sessionConfig).NotTo(HaveKey(KeySubmitFailedJob))
}

// Flink's Kubernetes HA needs the pod IP in _POD_IP_ADDRESS on the JobManager; POD_IP crash-loops it.
func TestPodIPAddressEnvUnderHA(t *testing.T) {
	for _, mode := range []flinkv1beta1.KubernetesDeploymentMode{flinkv1beta1.DeploymentModeNative, flinkv1beta1.DeploymentModeStandalone} {
		t.Run(string(mode), func(t *testing.T) {
			g := NewWithT(t)
			deployment := withConfig(application(), map[string]string{
				"high-availability.type": "kubernetes", "high-availability.storageDir": "file:///ha"})
			deployment.Spec.Mode = mode
			cluster, err := Build(deployment, ConfigOptions{})
			g.Expect(err).NotTo(HaveOccurred())
			main := mainOf(cluster.JobManager.Spec.Template)
			env := envNamed(main, EnvPodIP)
			g.Expect(env).NotTo(BeNil(), "the JobManager carries _POD_IP_ADDRESS")
			g.Expect(env.ValueFrom.FieldRef.FieldPath).To(Equal("status.podIP"))
			g.Expect(envNamed(main, "POD_IP")).To(BeNil())
			if mode == flinkv1beta1.DeploymentModeStandalone {
				g.Expect(main.Args).To(ContainElements("-D", "jobmanager.rpc.address=$(_POD_IP_ADDRESS)"),
					"a standalone HA JobManager announces its pod IP, as upstream")
			}
		})
	}
}

// standalone-job reads the job from its command line and the jar from the user classpath.
func TestStandaloneApplicationJobStart(t *testing.T) {
	g := NewWithT(t)
	deployment := withConfig(application(), map[string]string{
		"high-availability.type": "kubernetes", "high-availability.storageDir": "file:///ha"})
	deployment.Spec.Mode = flinkv1beta1.DeploymentModeStandalone
	deployment.Spec.Job.Args = []string{"--window", "5 s", "a;b"}
	cluster, err := Build(deployment, ConfigOptions{RestoreSavepointPath: "file:///sp/savepoint-1"})
	g.Expect(err).NotTo(HaveOccurred())
	main := mainOf(cluster.JobManager.Spec.Template)
	g.Expect(main.Command).To(Equal([]string{"/docker-entrypoint.sh"}))
	g.Expect(main.Args).To(Equal([]string{"standalone-job",
		"--job-classname", "org.example.Main",
		"--allowNonRestoredState",
		"--fromSavepoint", "file:///sp/savepoint-1",
		"-D", "jobmanager.rpc.address=$(_POD_IP_ADDRESS)",
		"--window", "5 s", "a;b"}))
	g.Expect(cluster.Config).To(HaveKeyWithValue(KeyPipelineClasspaths, "file:///opt/flink/examples/streaming/TopSpeedWindowing.jar"),
		"the user jar is on the classpath, local:// turned into file:// as upstream")
	g.Expect(cluster.Config).NotTo(HaveKey(KeyPipelineJars))
	g.Expect(main.VolumeMounts).To(ContainElement(corev1.VolumeMount{Name: UserLibVolumeName, MountPath: UserLibDir}))
	g.Expect(cluster.TaskManager.Spec.Template.Spec.Containers[0].Args).To(Equal([]string{"taskmanager"}))
}

// A native JobManager builds its TaskManagers from kubernetes.pod-template-file.taskmanager: the file must be
// set, mounted and carry spec.podTemplate with spec.taskManager.podTemplate over it.
func TestNativeTaskManagerPodTemplate(t *testing.T) {
	g := NewWithT(t)
	deployment := application()
	deployment.Spec.PodTemplate = &flinkv1beta1.Pod{Spec: corev1.PodSpec{
		ImagePullSecrets: []corev1.LocalObjectReference{{Name: "registry"}},
		Containers: []corev1.Container{{Name: MainContainerName, Env: []corev1.EnvVar{{Name: "COMMON", Value: "1"}},
			VolumeMounts: []corev1.VolumeMount{{Name: "data", MountPath: "/data"}}}},
		Volumes: []corev1.Volume{{Name: "data", VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{}}}},
	}}
	deployment.Spec.TaskManager.PodTemplate = &flinkv1beta1.Pod{Spec: corev1.PodSpec{
		NodeSelector: map[string]string{"pool": "tm"},
		Tolerations:  []corev1.Toleration{{Key: "dedicated", Operator: corev1.TolerationOpEqual, Value: "flink", Effect: corev1.TaintEffectNoSchedule}},
	}}
	cluster, err := Build(deployment, ConfigOptions{})
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(cluster.Config).To(HaveKeyWithValue(KeyTaskManagerPodTemplate, "/opt/flink/pod-template/taskmanager-pod-template.yaml"))

	rendered := cluster.ConfigMap.Data[TaskManagerPodTemplateFile]
	g.Expect(rendered).NotTo(BeEmpty())
	pod := &corev1.Pod{}
	g.Expect(yaml.UnmarshalStrict([]byte(rendered), pod)).To(Succeed())
	g.Expect(pod.Kind).To(Equal("Pod"))
	g.Expect(pod.Spec.NodeSelector).To(Equal(map[string]string{"pool": "tm"}))
	g.Expect(pod.Spec.Tolerations).To(HaveLen(1))
	g.Expect(pod.Spec.ImagePullSecrets).To(Equal([]corev1.LocalObjectReference{{Name: "registry"}}))
	g.Expect(pod.Spec.Volumes).To(ContainElement(HaveField("Name", "data")))
	g.Expect(pod.Spec.Containers[0].Env).To(ContainElement(corev1.EnvVar{Name: "COMMON", Value: "1"}))

	jobManager := cluster.JobManager.Spec.Template
	g.Expect(mainOf(jobManager).VolumeMounts).To(ContainElement(corev1.VolumeMount{Name: PodTemplateVolumeName, MountPath: "/opt/flink/pod-template"}))
	var templateVolume, configVolume *corev1.Volume
	for i, volume := range jobManager.Spec.Volumes {
		switch volume.Name {
		case PodTemplateVolumeName:
			templateVolume = &jobManager.Spec.Volumes[i]
		case ConfigVolumeName:
			configVolume = &jobManager.Spec.Volumes[i]
		}
	}
	g.Expect(templateVolume).NotTo(BeNil())
	g.Expect(templateVolume.ConfigMap.Items).To(Equal([]corev1.KeyToPath{{Key: TaskManagerPodTemplateFile, Path: TaskManagerPodTemplateFile}}))
	g.Expect(configVolume.ConfigMap.Items).NotTo(ContainElement(HaveField("Key", TaskManagerPodTemplateFile)),
		"the conf directory holds only configuration files")

	standalone := application()
	standalone.Spec.Mode = flinkv1beta1.DeploymentModeStandalone
	standalone.Spec.PodTemplate = deployment.Spec.PodTemplate
	standaloneCluster, err := Build(standalone, ConfigOptions{})
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(standaloneCluster.Config).NotTo(HaveKey(KeyTaskManagerPodTemplate), "standalone TaskManagers are Teal's own Deployment")
}

// The mounted configuration replaces the image's, so the Java 17 module options must be in it, unquoted.
func TestJavaModuleOptions(t *testing.T) {
	g := NewWithT(t)
	cluster, err := Build(application(), ConfigOptions{})
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(cluster.ConfigMap.Data["config.yaml"]).To(ContainSubstring("\nenv.java.default-opts.all: --add-exports=java.base/sun.net.util=ALL-UNNAMED "))
	g.Expect(cluster.ConfigMap.Data["config.yaml"]).To(ContainSubstring("--add-opens=java.base/java.util.concurrent.locks=ALL-UNNAMED\n"))
	g.Expect(strings.Count(JavaModuleOptions, "--add-opens=")).To(Equal(12))
}

// TestUserJavaOptionsKeepModuleOptions: a user's env.java.opts.all used to replace the module options (both
// were written to the same key), so a JVM flag added for the user's code took away the --add-opens Flink needs
// on Java 17. From 1.19 they live in env.java.default-opts.all, which Flink's scripts prepend; before 1.19 there
// is only env.java.opts.all, and the user's value wins as it did.
func TestUserJavaOptionsKeepModuleOptions(t *testing.T) {
	for _, tc := range []struct {
		version              flinkv1beta1.FlinkVersion
		wantKey, wantOptions string
	}{
		{flinkv1beta1.FlinkVersionV1_20, KeyJavaDefaultOptsAll, JavaModuleOptions},
		{flinkv1beta1.FlinkVersionV1_19, KeyJavaDefaultOptsAll, JavaModuleOptions},
		{flinkv1beta1.FlinkVersionV2_0, KeyJavaDefaultOptsAll, JavaModuleOptions},
		{flinkv1beta1.FlinkVersionV1_18, KeyJavaOptsAll, "-XX:+UseG1GC"},
	} {
		t.Run(string(tc.version), func(t *testing.T) {
			g := NewWithT(t)
			deployment := withConfig(application(), map[string]string{KeyJavaOptsAll: "-XX:+UseG1GC"})
			deployment.Spec.FlinkVersion = tc.version
			config, err := EffectiveConfig(deployment, ConfigOptions{})
			g.Expect(err).NotTo(HaveOccurred())
			g.Expect(config).To(HaveKeyWithValue(KeyJavaOptsAll, "-XX:+UseG1GC"), "the user's options are kept")
			g.Expect(config).To(HaveKeyWithValue(tc.wantKey, tc.wantOptions))
			g.Expect(JavaModuleOptionsKey(tc.version)).To(Equal(tc.wantKey))
		})
	}
	g := NewWithT(t)
	own := withConfig(application(), map[string]string{KeyJavaDefaultOptsAll: "-Dadmin=1"})
	config, err := EffectiveConfig(own, ConfigOptions{})
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(config).To(HaveKeyWithValue(KeyJavaDefaultOptsAll, "-Dadmin=1"), "a value the user sets is never overwritten")
}

// Every HA cluster keeps its HA data under its own cluster id.
func TestHAClusterIDPerDeployment(t *testing.T) {
	g := NewWithT(t)
	ha := map[string]string{"high-availability.type": "kubernetes", "high-availability.storageDir": "file:///ha",
		KeyHAClusterID: "shared"}
	first := withConfig(application(), ha)
	second := withConfig(application(), ha)
	second.Name = "other"
	firstConfig, err := EffectiveConfig(first, ConfigOptions{})
	g.Expect(err).NotTo(HaveOccurred())
	secondConfig, err := EffectiveConfig(second, ConfigOptions{})
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(firstConfig).To(HaveKeyWithValue(KeyHAClusterID, "topspeed"))
	g.Expect(secondConfig).To(HaveKeyWithValue(KeyHAClusterID, "other"))
	g.Expect(firstConfig[KeyJobID]).NotTo(Equal(secondConfig[KeyJobID]))

	legacy, err := EffectiveConfig(withConfig(application(), map[string]string{"high-availability": "kubernetes"}), ConfigOptions{})
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(legacy).To(HaveKeyWithValue(KeyHAClusterID, "topspeed"), "the pre-1.17 key activates HA too")

	none, err := EffectiveConfig(application(), ConfigOptions{})
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(none).NotTo(HaveKey(KeyHAClusterID))
}

func TestDefaultLog4jConsole(t *testing.T) {
	g := NewWithT(t)
	deployment := application()
	deployment.Spec.LogConfiguration = nil
	cluster, err := Build(deployment, ConfigOptions{})
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(cluster.ConfigMap.Data).To(HaveKeyWithValue(Log4jConsoleFile, DefaultLog4jConsole))
	g.Expect(DefaultLog4jConsole).To(ContainSubstring("rootLogger.level = INFO"))
	g.Expect(DefaultLog4jConsole).To(ContainSubstring("${sys:log.file}"), "the log file the REST API serves")

	own, err := Build(application(), ConfigOptions{})
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(own.ConfigMap.Data).To(HaveKeyWithValue(Log4jConsoleFile, "rootLogger.level = INFO\n"), "the spec's log configuration wins")

	logback := application()
	logback.Spec.LogConfiguration = map[string]string{LogbackConsoleFile: "<configuration/>"}
	logbackCluster, err := Build(logback, ConfigOptions{})
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(logbackCluster.ConfigMap.Data).NotTo(HaveKey(Log4jConsoleFile), "a logback configuration is not overridden")
}

// Program arguments are a list: an argument holding ";" or quotes arrives intact.
func TestProgramArgsAreAList(t *testing.T) {
	args := []string{"--query", "SELECT 1; SELECT 2", "it's", `say "hi"`, ""}
	for _, version := range []flinkv1beta1.FlinkVersion{flinkv1beta1.FlinkVersionV1_18, flinkv1beta1.FlinkVersionV1_20} {
		t.Run(string(version), func(t *testing.T) {
			g := NewWithT(t)
			deployment := application()
			deployment.Spec.FlinkVersion = version
			deployment.Spec.Job.Args = args
			cluster, err := Build(deployment, ConfigOptions{})
			g.Expect(err).NotTo(HaveOccurred())
			name := ConfigFileName(version)
			rendered := cluster.ConfigMap.Data[name]
			if name == "config.yaml" {
				parsed := map[string]any{}
				g.Expect(yaml.Unmarshal([]byte(rendered), &parsed)).To(Succeed())
				g.Expect(parsed[KeyApplicationArgs]).To(Equal([]any{"--query", "SELECT 1; SELECT 2", "it's", `say "hi"`, ""}),
					"config.yaml holds a YAML list")
			} else {
				g.Expect(rendered).To(ContainSubstring(`$internal.application.program-args: --query;'SELECT 1; SELECT 2';'it''s';'say "hi"';''`),
					"flink-conf.yaml holds Flink's escaped list form")
			}
			parsed, err := ParseConfig(rendered, name)
			g.Expect(err).NotTo(HaveOccurred())
			items, err := SplitList(parsed[KeyApplicationArgs])
			g.Expect(err).NotTo(HaveOccurred())
			g.Expect(items).To(Equal(args))
		})
	}
}

func TestSplitListRejectsBrokenQuotes(t *testing.T) {
	g := NewWithT(t)
	_, err := SplitList("'open")
	g.Expect(err).To(MatchError(ContainSubstring("unterminated quote")))
	items, err := SplitList(`"a;b";c`)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(items).To(Equal([]string{"a;b", "c"}))
}

// Flink 1.15 and 1.16 only know the old image and CPU keys.
func TestLegacyFlinkKeyNames(t *testing.T) {
	cases := []struct {
		version      flinkv1beta1.FlinkVersion
		present      []string
		absent       []string
		taskManagerC string
	}{
		{flinkv1beta1.FlinkVersionV1_15, []string{KeyImageLegacy, KeyJobManagerCPULegacy, KeyTaskManagerCPULegacy}, []string{KeyImage}, KeyTaskManagerCPULegacy},
		{flinkv1beta1.FlinkVersionV1_16, []string{KeyImageLegacy, KeyTaskManagerCPULegacy}, []string{KeyImage}, KeyTaskManagerCPULegacy},
		{flinkv1beta1.FlinkVersionV1_17, []string{KeyImage, KeyTaskManagerCPU}, []string{KeyImageLegacy, KeyTaskManagerCPULegacy}, KeyTaskManagerCPU},
	}
	for _, tc := range cases {
		t.Run(string(tc.version), func(t *testing.T) {
			g := NewWithT(t)
			deployment := application()
			deployment.Spec.FlinkVersion = tc.version
			config, err := EffectiveConfig(deployment, ConfigOptions{})
			g.Expect(err).NotTo(HaveOccurred())
			for _, key := range tc.present {
				g.Expect(config).To(HaveKey(key))
			}
			for _, key := range tc.absent {
				g.Expect(config).NotTo(HaveKey(key))
			}
			g.Expect(config).To(HaveKeyWithValue(tc.taskManagerC, "1"))
		})
	}
}

// The JobManager pod follows Flink's Kubernetes keys as the Apache operator applies them.
func TestJobManagerFollowsFlinkKubernetesKeys(t *testing.T) {
	g := NewWithT(t)
	deployment := withConfig(application(), map[string]string{
		"containerized.master.env.FOO":       "bar",
		"containerized.taskmanager.env.ONLY": "tm",
		KeySecrets:                           "creds:/opt/flink/creds,tls:/opt/flink/tls",
		KeyEnvSecretKeyRef:                   "env:DB_PASSWORD,secret:db,key:password;env:TOKEN,secret:api,key:token",
		KeyJobManagerLabels:                  "team:data,tier:gold",
		KeyJobManagerAnnotations:             "prometheus.io/scrape:true",
		KeyJobManagerNodeSelect:              "pool:jm",
		KeyJobManagerTolerations:             "key:dedicated,operator:Equal,value:flink,effect:NoSchedule;key:spot,operator:Exists,effect:NoExecute,tolerationSeconds:30",
		KeyRestServiceType:                   "NodePort",
		KeyJobManagerMemoryLimitFactor:       "1.5",
	})
	cluster, err := Build(deployment, ConfigOptions{})
	g.Expect(err).NotTo(HaveOccurred())
	pod := cluster.JobManager.Spec.Template
	main := mainOf(pod)
	g.Expect(main.Env).To(ContainElement(corev1.EnvVar{Name: "FOO", Value: "bar"}))
	g.Expect(envNamed(main, "ONLY")).To(BeNil(), "TaskManager variables stay off the JobManager")
	g.Expect(envNamed(main, "DB_PASSWORD").ValueFrom.SecretKeyRef.Name).To(Equal("db"))
	g.Expect(envNamed(main, "TOKEN").ValueFrom.SecretKeyRef.Key).To(Equal("token"))
	g.Expect(main.VolumeMounts).To(ContainElements(
		corev1.VolumeMount{Name: "creds-volume", MountPath: "/opt/flink/creds"},
		corev1.VolumeMount{Name: "tls-volume", MountPath: "/opt/flink/tls"}))
	g.Expect(pod.Spec.Volumes).To(ContainElement(HaveField("VolumeSource.Secret.SecretName", "creds")))
	g.Expect(pod.Labels).To(HaveKeyWithValue("team", "data"))
	g.Expect(pod.Labels).To(HaveKeyWithValue(LabelComponent, ComponentJobManager), "selector labels stay")
	g.Expect(pod.Annotations).To(HaveKeyWithValue("prometheus.io/scrape", "true"))
	g.Expect(pod.Spec.NodeSelector).To(Equal(map[string]string{"pool": "jm"}))
	g.Expect(pod.Spec.Tolerations).To(HaveLen(2))
	g.Expect(*pod.Spec.Tolerations[1].TolerationSeconds).To(BeEquivalentTo(30))
	g.Expect(cluster.RestService.Spec.Type).To(Equal(corev1.ServiceTypeNodePort))
	g.Expect(main.Resources.Requests.Memory().Value()).To(BeEquivalentTo(2 << 30))
	g.Expect(main.Resources.Limits.Memory().Value()).To(BeEquivalentTo(3<<30), "limit = request × memory limit factor")
	g.Expect(main.StartupProbe).NotTo(BeNil())
	g.Expect(main.StartupProbe.HTTPGet.Path).To(Equal("/config"))
	g.Expect(main.StartupProbe.HTTPGet.Port.StrVal).To(Equal("rest"))

	standalone := withConfig(application(), map[string]string{"containerized.taskmanager.env.ONLY": "tm", KeyTaskManagerNodeSelect: "pool:tm"})
	standalone.Spec.Mode = flinkv1beta1.DeploymentModeStandalone
	standaloneCluster, err := Build(standalone, ConfigOptions{})
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(mainOf(standaloneCluster.TaskManager.Spec.Template).Env).To(ContainElement(corev1.EnvVar{Name: "ONLY", Value: "tm"}))
	g.Expect(standaloneCluster.TaskManager.Spec.Template.Spec.NodeSelector).To(Equal(map[string]string{"pool": "tm"}))

	noProbe, err := Build(withConfig(application(), map[string]string{KeyStartupProbe: "false"}), ConfigOptions{})
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(mainOf(noProbe.JobManager.Spec.Template).StartupProbe).To(BeNil())

	headless, err := Build(withConfig(application(), map[string]string{KeyRestServiceType: "Headless_ClusterIP"}), ConfigOptions{})
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(headless.RestService.Spec.ClusterIP).To(Equal(corev1.ClusterIPNone))

	_, err = Build(withConfig(application(), map[string]string{KeyRestServiceType: "Ingress"}), ConfigOptions{})
	g.Expect(err).To(MatchError(ContainSubstring(`spec.flinkConfiguration["kubernetes.rest-service.exposed.type"]`)))
	_, err = Build(withConfig(application(), map[string]string{KeyEnvSecretKeyRef: "env:X,secret:s"}), ConfigOptions{})
	g.Expect(err).To(MatchError(ContainSubstring("must name env, secret and key")))
}

// Limits and requests of spec resources become limit factors, so the pods Flink creates get the same limits.
func TestLimitFactorsFromResources(t *testing.T) {
	g := NewWithT(t)
	deployment := application()
	deployment.Spec.TaskManager.Resources = &corev1.ResourceRequirements{
		Requests: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("1"), corev1.ResourceMemory: resource.MustParse("2Gi")},
		Limits:   corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("2"), corev1.ResourceMemory: resource.MustParse("3Gi")},
	}
	config, err := EffectiveConfig(deployment, ConfigOptions{})
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(config).To(HaveKeyWithValue(KeyTaskManagerCPULimitFactor, "2"))
	g.Expect(config).To(HaveKeyWithValue(KeyTaskManagerMemoryLimitFactor, "1.5"))
}

// Upstream merges pod template lists by position unless kubernetes.operator.pod-template.merge-arrays-by-name.
func TestPodTemplateArraysMergeByPosition(t *testing.T) {
	base := &flinkv1beta1.Pod{Spec: corev1.PodSpec{Containers: []corev1.Container{
		{Name: MainContainerName, Env: []corev1.EnvVar{{Name: "A", Value: "base"}}},
	}}}
	overlay := &flinkv1beta1.Pod{Spec: corev1.PodSpec{Containers: []corev1.Container{
		{Name: MainContainerName, Env: []corev1.EnvVar{{Name: "B", Value: "overlay"}}},
	}}}
	g := NewWithT(t)
	byPosition, err := MergePodTemplates(base, overlay, false)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(byPosition.Spec.Containers[0].Env).To(Equal([]corev1.EnvVar{{Name: "B", Value: "overlay"}}),
		"the first overlay variable lands on the first base variable")
	byName, err := MergePodTemplates(base, overlay, true)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(byName.Spec.Containers[0].Env).To(Equal([]corev1.EnvVar{{Name: "A", Value: "base"}, {Name: "B", Value: "overlay"}}))

	deployment := withConfig(application(), map[string]string{KeyMergeArraysByName: "true"})
	deployment.Spec.PodTemplate, deployment.Spec.JobManager.PodTemplate = base, overlay
	cluster, err := Build(deployment, ConfigOptions{})
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(mainOf(cluster.JobManager.Spec.Template).Env).To(ContainElements(
		corev1.EnvVar{Name: "A", Value: "base"}, corev1.EnvVar{Name: "B", Value: "overlay"}))
}

// Ephemeral storage and extended resources have no Flink key: they reach native TaskManagers through the template.
func TestTaskManagerTemplateCarriesOtherResources(t *testing.T) {
	g := NewWithT(t)
	deployment := application()
	deployment.Spec.TaskManager.Resource.EphemeralStorage = "2Gi"
	deployment.Spec.TaskManager.Resources = &corev1.ResourceRequirements{
		Limits: corev1.ResourceList{"nvidia.com/gpu": resource.MustParse("1")},
	}
	cluster, err := Build(deployment, ConfigOptions{})
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(cluster.Config).To(HaveKey(KeyTaskManagerPodTemplate))
	pod := &corev1.Pod{}
	g.Expect(yaml.Unmarshal([]byte(cluster.ConfigMap.Data[TaskManagerPodTemplateFile]), pod)).To(Succeed())
	main := pod.Spec.Containers[0]
	g.Expect(main.Name).To(Equal(MainContainerName))
	g.Expect(main.Resources.Requests.StorageEphemeral().String()).To(Equal("2Gi"))
	g.Expect(main.Resources.Limits).To(HaveKey(corev1.ResourceName("nvidia.com/gpu")))
	g.Expect(main.Resources.Limits).NotTo(HaveKey(corev1.ResourceCPU), "CPU and memory come from Flink's keys")

	plain, err := Build(application(), ConfigOptions{})
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(plain.Config).NotTo(HaveKey(KeyTaskManagerPodTemplate), "nothing to template")
}

func TestSavepointDir(t *testing.T) {
	for _, tc := range []struct {
		name   string
		config map[string]string
		want   string
	}{
		{"1.20/2.x key", map[string]string{KeySavepointDir: "s3://new"}, "s3://new"},
		{"older key", map[string]string{KeySavepointsDir: "s3://old"}, "s3://old"},
		{"both: the new key wins, as in Flink", map[string]string{KeySavepointDir: "s3://new", KeySavepointsDir: "s3://old"}, "s3://new"},
		{"neither", map[string]string{}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) { NewWithT(t).Expect(SavepointDir(tc.config)).To(Equal(tc.want)) })
	}
}
