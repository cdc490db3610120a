package resources

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	"sigs.k8s.io/yaml"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
)

// Flink configuration keys the operator derives from the spec.
const (
	KeyClusterID          = "kubernetes.cluster-id"
	KeyNamespace          = "kubernetes.namespace"
	KeyImage              = "kubernetes.container.image.ref"
	KeyImagePullPolicy    = "kubernetes.container.image.pull-policy"
	KeyServiceAccount     = "kubernetes.service-account"
	KeyExecutionTarget    = "execution.target"
	KeyJobManagerMemory   = "jobmanager.memory.process.size"
	KeyTaskManagerMemory  = "taskmanager.memory.process.size"
	KeyJobManagerCPU      = "kubernetes.jobmanager.cpu.amount"
	KeyTaskManagerCPU     = "kubernetes.taskmanager.cpu.amount"
	KeyJobManagerReplicas = "kubernetes.jobmanager.replicas"
	KeyRestPort           = "rest.port"
	KeyRPCAddress         = "jobmanager.rpc.address"
	KeyRPCPort            = "jobmanager.rpc.port"
	KeyBlobPort           = "blob.server.port"
	KeyTaskManagerRPCPort = "taskmanager.rpc.port"
	KeyTaskSlots          = "taskmanager.numberOfTaskSlots"
	KeyPipelineJars       = "pipeline.jars"
	KeyApplicationMain    = "$internal.application.main"
	KeyApplicationArgs    = "$internal.application.program-args"
	KeyParallelism        = "parallelism.default"
	KeySavepointPath      = "execution.savepoint.path"
	KeyIgnoreUnclaimed    = "execution.savepoint.ignore-unclaimed-state"
	KeyFlinkVersion       = "$internal.flink.version"
	KeySavepointsDir      = "state.savepoints.dir"
	KeyCheckpointsDir     = "state.checkpoints.dir"
	// KeyCheckpointRetention decides whether Flink deletes a job's checkpoints when the job is cancelled.
	KeyCheckpointRetention = "execution.checkpointing.externalized-checkpoint-retention"
	// KeyWebCancelEnable shows or hides the web UI's cancel button.
	KeyWebCancelEnable    = "web.cancel.enable"
	KeyHighAvailability   = "high-availability.type"
	KeyHighAvailabilityV1 = "high-availability"
	// KeyShutdownOnFinish keeps an application cluster's JobManager up after its job ends, so the operator can
	// read the final state and savepoint before it tears the cluster down (upstream sets it too).
	KeyShutdownOnFinish = "execution.shutdown-on-application-finish"
	// KeySubmitFailedJob keeps a job whose main method failed visible as a FAILED job instead of a vanished
	// cluster.
	KeySubmitFailedJob = "execution.submit-failed-job-on-application-error"
)

// ConfigOptions are the inputs of the effective configuration that do not come from the FlinkDeployment.
type ConfigOptions struct {
	// Defaults are the operator's Flink defaults for this Flink version (kubernetes.operator.default-configuration.*
	// already resolved); the spec overrides them.
	Defaults map[string]string
	// RestoreSavepointPath, when set, is the savepoint or checkpoint the job starts from.
	RestoreSavepointPath string
}

// EffectiveConfig is the configuration Flink runs with: the operator's defaults, then spec.flinkConfiguration
// (nested keys flattened), then what the operator derives from the rest of the spec, which always wins because the
// objects it builds depend on it (cluster id, ports, memory that sizes the containers).
func EffectiveConfig(deployment *flinkv1beta1.FlinkDeployment, opts ConfigOptions) (map[string]string, error) {
	config := map[string]string{}
	for key, value := range opts.Defaults {
		config[key] = value
	}
	userConfig, err := deployment.Spec.FlinkConfiguration.Flatten()
	if err != nil {
		return nil, fmt.Errorf("spec.flinkConfiguration: %w", err)
	}
	for key, value := range userConfig {
		config[key] = value
	}
	spec := &deployment.Spec
	config[KeyClusterID] = deployment.Name
	config[KeyNamespace] = deployment.Namespace
	config[KeyRPCAddress] = deployment.Name + "." + deployment.Namespace
	setDefault(config, KeyRestPort, strconv.Itoa(DefaultRestPort))
	setDefault(config, KeyRPCPort, strconv.Itoa(RPCPort))
	setDefault(config, KeyBlobPort, strconv.Itoa(BlobPort))
	setDefault(config, KeyTaskManagerRPCPort, strconv.Itoa(TaskManagerPort))
	// Upstream's defaults (users may override them): checkpoints survive the cancel of a last-state upgrade or a
	// restart, whose new job restores from them; Flink's own default deletes them. A job cancelled from the web
	// UI would bypass the operator, so the button is hidden.
	setDefault(config, KeyCheckpointRetention, "RETAIN_ON_CANCELLATION")
	setDefault(config, KeyWebCancelEnable, "false")
	setIfNotEmpty(config, KeyImage, spec.Image)
	setIfNotEmpty(config, KeyImagePullPolicy, spec.ImagePullPolicy)
	setIfNotEmpty(config, KeyServiceAccount, spec.ServiceAccount)
	setIfNotEmpty(config, KeyFlinkVersion, string(spec.FlinkVersion))
	config[KeyExecutionTarget] = executionTarget(deployment)

	if jm := spec.JobManager; jm != nil {
		if err := setResource(config, KeyJobManagerMemory, KeyJobManagerCPU, jm.Resource); err != nil {
			return nil, fmt.Errorf("spec.jobManager.resource: %w", err)
		}
		setRequirements(config, KeyJobManagerMemory, KeyJobManagerCPU, jm.Resources)
		if jm.Replicas != nil {
			config[KeyJobManagerReplicas] = strconv.Itoa(int(*jm.Replicas))
		}
	}
	if tm := spec.TaskManager; tm != nil {
		if err := setResource(config, KeyTaskManagerMemory, KeyTaskManagerCPU, tm.Resource); err != nil {
			return nil, fmt.Errorf("spec.taskManager.resource: %w", err)
		}
		setRequirements(config, KeyTaskManagerMemory, KeyTaskManagerCPU, tm.Resources)
	}
	if job := spec.Job; job != nil {
		setIfNotEmpty(config, KeyPipelineJars, job.JarURI)
		setIfNotEmpty(config, KeyApplicationMain, job.EntryClass)
		if len(job.Args) > 0 {
			config[KeyApplicationArgs] = strings.Join(job.Args, ";")
		}
		if job.Parallelism > 0 {
			config[KeyParallelism] = strconv.Itoa(int(job.Parallelism))
		}
		config[KeyShutdownOnFinish] = "false"
		config[KeySubmitFailedJob] = "true"
		if job.AllowNonRestoredState != nil {
			config[KeyIgnoreUnclaimed] = strconv.FormatBool(*job.AllowNonRestoredState)
		}
	}
	delete(config, KeySavepointPath)
	if opts.RestoreSavepointPath != "" {
		config[KeySavepointPath] = opts.RestoreSavepointPath
	}
	return config, nil
}

func executionTarget(deployment *flinkv1beta1.FlinkDeployment) string {
	if deployment.Spec.Mode == flinkv1beta1.DeploymentModeStandalone {
		return "remote"
	}
	if deployment.IsSessionCluster() {
		return "kubernetes-session"
	}
	return "kubernetes-application"
}

func setResource(config map[string]string, memoryKey, cpuKey string, resource *flinkv1beta1.Resource) error {
	if resource == nil {
		return nil
	}
	if resource.Memory != "" {
		bytes, err := MemoryBytes(resource.Memory)
		if err != nil {
			return err
		}
		config[memoryKey] = strconv.FormatInt(bytes, 10) + "b"
	}
	if resource.CPU != nil {
		config[cpuKey] = strconv.FormatFloat(*resource.CPU, 'f', -1, 64)
	}
	return nil
}

// setRequirements sizes Flink from full resource requirements, requests first then limits, as upstream; it runs
// after the shorthand so that resources win where both are set.
func setRequirements(config map[string]string, memoryKey, cpuKey string, requirements *corev1.ResourceRequirements) {
	if requirements == nil {
		return
	}
	if memory := requestOrLimit(requirements, corev1.ResourceMemory); memory != nil {
		config[memoryKey] = strconv.FormatInt(memory.Value(), 10) + "b"
	}
	if cpu := requestOrLimit(requirements, corev1.ResourceCPU); cpu != nil {
		config[cpuKey] = strconv.FormatFloat(cpu.AsApproximateFloat64(), 'f', -1, 64)
	}
}

func requestOrLimit(requirements *corev1.ResourceRequirements, name corev1.ResourceName) *resource.Quantity {
	if quantity, set := requirements.Requests[name]; set {
		return &quantity
	}
	if quantity, set := requirements.Limits[name]; set {
		return &quantity
	}
	return nil
}

func setDefault(config map[string]string, key, value string) {
	if _, set := config[key]; !set {
		config[key] = value
	}
}

func setIfNotEmpty(config map[string]string, key, value string) {
	if value != "" {
		config[key] = value
	}
}

// ConfigFileName is the file Flink reads its configuration from: config.yaml from Flink 1.19 on (standard
// YAML), flink-conf.yaml before.
func ConfigFileName(version flinkv1beta1.FlinkVersion) string {
	if version == "" || version.IsEqualOrNewer(flinkv1beta1.FlinkVersionV1_19) {
		return "config.yaml"
	}
	return "flink-conf.yaml"
}

// RenderConfig renders the configuration for the given file name, keys sorted so the ConfigMap only changes when
// the configuration does.
func RenderConfig(config map[string]string, fileName string) (string, error) {
	keys := make([]string, 0, len(config))
	for key := range config {
		keys = append(keys, key)
	}
	sort.Strings(keys)
	var out strings.Builder
	for _, key := range keys {
		value := config[key]
		if fileName == "config.yaml" {
			// Standard YAML: quote what YAML would otherwise reinterpret (true, 1.0, "a: b").
			quoted, err := yaml.Marshal(value)
			if err != nil {
				return "", fmt.Errorf("rendering %s: %w", key, err)
			}
			value = strings.TrimSuffix(string(quoted), "\n")
		}
		fmt.Fprintf(&out, "%s: %s\n", key, value)
	}
	return out.String(), nil
}

// ParseConfig reads a file written by RenderConfig back into flat keys; the local runtime uses it to start Flink
// with exactly the configuration Teal wrote.
func ParseConfig(content, fileName string) (map[string]string, error) {
	config := map[string]string{}
	if fileName == "config.yaml" {
		var parsed map[string]any
		if err := yaml.Unmarshal([]byte(content), &parsed); err != nil {
			return nil, fmt.Errorf("parsing %s: %w", fileName, err)
		}
		flat, err := (&flinkv1beta1.ConfigObject{Raw: mustJSON(parsed)}).Flatten()
		if err != nil {
			return nil, err
		}
		return flat, nil
	}
	for _, line := range strings.Split(content, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		key, value, found := strings.Cut(line, ": ")
		if !found {
			return nil, fmt.Errorf("parsing %s: line %q has no \": \"", fileName, line)
		}
		config[strings.TrimSpace(key)] = strings.TrimSpace(value)
	}
	return config, nil
}
