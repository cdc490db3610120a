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
	cluster.RestService = buildRestService(deployment, clusterType, restPort)
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
	return &corev1.ConfigMap{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "ConfigMap"},
		ObjectMeta: objectMeta(deployment, ConfigMapName(deployment.Name), nil),
		Data:       data,
	}, nil
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
	args := []string{"kubernetes-jobmanager.sh", "kubernetes-application"}
	switch {
	case clusterType == TypeStandalone && deployment.IsSessionCluster():
		args = []string{"jobmanager"}
	case clusterType == TypeStandalone:
		args = []string{"standalone-job"}
	case deployment.IsSessionCluster():
		args = []string{"kubernetes-jobmanager.sh", "kubernetes-session"}
	}
	ports := []corev1.ContainerPort{
		{Name: "rest", ContainerPort: int32(restPort), Protocol: corev1.ProtocolTCP},
		{Name: "jobmanager-rpc", ContainerPort: RPCPort, Protocol: corev1.ProtocolTCP},
		{Name: "blobserver", ContainerPort: BlobPort, Protocol: corev1.ProtocolTCP},
	}
	labels := Selector(deployment.Name, ComponentJobManager, clusterType)
	podTemplate, err := buildPod(deployment, overlay, labels, args, ports, resourceSpec, requirements)
	if err != nil {
		return nil, fmt.Errorf("spec.jobManager.podTemplate: %w", err)
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
	podTemplate, err := buildPod(deployment, overlay, labels, []string{"taskmanager"}, ports, resourceSpec, requirements)
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

func buildPod(deployment *flinkv1beta1.FlinkDeployment, overlay *flinkv1beta1.Pod, labels map[string]string, args []string,
	ports []corev1.ContainerPort, resourceSpec *flinkv1beta1.Resource, requirements *corev1.ResourceRequirements) (*corev1.PodTemplateSpec, error) {
	spec := &deployment.Spec
	merged, err := MergePodTemplates(spec.PodTemplate, overlay)
	if err != nil {
		return nil, err
	}
	template := &corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{}, Annotations: merged.Metadata.Annotations}, Spec: merged.Spec}
	for key, value := range merged.Metadata.Labels {
		template.Labels[key] = value
	}
	for key, value := range labels {
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
	container.Command = []string{"/docker-entrypoint.sh"}
	container.Args = args
	container.Ports = append(container.Ports, ports...)
	container.Env = append(container.Env,
		corev1.EnvVar{Name: "FLINK_CONF_DIR", Value: ConfigMountPath},
		corev1.EnvVar{Name: "POD_IP", ValueFrom: &corev1.EnvVarSource{FieldRef: &corev1.ObjectFieldSelector{FieldPath: "status.podIP"}}},
	)
	container.VolumeMounts = append(container.VolumeMounts, corev1.VolumeMount{Name: ConfigVolumeName, MountPath: ConfigMountPath})
	if container.Resources, err = containerResources(resourceSpec, requirements, container.Resources); err != nil {
		return nil, err
	}
	template.Spec.Volumes = append(template.Spec.Volumes, corev1.Volume{
		Name: ConfigVolumeName,
		VolumeSource: corev1.VolumeSource{ConfigMap: &corev1.ConfigMapVolumeSource{
			LocalObjectReference: corev1.LocalObjectReference{Name: ConfigMapName(deployment.Name)},
		}},
	})
	return template, nil
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

func buildRestService(deployment *flinkv1beta1.FlinkDeployment, clusterType string, restPort int) *corev1.Service {
	return &corev1.Service{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "Service"},
		ObjectMeta: objectMeta(deployment, RestServiceName(deployment.Name), map[string]string{LabelType: clusterType}),
		Spec: corev1.ServiceSpec{
			Type:     corev1.ServiceTypeClusterIP,
			Selector: Selector(deployment.Name, ComponentJobManager, clusterType),
			Ports:    []corev1.ServicePort{{Name: "rest", Port: int32(restPort), TargetPort: intstr.FromInt(restPort), Protocol: corev1.ProtocolTCP}},
		},
	}
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
