package resources

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"regexp"
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
	KeyClusterID = "kubernetes.cluster-id"
	KeyNamespace = "kubernetes.namespace"
	KeyImage     = "kubernetes.container.image.ref"
	// KeyImageLegacy is the image key of Flink 1.15 and 1.16, which do not know KeyImage.
	KeyImageLegacy       = "kubernetes.container.image"
	KeyImagePullPolicy   = "kubernetes.container.image.pull-policy"
	KeyServiceAccount    = "kubernetes.service-account"
	KeyExecutionTarget   = "execution.target"
	KeyJobManagerMemory  = "jobmanager.memory.process.size"
	KeyTaskManagerMemory = "taskmanager.memory.process.size"
	KeyJobManagerCPU     = "kubernetes.jobmanager.cpu.amount"
	KeyTaskManagerCPU    = "kubernetes.taskmanager.cpu.amount"
	// KeyJobManagerCPULegacy and KeyTaskManagerCPULegacy are the CPU keys of Flink 1.15 and 1.16.
	KeyJobManagerCPULegacy  = "kubernetes.jobmanager.cpu"
	KeyTaskManagerCPULegacy = "kubernetes.taskmanager.cpu"
	// Limit factors: a container's limit is its request times the factor (Flink's native integration and the
	// JobManager Teal builds apply them alike).
	KeyJobManagerCPULimitFactor     = "kubernetes.jobmanager.cpu.limit-factor"
	KeyJobManagerMemoryLimitFactor  = "kubernetes.jobmanager.memory.limit-factor"
	KeyTaskManagerCPULimitFactor    = "kubernetes.taskmanager.cpu.limit-factor"
	KeyTaskManagerMemoryLimitFactor = "kubernetes.taskmanager.memory.limit-factor"
	KeyJobManagerReplicas           = "kubernetes.jobmanager.replicas"
	KeyRestPort                     = "rest.port"
	KeyRPCAddress                   = "jobmanager.rpc.address"
	KeyRPCPort                      = "jobmanager.rpc.port"
	KeyBlobPort                     = "blob.server.port"
	KeyTaskManagerRPCPort           = "taskmanager.rpc.port"
	KeyTaskSlots                    = "taskmanager.numberOfTaskSlots"
	KeyPipelineJars                 = "pipeline.jars"
	// KeyPipelineClasspaths puts a standalone application's jar on the user classpath (standalone-job has no
	// pipeline.jars).
	KeyPipelineClasspaths = "pipeline.classpaths"
	// KeyJobID fixes the application's job ID. Flink accepts submit-failed-job-on-application-error only with a
	// fixed job ID or HA, and a fixed ID per deployment keeps checkpoint paths of different clusters apart.
	KeyJobID = "$internal.pipeline.job-id"
	// KeyHAClusterID is where a cluster's HA data lives; without it every cluster shares "/default".
	KeyHAClusterID = "high-availability.cluster-id"
	// KeyJavaOptsAll carries the JVM options of every Flink process.
	KeyJavaOptsAll = "env.java.opts.all"
	// KeyJavaDefaultOptsAll carries JVM options Flink 1.19+ prepends to env.java.opts.all (meant for
	// administrators' defaults).
	KeyJavaDefaultOptsAll = "env.java.default-opts.all"
	// KeyRestServiceType is the type of the REST Service (ClusterIP, NodePort, LoadBalancer, Headless_ClusterIP).
	KeyRestServiceType = "kubernetes.rest-service.exposed.type"
	// KeyTaskManagerPodTemplate is the file a native JobManager builds its TaskManager pods from.
	KeyTaskManagerPodTemplate = "kubernetes.pod-template-file.taskmanager"
	// KeyMergeArraysByName merges pod template lists item by item on their name instead of by position; set per
	// resource or, as a default, in the operator configuration (operatorconfig.BuilderKeys).
	KeyMergeArraysByName = "kubernetes.operator.pod-template.merge-arrays-by-name"
	// KeyStartupProbe adds a startup probe on the REST endpoint to the JobManager (upstream's key, default true);
	// set per resource or in the operator configuration.
	KeyStartupProbe    = "kubernetes.operator.jm-deployment.startup.probe.enabled"
	KeyApplicationMain = "$internal.application.main"
	// KeyApplicationArgs is a list (see IsListKey), never a ";"-joined string of unescaped arguments.
	KeyApplicationArgs = "$internal.application.program-args"
	KeyParallelism     = "parallelism.default"
	KeySavepointPath   = "execution.savepoint.path"
	KeyIgnoreUnclaimed = "execution.savepoint.ignore-unclaimed-state"
	KeyFlinkVersion    = "$internal.flink.version"
	KeySavepointsDir   = "state.savepoints.dir"
	// KeySavepointDir is the savepoint directory's key since Flink 1.20, which Flink reads before its
	// deprecated KeySavepointsDir (the only key 2.x documents).
	KeySavepointDir   = "execution.checkpointing.savepoint-dir"
	KeyCheckpointsDir = "state.checkpoints.dir"
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
	legacy := isLegacyFlink(spec.FlinkVersion)
	if legacy {
		setIfNotEmpty(config, KeyImageLegacy, spec.Image)
	} else {
		setIfNotEmpty(config, KeyImage, spec.Image)
	}
	setIfNotEmpty(config, KeyImagePullPolicy, spec.ImagePullPolicy)
	setIfNotEmpty(config, KeyServiceAccount, spec.ServiceAccount)
	setIfNotEmpty(config, KeyFlinkVersion, string(spec.FlinkVersion))
	config[KeyExecutionTarget] = executionTarget(deployment)
	setDefault(config, KeyRestServiceType, "ClusterIP")
	// The ConfigMap replaces the image's own configuration, and with it the module options Flink needs on Java
	// 17 and later. From 1.19 Flink's scripts prepend env.java.default-opts.all to env.java.opts.all, so they go
	// there (as upstream's operator defaults do) and a user's own env.java.opts.all adds to them instead of
	// dropping them; 1.18 and older read only env.java.opts.all.
	setDefault(config, JavaModuleOptionsKey(spec.FlinkVersion), JavaModuleOptions)

	jobManagerKeys := resourceKeys{KeyJobManagerMemory, KeyJobManagerCPU, KeyJobManagerCPULimitFactor, KeyJobManagerMemoryLimitFactor}
	taskManagerKeys := resourceKeys{KeyTaskManagerMemory, KeyTaskManagerCPU, KeyTaskManagerCPULimitFactor, KeyTaskManagerMemoryLimitFactor}
	if jm := spec.JobManager; jm != nil {
		if err := setResource(config, jobManagerKeys, jm.Resource); err != nil {
			return nil, fmt.Errorf("spec.jobManager.resource: %w", err)
		}
		setRequirements(config, jobManagerKeys, jm.Resources)
		if jm.Replicas != nil {
			config[KeyJobManagerReplicas] = strconv.Itoa(int(*jm.Replicas))
		}
	}
	if tm := spec.TaskManager; tm != nil {
		if err := setResource(config, taskManagerKeys, tm.Resource); err != nil {
			return nil, fmt.Errorf("spec.taskManager.resource: %w", err)
		}
		setRequirements(config, taskManagerKeys, tm.Resources)
	}
	if legacy {
		// Flink 1.15 and 1.16 read only the old CPU keys.
		copyIfSet(config, KeyJobManagerCPU, KeyJobManagerCPULegacy)
		copyIfSet(config, KeyTaskManagerCPU, KeyTaskManagerCPULegacy)
	}
	if job := spec.Job; job != nil {
		if err := setJobConfig(config, deployment); err != nil {
			return nil, err
		}
	}
	if HighAvailabilityActivated(config) {
		// Per cluster, as upstream: its HA ConfigMaps, storage directory and (without a fixed one) job ID.
		config[KeyHAClusterID] = deployment.Name
	}
	if spec.Mode != flinkv1beta1.DeploymentModeStandalone && hasTaskManagerTemplate(spec) {
		config[KeyTaskManagerPodTemplate] = TaskManagerPodTemplatePath
	}
	delete(config, KeySavepointPath)
	if opts.RestoreSavepointPath != "" {
		config[KeySavepointPath] = opts.RestoreSavepointPath
	}
	return config, nil
}

// hasTaskManagerTemplate: spec.podTemplate, spec.taskManager.podTemplate or resources Flink's keys cannot carry
// (ephemeral storage, extended resources) shape the TaskManager pods.
func hasTaskManagerTemplate(spec *flinkv1beta1.FlinkDeploymentSpec) bool {
	if spec.PodTemplate != nil {
		return true
	}
	tm := spec.TaskManager
	if tm == nil {
		return false
	}
	if tm.PodTemplate != nil || (tm.Resource != nil && tm.Resource.EphemeralStorage != "") {
		return true
	}
	if tm.Resources != nil {
		for _, list := range []corev1.ResourceList{tm.Resources.Requests, tm.Resources.Limits} {
			for name := range list {
				if name != corev1.ResourceCPU && name != corev1.ResourceMemory {
					return true
				}
			}
		}
	}
	return false
}

// setJobConfig derives the application's keys from spec.job.
func setJobConfig(config map[string]string, deployment *flinkv1beta1.FlinkDeployment) error {
	job := deployment.Spec.Job
	if job.JarURI != "" {
		if deployment.Spec.Mode == flinkv1beta1.DeploymentModeStandalone {
			// standalone-job finds the program on the user classpath; it reads file:// URIs, not local://.
			classpath, err := standaloneJarURI(job.JarURI)
			if err != nil {
				return err
			}
			config[KeyPipelineClasspaths] = JoinList([]string{classpath})
		} else {
			config[KeyPipelineJars] = JoinList([]string{job.JarURI})
		}
	}
	setIfNotEmpty(config, KeyApplicationMain, job.EntryClass)
	if len(job.Args) > 0 {
		config[KeyApplicationArgs] = JoinList(job.Args)
	}
	if job.Parallelism > 0 {
		config[KeyParallelism] = strconv.Itoa(int(job.Parallelism))
	} else if parallelism, ok := replicasParallelism(deployment, config); ok {
		config[KeyParallelism] = strconv.Itoa(parallelism)
	}
	config[KeyShutdownOnFinish] = "false"
	setDefault(config, KeySubmitFailedJob, "true")
	setDefault(config, KeyJobID, applicationJobID(deployment, config))
	if job.AllowNonRestoredState != nil {
		config[KeyIgnoreUnclaimed] = strconv.FormatBool(*job.AllowNonRestoredState)
	}
	return nil
}

// standaloneJarURI turns local:///path into file:///path, as upstream does for standalone clusters.
func standaloneJarURI(jarURI string) (string, error) {
	if rest, found := strings.CutPrefix(jarURI, "local://"); found {
		if !strings.HasPrefix(rest, "/") {
			return "", fmt.Errorf("spec.job.jarURI: %q must be an absolute local:///path", jarURI)
		}
		return "file://" + rest, nil
	}
	return jarURI, nil
}

// JobID is the application job's ID: fixed per FlinkDeployment and per deployment of it (the reconciliation
// timestamp recorded when the spec was taken up, and the restarts recorded), so a retried or recovered
// deployment keeps its ID while an upgrade or a restart gets a new one and never writes into the previous
// job's checkpoint directories.
func JobID(deployment *flinkv1beta1.FlinkDeployment) string {
	seed := string(deployment.UID)
	if seed == "" {
		seed = deployment.Namespace + "/" + deployment.Name
	}
	seed += "/" + strconv.FormatInt(deployment.Status.ReconciliationStatus.ReconciliationTimestamp, 10)
	if health := deployment.Status.ClusterHealth; health != nil {
		// A restart (health check, failed job) starts a new job, as upstream's restart does.
		seed += "/" + strconv.FormatInt(health.Restarts, 10)
	}
	sum := sha256.Sum256([]byte("teal job id/" + seed))
	return hex.EncodeToString(sum[:16])
}

// applicationJobID is the job ID of the application cluster about to be deployed: JobID, except that a
// last-state deployment with HA keeps the ID of the job it takes over. The new JobManager recovers that job from
// Flink's HA metadata; started with another ID, the application would also submit a second job beside the
// recovered one (seen on real pods: two TopSpeedWindowing jobs after a last-state upgrade). Upstream likewise
// rotates the ID only for stateless deployments.
func applicationJobID(deployment *flinkv1beta1.FlinkDeployment, config map[string]string) string {
	recovered := deployment.Status.JobStatus.JobID
	if deployment.Spec.Job.UpgradeMode == flinkv1beta1.UpgradeModeLastState && HighAvailabilityActivated(config) &&
		jobIDPattern.MatchString(recovered) {
		return recovered
	}
	return JobID(deployment)
}

// jobIDPattern is Flink's job ID: 32 hexadecimal characters.
var jobIDPattern = regexp.MustCompile(`^[0-9a-f]{32}$`)

// JavaModuleOptions are the JVM options Flink's own default configuration sets so that it runs on Java 17 and
// later (module exports and opens its serializers and RPC need).
const JavaModuleOptions = "--add-exports=java.base/sun.net.util=ALL-UNNAMED --add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED " +
	"--add-exports=jdk.compiler/com.sun.tools.javac.api=ALL-UNNAMED --add-exports=jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED " +
	"--add-exports=jdk.compiler/com.sun.tools.javac.parser=ALL-UNNAMED --add-exports=jdk.compiler/com.sun.tools.javac.tree=ALL-UNNAMED " +
	"--add-exports=jdk.compiler/com.sun.tools.javac.util=ALL-UNNAMED --add-exports=java.security.jgss/sun.security.krb5=ALL-UNNAMED " +
	"--add-opens=java.base/java.lang=ALL-UNNAMED --add-opens=java.base/java.net=ALL-UNNAMED --add-opens=java.base/java.io=ALL-UNNAMED " +
	"--add-opens=java.base/java.nio=ALL-UNNAMED --add-opens=java.base/sun.nio.ch=ALL-UNNAMED --add-opens=java.base/java.lang.reflect=ALL-UNNAMED " +
	"--add-opens=java.base/java.text=ALL-UNNAMED --add-opens=java.base/java.time=ALL-UNNAMED --add-opens=java.base/java.util=ALL-UNNAMED " +
	"--add-opens=java.base/java.util.concurrent=ALL-UNNAMED --add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED " +
	"--add-opens=java.base/java.util.concurrent.locks=ALL-UNNAMED"

// SavepointDir is a cluster's default savepoint directory as Flink reads it from its configuration: the key
// of 1.20 and 2.x, else the older state.savepoints.dir; empty when neither is set.
func SavepointDir(config map[string]string) string {
	if dir := config[KeySavepointDir]; dir != "" {
		return dir
	}
	return config[KeySavepointsDir]
}

// JavaModuleOptionsKey is the key Teal writes JavaModuleOptions under for a Flink version:
// env.java.default-opts.all from 1.19 (and for an unset version), env.java.opts.all before.
func JavaModuleOptionsKey(version flinkv1beta1.FlinkVersion) string {
	if version == "" || version.IsEqualOrNewer(flinkv1beta1.FlinkVersionV1_19) {
		return KeyJavaDefaultOptsAll
	}
	return KeyJavaOptsAll
}

// isLegacyFlink: Flink 1.15 and 1.16 predate the *.ref image key and the *.cpu.amount keys.
func isLegacyFlink(version flinkv1beta1.FlinkVersion) bool {
	return version != "" && !version.IsEqualOrNewer(flinkv1beta1.FlinkVersionV1_17)
}

func copyIfSet(config map[string]string, from, to string) {
	if value, set := config[from]; set {
		config[to] = value
	}
}

// HighAvailabilityActivated reports whether a Flink configuration turns HA on: high-availability.type (or the
// older high-availability) set to anything but NONE, as Flink reads it.
func HighAvailabilityActivated(config map[string]string) bool {
	for _, key := range []string{KeyHighAvailability, KeyHighAvailabilityV1} {
		if value := strings.ToLower(strings.TrimSpace(config[key])); value != "" && value != "none" && value != "false" {
			return true
		}
	}
	return false
}

// replicasParallelism is upstream's rule for native application clusters whose job sets no parallelism:
// taskManager.replicas fixes the TaskManager count, so the job runs with replicas × slots per TaskManager.
func replicasParallelism(deployment *flinkv1beta1.FlinkDeployment, config map[string]string) (int, bool) {
	spec := &deployment.Spec
	if spec.Mode == flinkv1beta1.DeploymentModeStandalone || spec.TaskManager == nil || spec.TaskManager.Replicas == nil {
		return 0, false
	}
	slots := 1
	if raw, set := config[KeyTaskSlots]; set {
		parsed, err := strconv.Atoi(strings.TrimSpace(raw))
		if err != nil || parsed < 1 {
			return 0, false
		}
		slots = parsed
	}
	return int(*spec.TaskManager.Replicas) * slots, true
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

// resourceKeys are the configuration keys that size one component.
type resourceKeys struct {
	memory, cpu, cpuLimitFactor, memoryLimitFactor string
}

func setResource(config map[string]string, keys resourceKeys, resource *flinkv1beta1.Resource) error {
	if resource == nil {
		return nil
	}
	if resource.Memory != "" {
		bytes, err := MemoryBytes(resource.Memory)
		if err != nil {
			return err
		}
		config[keys.memory] = strconv.FormatInt(bytes, 10) + "b"
	}
	if resource.CPU != nil {
		config[keys.cpu] = strconv.FormatFloat(*resource.CPU, 'f', -1, 64)
	}
	return nil
}

// setRequirements sizes Flink from full resource requirements, requests first then limits, as upstream; it runs
// after the shorthand so that resources win where both are set. Where both a request and a limit are given,
// their ratio becomes the limit factor, so the pods Flink creates itself get the same limits.
func setRequirements(config map[string]string, keys resourceKeys, requirements *corev1.ResourceRequirements) {
	if requirements == nil {
		return
	}
	if memory := requestOrLimit(requirements, corev1.ResourceMemory); memory != nil {
		config[keys.memory] = strconv.FormatInt(memory.Value(), 10) + "b"
	}
	if cpu := requestOrLimit(requirements, corev1.ResourceCPU); cpu != nil {
		config[keys.cpu] = strconv.FormatFloat(cpu.AsApproximateFloat64(), 'f', -1, 64)
	}
	if factor, ok := limitFactor(requirements, corev1.ResourceCPU); ok {
		config[keys.cpuLimitFactor] = factor
	}
	if factor, ok := limitFactor(requirements, corev1.ResourceMemory); ok {
		config[keys.memoryLimitFactor] = factor
	}
}

func limitFactor(requirements *corev1.ResourceRequirements, name corev1.ResourceName) (string, bool) {
	request, hasRequest := requirements.Requests[name]
	limit, hasLimit := requirements.Limits[name]
	if !hasRequest || !hasLimit || request.IsZero() {
		return "", false
	}
	return strconv.FormatFloat(limit.AsApproximateFloat64()/request.AsApproximateFloat64(), 'f', -1, 64), true
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
			var err error
			if value, err = yamlValue(key, value); err != nil {
				return "", err
			}
		}
		fmt.Fprintf(&out, "%s: %s\n", key, value)
	}
	return out.String(), nil
}

// yamlValue renders one value of config.yaml: lists as YAML flow sequences, other values as plain scalars
// where YAML reads them back as the same string, quoted otherwise (true, 1.0, "a: b").
func yamlValue(key, value string) (string, error) {
	if IsListKey(key) {
		items, err := SplitList(value)
		if err != nil {
			return "", fmt.Errorf("rendering %s: %w", key, err)
		}
		if items == nil {
			items = []string{}
		}
		raw, err := json.Marshal(items) // JSON arrays are YAML flow sequences
		if err != nil {
			return "", fmt.Errorf("rendering %s: %w", key, err)
		}
		return string(raw), nil
	}
	quoted, err := yaml.Marshal(value)
	if err != nil {
		return "", fmt.Errorf("rendering %s: %w", key, err)
	}
	return strings.TrimSuffix(string(quoted), "\n"), nil
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
		if err := listsToLegacyForm(parsed); err != nil {
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

// listsToLegacyForm replaces the YAML lists of a parsed config.yaml by the legacy list form the flat
// configuration holds.
func listsToLegacyForm(parsed map[string]any) error {
	for key, value := range parsed {
		switch typed := value.(type) {
		case []any:
			items := make([]string, len(typed))
			for i, item := range typed {
				text, ok := item.(string)
				if !ok {
					raw, err := json.Marshal(item)
					if err != nil {
						return fmt.Errorf("%s: %w", key, err)
					}
					text = string(raw)
				}
				items[i] = text
			}
			parsed[key] = JoinList(items)
		case map[string]any:
			if err := listsToLegacyForm(typed); err != nil {
				return err
			}
		}
	}
	return nil
}
