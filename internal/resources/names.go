package resources

// Names and labels shared with Flink's native Kubernetes integration and the Apache operator.
const (
	// MainContainerName is the container Flink runs in; pod templates address it by this name.
	MainContainerName = "flink-main-container"
	// ConfigVolumeName is the volume carrying the ConfigMap.
	ConfigVolumeName = "flink-config-volume"
	// ConfigMountPath is where Flink reads its configuration.
	ConfigMountPath = "/opt/flink/conf"
	// EntrypointPath is the official image's entrypoint, the command of every Flink container.
	EntrypointPath = "/docker-entrypoint.sh"
	// EnvPodIP carries the pod IP (from status.podIP); Flink requires it on the JobManager under HA.
	EnvPodIP = "_POD_IP_ADDRESS"
	// PodTemplateVolumeName mounts the TaskManager pod template into a native JobManager.
	PodTemplateVolumeName = "pod-template-volume"
	// TaskManagerPodTemplateFile is the ConfigMap key (and file name) of the TaskManager pod template.
	TaskManagerPodTemplateFile = "taskmanager-pod-template.yaml"
	// TaskManagerPodTemplatePath is where a native JobManager finds it (Flink's own mount point for it).
	TaskManagerPodTemplatePath = "/opt/flink/pod-template/" + TaskManagerPodTemplateFile
	// UserLibVolumeName and UserLibDir: the usrlib directory of a standalone application JobManager.
	UserLibVolumeName = "user-lib-dir"
	UserLibDir        = "/opt/flink/usrlib"
	// Log4jConsoleFile and LogbackConsoleFile are the log configurations Flink's console scripts read.
	Log4jConsoleFile   = "log4j-console.properties"
	LogbackConsoleFile = "logback-console.xml"

	// LabelApp carries the cluster id on every object.
	LabelApp = "app"
	// LabelComponent is jobmanager or taskmanager.
	LabelComponent = "component"
	// LabelType tells native from standalone clusters.
	LabelType = "type"
	// LabelManagedBy marks objects Teal manages.
	LabelManagedBy = "app.kubernetes.io/managed-by"
	// ManagedByValue is Teal's value of LabelManagedBy.
	ManagedByValue = "teal"

	// ComponentJobManager and ComponentTaskManager are the values of LabelComponent.
	ComponentJobManager  = "jobmanager"
	ComponentTaskManager = "taskmanager"
	// TypeNative and TypeStandalone are the values of LabelType.
	TypeNative     = "flink-native-kubernetes"
	TypeStandalone = "flink-standalone-kubernetes"

	// AnnotationGeneration on the JobManager Deployment records the FlinkDeployment generation it was built from.
	AnnotationGeneration = "flinkdeployment.flink.apache.org/generation"

	// Default ports, as Flink's.
	DefaultRestPort = 8081
	RPCPort         = 6123
	BlobPort        = 6124
	TaskManagerPort = 6122
)

// ConfigMapName is the ConfigMap holding a cluster's configuration.
func ConfigMapName(cluster string) string { return "flink-config-" + cluster }

// JobManagerName is the JobManager Deployment (and internal Service) of a cluster.
func JobManagerName(cluster string) string { return cluster }

// RestServiceName is the Service in front of the REST endpoint.
func RestServiceName(cluster string) string { return cluster + "-rest" }

// TaskManagerName is the TaskManager Deployment of a standalone cluster.
func TaskManagerName(cluster string) string { return cluster + "-taskmanager" }

// Selector returns the labels that select a component's pods.
func Selector(cluster, component, clusterType string) map[string]string {
	return map[string]string{LabelApp: cluster, LabelComponent: component, LabelType: clusterType}
}

// TaskManagerCluster names the cluster a TaskManager pod belongs to from its labels (app, on a pod with
// component=taskmanager and a cluster type, as Flink labels the TaskManagers it creates and Teal a standalone
// cluster's); false for any other pod.
func TaskManagerCluster(labels map[string]string) (string, bool) {
	cluster := labels[LabelApp]
	return cluster, cluster != "" && labels[LabelComponent] == ComponentTaskManager && labels[LabelType] != ""
}
