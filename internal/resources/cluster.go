package resources

import (
	"fmt"
	"math"
	"net/url"
	"strconv"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
)

// Cluster is every object of one Flink cluster. Owner references are left to the caller.
type Cluster struct {
	// Config is the effective Flink configuration.
	Config map[string]string
	// ConfigMap carries Config and the log configuration.
	ConfigMap *corev1.ConfigMap
	// JobManager is the JobManager Deployment.
	JobManager *appsv1.Deployment
	// InternalService is the headless Service TaskManagers reach the JobManager through.
	InternalService *corev1.Service
	// RestService exposes the REST endpoint and web UI.
	RestService *corev1.Service
	// TaskManager is the TaskManager Deployment; standalone mode only.
	TaskManager *appsv1.Deployment
	// Ingress to the REST endpoint, when spec.ingress is set.
	Ingress *networkingv1.Ingress
}

// Objects lists the cluster's objects in the order they are applied: the JobManager last, since it reads the
// ConfigMap when it starts; the TaskManager Deployment and the Ingress only when there are.
func (c *Cluster) Objects() []client.Object {
	objects := []client.Object{c.ConfigMap, c.InternalService, c.RestService}
	if c.TaskManager != nil {
		objects = append(objects, c.TaskManager)
	}
	if c.Ingress != nil {
		objects = append(objects, c.Ingress)
	}
	return append(objects, c.JobManager)
}

// Build builds every object of the cluster described by deployment.
func Build(deployment *flinkv1beta1.FlinkDeployment, opts ConfigOptions) (*Cluster, error) {
	config, err := EffectiveConfig(deployment, opts)
	if err != nil {
		return nil, err
	}
	clusterType := TypeNative
	if deployment.Spec.Mode == flinkv1beta1.DeploymentModeStandalone {
		clusterType = TypeStandalone
	}
	restPort, err := strconv.Atoi(config[KeyRestPort])
	if err != nil {
		return nil, fmt.Errorf("spec.flinkConfiguration[%q]: %q is not a port number", KeyRestPort, config[KeyRestPort])
	}
	cluster := &Cluster{Config: config}
	if cluster.ConfigMap, err = buildConfigMap(deployment, config); err != nil {
		return nil, err
	}
	if cluster.JobManager, err = buildJobManager(deployment, config, clusterType, restPort); err != nil {
		return nil, err
	}
	cluster.InternalService = buildInternalService(deployment, clusterType)
	if cluster.RestService, err = buildRestService(deployment, config, clusterType, restPort); err != nil {
		return nil, err
	}
	if clusterType == TypeStandalone {
		if cluster.TaskManager, err = buildTaskManager(deployment, config); err != nil {
			return nil, err
		}
	}
	if deployment.Spec.Ingress != nil {
		if cluster.Ingress, err = BuildIngress(deployment.Name, deployment.Namespace, deployment.Spec.Ingress, RestServiceName(deployment.Name), restPort); err != nil {
			return nil, err
		}
	}
	return cluster, nil
}

func objectMeta(deployment *flinkv1beta1.FlinkDeployment, name string, labels map[string]string) metav1.ObjectMeta {
	all := map[string]string{LabelApp: deployment.Name, LabelManagedBy: ManagedByValue}
	for key, value := range labels {
		all[key] = value
	}
	return metav1.ObjectMeta{Name: name, Namespace: deployment.Namespace, Labels: all}
}

func buildConfigMap(deployment *flinkv1beta1.FlinkDeployment, config map[string]string) (*corev1.ConfigMap, error) {
	fileName := ConfigFileName(deployment.Spec.FlinkVersion)
	rendered, err := RenderConfig(config, fileName)
	if err != nil {
		return nil, err
	}
	data := map[string]string{fileName: rendered}
	for name, content := range deployment.Spec.LogConfiguration {
		data[name] = content
	}
	// The ConfigMap replaces the image's conf directory: without a log configuration Flink logs next to nothing.
	if _, log4j := data[Log4jConsoleFile]; !log4j {
		if _, logback := data[LogbackConsoleFile]; !logback {
			data[Log4jConsoleFile] = DefaultLog4jConsole
		}
	}
	if config[KeyTaskManagerPodTemplate] != "" {
		template, err := taskManagerPodTemplate(deployment, config)
		if err != nil {
			return nil, err
		}
		data[TaskManagerPodTemplateFile] = template
	}
	return &corev1.ConfigMap{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "ConfigMap"},
		ObjectMeta: objectMeta(deployment, ConfigMapName(deployment.Name), nil),
		Data:       data,
	}, nil
}

// taskManagerPodTemplate renders the pod template a native JobManager builds its TaskManagers from: spec.podTemplate
// with spec.taskManager.podTemplate laid over it, as upstream hands it to Flink.
func taskManagerPodTemplate(deployment *flinkv1beta1.FlinkDeployment, config map[string]string) (string, error) {
	var overlay *flinkv1beta1.Pod
	if tm := deployment.Spec.TaskManager; tm != nil {
		overlay = tm.PodTemplate
	}
	merged, err := MergePodTemplates(deployment.Spec.PodTemplate, overlay, mergeByName(config))
	if err != nil {
		return "", fmt.Errorf("spec.taskManager.podTemplate: %w", err)
	}
	pod := corev1.Pod{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "Pod"},
		ObjectMeta: metav1.ObjectMeta{Labels: merged.Metadata.Labels, Annotations: merged.Metadata.Annotations},
		Spec:       merged.Spec,
	}
	if err := addOtherResources(deployment.Spec.TaskManager, mainContainer(&pod.Spec)); err != nil {
		return "", fmt.Errorf("spec.taskManager: %w", err)
	}
	raw, err := yaml.Marshal(pod)
	if err != nil {
		return "", fmt.Errorf("rendering the TaskManager pod template: %w", err)
	}
	return string(raw), nil
}

// addOtherResources puts what Flink's CPU and memory keys cannot carry (ephemeral storage, extended resources)
// into the TaskManager template's main container, as upstream does.
func addOtherResources(tm *flinkv1beta1.TaskManagerSpec, container *corev1.Container) error {
	if tm == nil {
		return nil
	}
	set := func(list *corev1.ResourceList, name corev1.ResourceName, quantity resource.Quantity) {
		if *list == nil {
			*list = corev1.ResourceList{}
		}
		(*list)[name] = quantity
	}
	if tm.Resource != nil && tm.Resource.EphemeralStorage != "" {
		quantity, err := resource.ParseQuantity(tm.Resource.EphemeralStorage)
		if err != nil {
			return fmt.Errorf("resource.ephemeralStorage %q: %w", tm.Resource.EphemeralStorage, err)
		}
		set(&container.Resources.Requests, corev1.ResourceEphemeralStorage, quantity)
		set(&container.Resources.Limits, corev1.ResourceEphemeralStorage, quantity)
	}
	if tm.Resources != nil {
		for name, quantity := range tm.Resources.Requests {
			if name != corev1.ResourceCPU && name != corev1.ResourceMemory {
				set(&container.Resources.Requests, name, quantity)
			}
		}
		for name, quantity := range tm.Resources.Limits {
			if name != corev1.ResourceCPU && name != corev1.ResourceMemory {
				set(&container.Resources.Limits, name, quantity)
			}
		}
	}
	return nil
}

func mergeByName(config map[string]string) bool {
	return strings.EqualFold(strings.TrimSpace(config[KeyMergeArraysByName]), "true")
}

func buildJobManager(deployment *flinkv1beta1.FlinkDeployment, config map[string]string, clusterType string, restPort int) (*appsv1.Deployment, error) {
	spec := &deployment.Spec
	var overlay *flinkv1beta1.Pod
	var resourceSpec *flinkv1beta1.Resource
	var requirements *corev1.ResourceRequirements
	replicas := int32(1)
	if jm := spec.JobManager; jm != nil {
		overlay, resourceSpec, requirements = jm.PodTemplate, jm.Resource, jm.Resources
		if jm.Replicas != nil {
			replicas = *jm.Replicas
		}
	}
	args, err := jobManagerArgs(deployment, config, clusterType)
	if err != nil {
		return nil, err
	}
	ports := []corev1.ContainerPort{
		{Name: "rest", ContainerPort: int32(restPort), Protocol: corev1.ProtocolTCP},
		{Name: "jobmanager-rpc", ContainerPort: RPCPort, Protocol: corev1.ProtocolTCP},
		{Name: "blobserver", ContainerPort: BlobPort, Protocol: corev1.ProtocolTCP},
	}
	labels := Selector(deployment.Name, ComponentJobManager, clusterType)
	podTemplate, err := buildPod(deployment, config, jobManagerComponent, overlay, labels, args, ports, resourceSpec, requirements)
	if err != nil {
		return nil, fmt.Errorf("spec.jobManager.podTemplate: %w", err)
	}
	container := mainContainer(&podTemplate.Spec)
	if path := config[KeyTaskManagerPodTemplate]; path != "" {
		// The native JobManager reads the TaskManager pod template from this file when it creates TaskManagers.
		podTemplate.Spec.Volumes = append(podTemplate.Spec.Volumes, corev1.Volume{
			Name: PodTemplateVolumeName,
			VolumeSource: corev1.VolumeSource{ConfigMap: &corev1.ConfigMapVolumeSource{
				LocalObjectReference: corev1.LocalObjectReference{Name: ConfigMapName(deployment.Name)},
				Items:                []corev1.KeyToPath{{Key: TaskManagerPodTemplateFile, Path: path[strings.LastIndex(path, "/")+1:]}},
			}},
		})
		container.VolumeMounts = append(container.VolumeMounts, corev1.VolumeMount{Name: PodTemplateVolumeName, MountPath: path[:strings.LastIndex(path, "/")]})
	}
	if clusterType == TypeStandalone && config[KeyPipelineClasspaths] != "" && !mountsUnder(container, UserLibDir) {
		// As upstream: standalone-job expects a usrlib directory next to the user classpath.
		podTemplate.Spec.Volumes = append(podTemplate.Spec.Volumes, corev1.Volume{Name: UserLibVolumeName,
			VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{}}})
		container.VolumeMounts = append(container.VolumeMounts, corev1.VolumeMount{Name: UserLibVolumeName, MountPath: UserLibDir})
	}
	if startupProbe(config) && container.StartupProbe == nil {
		// As upstream: the JobManager counts as started once its REST endpoint answers.
		container.StartupProbe = &corev1.Probe{
			ProbeHandler:  corev1.ProbeHandler{HTTPGet: &corev1.HTTPGetAction{Path: "/config", Port: intstr.FromString("rest")}},
			PeriodSeconds: 1, FailureThreshold: math.MaxInt32,
		}
	}
	jobManager := &appsv1.Deployment{
		TypeMeta:   metav1.TypeMeta{APIVersion: "apps/v1", Kind: "Deployment"},
		ObjectMeta: objectMeta(deployment, JobManagerName(deployment.Name), labels),
		Spec: appsv1.DeploymentSpec{
			Replicas: &replicas,
			Selector: &metav1.LabelSelector{MatchLabels: labels},
			Template: *podTemplate,
			// Two JobManagers of one cluster must never run side by side outside HA.
			Strategy: appsv1.DeploymentStrategy{Type: appsv1.RecreateDeploymentStrategyType},
		},
	}
	jobManager.Annotations = map[string]string{AnnotationGeneration: strconv.FormatInt(deployment.Generation, 10)}
	return jobManager, nil
}

func startupProbe(config map[string]string) bool {
	value := strings.TrimSpace(config[KeyStartupProbe])
	return value == "" || strings.EqualFold(value, "true")
}

func mountsUnder(container *corev1.Container, dir string) bool {
	for _, mount := range container.VolumeMounts {
		if strings.HasPrefix(mount.MountPath, dir) {
			return true
		}
	}
	return false
}

// jobManagerArgs are the arguments of the image's entrypoint: Flink's native entrypoints for a native cluster,
// the official image's jobmanager or standalone-job command for a standalone one. standalone-job takes the job
// on its command line (it has no $internal.application.* keys), as upstream passes it.
func jobManagerArgs(deployment *flinkv1beta1.FlinkDeployment, config map[string]string, clusterType string) ([]string, error) {
	ha := HighAvailabilityActivated(config)
	switch {
	case clusterType == TypeNative && deployment.IsSessionCluster():
		return []string{"kubernetes-jobmanager.sh", "kubernetes-session"}, nil
	case clusterType == TypeNative:
		return []string{"kubernetes-jobmanager.sh", "kubernetes-application"}, nil
	case deployment.IsSessionCluster():
		args := []string{"jobmanager"}
		if ha {
			args = append(args, "-D", KeyRPCAddress+"=$("+EnvPodIP+")")
		}
		return args, nil
	}
	args := []string{"standalone-job"}
	if main := config[KeyApplicationMain]; main != "" {
		args = append(args, "--job-classname", main)
	}
	if config[KeyIgnoreUnclaimed] == "true" {
		args = append(args, "--allowNonRestoredState")
	}
	if path := config[KeySavepointPath]; path != "" {
		args = append(args, "--fromSavepoint", path)
	}
	if ha {
		// The JobManager announces its pod IP through HA; the Kubernetes variable reference is expanded by the
		// kubelet.
		args = append(args, "-D", KeyRPCAddress+"=$("+EnvPodIP+")")
	}
	programArgs, err := SplitList(config[KeyApplicationArgs])
	if err != nil {
		return nil, fmt.Errorf("spec.job.args: %w", err)
	}
	return append(args, programArgs...), nil
}

func buildTaskManager(deployment *flinkv1beta1.FlinkDeployment, config map[string]string) (*appsv1.Deployment, error) {
	spec := &deployment.Spec
	var overlay *flinkv1beta1.Pod
	var resourceSpec *flinkv1beta1.Resource
	var requirements *corev1.ResourceRequirements
	if tm := spec.TaskManager; tm != nil {
		overlay, resourceSpec, requirements = tm.PodTemplate, tm.Resource, tm.Resources
	}
	replicas := StandaloneTaskManagers(deployment, config)
	labels := Selector(deployment.Name, ComponentTaskManager, TypeStandalone)
	ports := []corev1.ContainerPort{{Name: "taskmanager-rpc", ContainerPort: TaskManagerPort, Protocol: corev1.ProtocolTCP}}
	podTemplate, err := buildPod(deployment, config, taskManagerComponent, overlay, labels, []string{"taskmanager"}, ports, resourceSpec, requirements)
	if err != nil {
		return nil, fmt.Errorf("spec.taskManager.podTemplate: %w", err)
	}
	return &appsv1.Deployment{
		TypeMeta:   metav1.TypeMeta{APIVersion: "apps/v1", Kind: "Deployment"},
		ObjectMeta: objectMeta(deployment, TaskManagerName(deployment.Name), labels),
		Spec: appsv1.DeploymentSpec{
			Replicas: &replicas,
			Selector: &metav1.LabelSelector{MatchLabels: labels},
			Template: *podTemplate,
		},
	}, nil
}

// StandaloneTaskManagers is the TaskManager count of a standalone cluster: taskManager.replicas when set,
// otherwise enough TaskManagers for the job's parallelism at numberOfTaskSlots each (one for a session cluster).
func StandaloneTaskManagers(deployment *flinkv1beta1.FlinkDeployment, config map[string]string) int32 {
	if tm := deployment.Spec.TaskManager; tm != nil && tm.Replicas != nil {
		return *tm.Replicas
	}
	if deployment.Spec.Job == nil || deployment.Spec.Job.Parallelism <= 0 {
		return 1
	}
	slots, err := strconv.Atoi(config[KeyTaskSlots])
	if err != nil || slots <= 0 {
		slots = 1
	}
	return int32(math.Ceil(float64(deployment.Spec.Job.Parallelism) / float64(slots)))
}

func buildPod(deployment *flinkv1beta1.FlinkDeployment, config map[string]string, component componentKeys, overlay *flinkv1beta1.Pod,
	labels map[string]string, args []string, ports []corev1.ContainerPort, resourceSpec *flinkv1beta1.Resource,
	requirements *corev1.ResourceRequirements) (*corev1.PodTemplateSpec, error) {
	spec := &deployment.Spec
	merged, err := MergePodTemplates(spec.PodTemplate, overlay, mergeByName(config))
	if err != nil {
		return nil, err
	}
	template := &corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{}, Annotations: merged.Metadata.Annotations}, Spec: merged.Spec}
	for key, value := range merged.Metadata.Labels {
		template.Labels[key] = value
	}
	if spec.ServiceAccount != "" {
		template.Spec.ServiceAccountName = spec.ServiceAccount
	}
	container := mainContainer(&template.Spec)
	container.Image = spec.Image
	if spec.ImagePullPolicy != "" {
		container.ImagePullPolicy = corev1.PullPolicy(spec.ImagePullPolicy)
	}
	container.Command = []string{EntrypointPath}
	container.Args = args
	container.Ports = append(container.Ports, ports...)
	setEnv(container, corev1.EnvVar{Name: "FLINK_CONF_DIR", Value: ConfigMountPath})
	// Flink reads the pod IP from this variable (the JobManager's RPC address under HA, and the
	// standalone-job/jobmanager "-D jobmanager.rpc.address=$(_POD_IP_ADDRESS)" argument).
	setEnv(container, corev1.EnvVar{Name: EnvPodIP, ValueFrom: &corev1.EnvVarSource{FieldRef: &corev1.ObjectFieldSelector{APIVersion: "v1", FieldPath: "status.podIP"}}})
	if container.TerminationMessagePolicy == "" {
		// A crash-looping container's last log lines become its termination message, which the status reports.
		container.TerminationMessagePolicy = corev1.TerminationMessageFallbackToLogsOnError
	}
	container.VolumeMounts = append(container.VolumeMounts, corev1.VolumeMount{Name: ConfigVolumeName, MountPath: ConfigMountPath})
	if container.Resources, err = containerResources(resourceSpec, requirements, container.Resources); err != nil {
		return nil, err
	}
	if err := applyLimitFactors(config, component.resources, container); err != nil {
		return nil, err
	}
	if err := applyFlinkKeys(config, component, template, container); err != nil {
		return nil, err
	}
	// The selector labels last: nothing may change them.
	for key, value := range labels {
		template.Labels[key] = value
	}
	template.Spec.Volumes = append(template.Spec.Volumes, corev1.Volume{
		Name: ConfigVolumeName,
		VolumeSource: corev1.VolumeSource{ConfigMap: &corev1.ConfigMapVolumeSource{
			LocalObjectReference: corev1.LocalObjectReference{Name: ConfigMapName(deployment.Name)},
			Items:                configItems(deployment, config),
		}},
	})
	return template, nil
}

// configItems are the files of the conf directory: the configuration and the log configuration (the pod
// template lives in the same ConfigMap but is mounted elsewhere).
func configItems(deployment *flinkv1beta1.FlinkDeployment, config map[string]string) []corev1.KeyToPath {
	names := map[string]bool{ConfigFileName(deployment.Spec.FlinkVersion): true}
	for name := range deployment.Spec.LogConfiguration {
		names[name] = true
	}
	if !names[Log4jConsoleFile] && !names[LogbackConsoleFile] {
		names[Log4jConsoleFile] = true
	}
	items := make([]corev1.KeyToPath, 0, len(names))
	for _, name := range sortedKeys(boolKeys(names)) {
		items = append(items, corev1.KeyToPath{Key: name, Path: name})
	}
	return items
}

func boolKeys(set map[string]bool) map[string]string {
	out := make(map[string]string, len(set))
	for key := range set {
		out[key] = ""
	}
	return out
}

// containerResources: full resources win over the shorthand; the shorthand sets requests and limits alike, as
// Flink's native integration does.
func containerResources(shorthand *flinkv1beta1.Resource, full *corev1.ResourceRequirements, fromTemplate corev1.ResourceRequirements) (corev1.ResourceRequirements, error) {
	if full != nil {
		return *full.DeepCopy(), nil
	}
	if shorthand == nil {
		return fromTemplate, nil
	}
	list := corev1.ResourceList{}
	if shorthand.Memory != "" {
		bytes, err := MemoryBytes(shorthand.Memory)
		if err != nil {
			return corev1.ResourceRequirements{}, err
		}
		list[corev1.ResourceMemory] = *resource.NewQuantity(bytes, resource.BinarySI)
	}
	if shorthand.CPU != nil {
		list[corev1.ResourceCPU] = *resource.NewMilliQuantity(int64(math.Round(*shorthand.CPU*1000)), resource.DecimalSI)
	}
	if shorthand.EphemeralStorage != "" {
		quantity, err := resource.ParseQuantity(shorthand.EphemeralStorage)
		if err != nil {
			return corev1.ResourceRequirements{}, fmt.Errorf("ephemeralStorage %q: %w", shorthand.EphemeralStorage, err)
		}
		list[corev1.ResourceEphemeralStorage] = quantity
	}
	return corev1.ResourceRequirements{Requests: list, Limits: list.DeepCopy()}, nil
}

func buildInternalService(deployment *flinkv1beta1.FlinkDeployment, clusterType string) *corev1.Service {
	return &corev1.Service{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "Service"},
		ObjectMeta: objectMeta(deployment, JobManagerName(deployment.Name), map[string]string{LabelType: clusterType}),
		Spec: corev1.ServiceSpec{
			ClusterIP: corev1.ClusterIPNone,
			Selector:  Selector(deployment.Name, ComponentJobManager, clusterType),
			Ports: []corev1.ServicePort{
				{Name: "jobmanager-rpc", Port: RPCPort, TargetPort: intstr.FromInt32(RPCPort), Protocol: corev1.ProtocolTCP},
				{Name: "blobserver", Port: BlobPort, TargetPort: intstr.FromInt32(BlobPort), Protocol: corev1.ProtocolTCP},
			},
		},
	}
}

func buildRestService(deployment *flinkv1beta1.FlinkDeployment, config map[string]string, clusterType string, restPort int) (*corev1.Service, error) {
	service := &corev1.Service{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "Service"},
		ObjectMeta: objectMeta(deployment, RestServiceName(deployment.Name), map[string]string{LabelType: clusterType}),
		Spec: corev1.ServiceSpec{
			Type:     corev1.ServiceTypeClusterIP,
			Selector: Selector(deployment.Name, ComponentJobManager, clusterType),
			Ports:    []corev1.ServicePort{{Name: "rest", Port: int32(restPort), TargetPort: intstr.FromInt(restPort), Protocol: corev1.ProtocolTCP}},
		},
	}
	switch exposed := config[KeyRestServiceType]; exposed {
	case "", "ClusterIP":
	case "Headless_ClusterIP":
		service.Spec.ClusterIP = corev1.ClusterIPNone
	case "NodePort", "LoadBalancer":
		service.Spec.Type = corev1.ServiceType(exposed)
	default:
		return nil, fmt.Errorf("spec.flinkConfiguration[%q]: %q is not ClusterIP, NodePort, LoadBalancer or Headless_ClusterIP", KeyRestServiceType, exposed)
	}
	annotations, err := mapOption(config, KeyRestServiceAnnotation)
	if err != nil {
		return nil, err
	}
	if len(annotations) > 0 {
		service.Annotations = annotations
	}
	return service, nil
}

// BuildIngress renders spec.ingress for a REST service. The template's {{name}} and {{namespace}} are replaced;
// a template starting with "/" is a path on any host, otherwise everything up to the first "/" is the host.
func BuildIngress(name, namespace string, ingress *flinkv1beta1.IngressSpec, serviceName string, port int) (*networkingv1.Ingress, error) {
	rendered := strings.NewReplacer("{{name}}", name, "{{namespace}}", namespace).Replace(ingress.Template)
	host, path := "", "/"
	if strings.HasPrefix(rendered, "/") {
		path = rendered
	} else {
		parsed, err := url.Parse("http://" + rendered)
		if err != nil || parsed.Host == "" {
			return nil, fmt.Errorf("spec.ingress.template %q is not a host and path: %v", ingress.Template, err)
		}
		host = parsed.Hostname()
		if hostPath := strings.TrimPrefix(rendered, parsed.Host); hostPath != "" {
			path = hostPath
		}
	}
	pathType := networkingv1.PathTypeImplementationSpecific
	labels := map[string]string{LabelApp: name, LabelManagedBy: ManagedByValue}
	for key, value := range ingress.Labels {
		labels[key] = value
	}
	object := &networkingv1.Ingress{
		TypeMeta:   metav1.TypeMeta{APIVersion: "networking.k8s.io/v1", Kind: "Ingress"},
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: namespace, Labels: labels, Annotations: ingress.Annotations},
		Spec: networkingv1.IngressSpec{
			Rules: []networkingv1.IngressRule{{
				Host: host,
				IngressRuleValue: networkingv1.IngressRuleValue{HTTP: &networkingv1.HTTPIngressRuleValue{
					Paths: []networkingv1.HTTPIngressPath{{
						Path: path, PathType: &pathType,
						Backend: networkingv1.IngressBackend{Service: &networkingv1.IngressServiceBackend{
							Name: serviceName, Port: networkingv1.ServiceBackendPort{Number: int32(port)},
						}},
					}},
				}},
			}},
		},
	}
	if ingress.ClassName != "" {
		object.Spec.IngressClassName = &ingress.ClassName
	}
	for _, tls := range ingress.TLS {
		object.Spec.TLS = append(object.Spec.TLS, networkingv1.IngressTLS{Hosts: tls.Hosts, SecretName: tls.SecretName})
	}
	return object, nil
}
