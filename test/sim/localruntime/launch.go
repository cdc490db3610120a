package localruntime

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/yaml"

	"github.com/teal-flink/teal/internal/resources"
)

// Launch is how the image would start Flink for a pod: what hack/images/flink/docker-entrypoint.sh and Flink's
// own start-up would do with the pod's command line, environment and mounted files. PlanLaunch refuses what
// would make the real container exit, with the message the real one would log, so a bad Pod spec fails on
// every backend.
type Launch struct {
	// Command is the entrypoint command: jobmanager, standalone-job, or kubernetes-jobmanager.sh (passed through).
	Command string
	// Native: Flink's native Kubernetes entrypoint (kubernetes-application or kubernetes-session).
	Native bool
	// ConfDir is the configuration directory on this machine, ConfigFile the file Flink reads in it.
	ConfDir, ConfigFile string
	// Config is the configuration Flink runs with: the mounted file with the command line's -D properties.
	Config map[string]string
	// Job is the application the JobManager runs; nil for a session cluster.
	Job *JobLaunch
}

// JobLaunch is the application a JobManager starts.
type JobLaunch struct {
	// JarURI is the program's jar as the pod sees it (local:// or file:// paths inside the image).
	JarURI string
	// EntryClass is the main class; empty lets Flink read the jar's manifest.
	EntryClass string
	// Args are the program arguments.
	Args []string
	// SavepointPath is the snapshot the job restores from.
	SavepointPath string
	// AllowNonRestoredState skips state no operator claims.
	AllowNonRestoredState bool
	// JobID is the fixed job ID; empty lets Flink pick one.
	JobID string
	// Parallelism is the default parallelism; 0 uses the cluster's.
	Parallelism int
}

// launchError is a start-up failure of the container: it exits, and the kubelet restarts it (CrashLoopBackOff)
// with this message as its termination message.
type launchError struct{ message string }

func (e *launchError) Error() string { return e.message }

func failLaunch(format string, args ...any) error {
	return &launchError{message: fmt.Sprintf(format, args...)}
}

// PlanLaunch reads a resolved pod as the entrypoint and Flink would.
func PlanLaunch(run *PodRun) (*Launch, error) {
	if len(run.Command) > 0 && !(len(run.Command) == 1 && run.Command[0] == resources.EntrypointPath) {
		return nil, failLaunch("command %q: the local runtime runs only the image's entrypoint %s", run.Command, resources.EntrypointPath)
	}
	if len(run.Args) == 0 || run.Args[0] == "help" {
		return nil, failLaunch("docker-entrypoint: no command: the entrypoint printed its usage and exited")
	}
	launch := &Launch{Command: run.Args[0]}
	confDir := resources.ConfigMountPath
	if dir, set := run.Getenv("FLINK_CONF_DIR"); set && dir != "" {
		confDir = dir
	}
	hostConf, mounted := run.HostPath(confDir)
	if !mounted {
		return nil, failLaunch("FLINK_CONF_DIR %s is not mounted: Flink would run with the image's default configuration", confDir)
	}
	launch.ConfDir = hostConf
	config, file, err := readMountedConfig(hostConf)
	if err != nil {
		return nil, err
	}
	launch.ConfigFile = file
	launch.Config = config
	args := run.Args[1:]
	switch launch.Command {
	case "kubernetes-jobmanager.sh":
		launch.Native = true
		if len(args) == 0 || (args[0] != "kubernetes-application" && args[0] != "kubernetes-session") {
			return nil, failLaunch("kubernetes-jobmanager.sh: usage: kubernetes-jobmanager.sh (kubernetes-session|kubernetes-application) [args]; got %q", args)
		}
		if err := checkNative(run, launch); err != nil {
			return nil, err
		}
		if args[0] == "kubernetes-application" {
			if launch.Job, err = nativeJob(config); err != nil {
				return nil, err
			}
		}
	case "standalone-job":
		if launch.Job, err = standaloneJob(args, config); err != nil {
			return nil, err
		}
	case "jobmanager":
		if _, err := dynamicProperties(args, config); err != nil {
			return nil, err
		}
	case "taskmanager", "history-server":
		return nil, failLaunch("%s is not a JobManager", launch.Command)
	default:
		return nil, failLaunch("exec: %q: executable file not found in $PATH", launch.Command)
	}
	if err := checkAddress(config); err != nil {
		return nil, err
	}
	return launch, nil
}

// readMountedConfig reads config.yaml (Flink 1.19 and later, the only file Flink 2 reads) or flink-conf.yaml.
func readMountedConfig(confDir string) (map[string]string, string, error) {
	for _, name := range []string{"config.yaml", "flink-conf.yaml"} {
		path := filepath.Join(confDir, name)
		content, err := os.ReadFile(path)
		if os.IsNotExist(err) {
			continue
		}
		if err != nil {
			return nil, "", err
		}
		config, err := resources.ParseConfig(string(content), name)
		if err != nil {
			return nil, "", failLaunch("Flink cannot read its configuration: %v", err)
		}
		if name == "flink-conf.yaml" && strings.HasPrefix(config[resources.KeyFlinkVersion], "v2_") {
			return nil, "", failLaunch("Flink 2 reads only config.yaml; the mounted configuration has only flink-conf.yaml")
		}
		return config, path, nil
	}
	return nil, "", failLaunch("no config.yaml or flink-conf.yaml in the mounted configuration directory")
}

// checkNative runs the checks Flink's native JobManager entrypoint makes before it starts.
func checkNative(run *PodRun, launch *Launch) error {
	config := launch.Config
	if config[resources.KeyClusterID] == "" {
		return failLaunch("kubernetes.cluster-id must be set")
	}
	if highAvailability(config) {
		if ip, _ := run.Getenv(resources.EnvPodIP); ip == "" {
			return failLaunch("JobManager ip address environment variable %s not set", resources.EnvPodIP)
		}
	}
	if path := config[resources.KeyTaskManagerPodTemplate]; path != "" {
		hostPath, mounted := run.HostPath(path)
		if !mounted {
			return failLaunch("Pod template file %s does not exist.", path)
		}
		content, err := os.ReadFile(hostPath)
		if err != nil {
			return failLaunch("Pod template file %s does not exist.", path)
		}
		pod := &corev1.Pod{}
		if err := yaml.Unmarshal(content, pod); err != nil {
			return failLaunch("Could not load pod template file %s: %v", path, err)
		}
	}
	return nil
}

// nativeJob reads the application from the $internal.application.* keys, as Flink's application entrypoint.
func nativeJob(config map[string]string) (*JobLaunch, error) {
	jars, err := resources.SplitList(config[resources.KeyPipelineJars])
	if err != nil {
		return nil, failLaunch("pipeline.jars: %v", err)
	}
	if len(jars) != 1 {
		return nil, failLaunch("Should only have one jar in pipeline.jars, got %q", jars)
	}
	args, err := resources.SplitList(config[resources.KeyApplicationArgs])
	if err != nil {
		return nil, failLaunch("%s: %v", resources.KeyApplicationArgs, err)
	}
	if config[resources.KeySubmitFailedJob] == "true" && !highAvailability(config) && config[resources.KeyJobID] == "" {
		return nil, failLaunch("org.apache.flink.client.deployment.application.ApplicationExecutionException: " +
			"Submission of failed job in case of an application error ('execution.submit-failed-job-on-application-error') is not supported in non-HA setups.")
	}
	job := &JobLaunch{
		JarURI: jars[0], EntryClass: config[resources.KeyApplicationMain], Args: args,
		SavepointPath: config[resources.KeySavepointPath], AllowNonRestoredState: config[resources.KeyIgnoreUnclaimed] == "true",
		JobID: config[resources.KeyJobID],
	}
	job.Parallelism, _ = strconv.Atoi(config[resources.KeyParallelism])
	return job, nil
}

// standaloneJob parses standalone-job's command line as Flink's StandaloneApplicationClusterEntryPoint: options
// first, then the program's arguments; the program comes from the user classpath.
func standaloneJob(args []string, config map[string]string) (*JobLaunch, error) {
	job := &JobLaunch{JobID: config[resources.KeyJobID]}
	i := 0
options:
	for ; i < len(args); i++ {
		switch arg := args[i]; {
		case arg == "--job-classname" || arg == "-j":
			if i+1 >= len(args) {
				return nil, failLaunch("standalone-job: missing argument for option: j")
			}
			i++
			job.EntryClass = args[i]
		case arg == "--fromSavepoint" || arg == "-s":
			if i+1 >= len(args) {
				return nil, failLaunch("standalone-job: missing argument for option: s")
			}
			i++
			job.SavepointPath = args[i]
		case arg == "--allowNonRestoredState" || arg == "-n":
			job.AllowNonRestoredState = true
		case arg == "--job-id" || arg == "-jid":
			if i+1 >= len(args) {
				return nil, failLaunch("standalone-job: missing argument for option: jid")
			}
			i++
			job.JobID = args[i]
		case arg == "-D" || strings.HasPrefix(arg, "-D"):
			next, err := dynamicProperty(args, i, config)
			if err != nil {
				return nil, err
			}
			i = next
		default:
			break options
		}
	}
	job.Args = append([]string(nil), args[i:]...)
	classpaths, err := resources.SplitList(config[resources.KeyPipelineClasspaths])
	if err != nil {
		return nil, failLaunch("pipeline.classpaths: %v", err)
	}
	if len(classpaths) == 0 {
		return nil, failLaunch("Could not find the job jar: pipeline.classpaths is empty and usrlib holds no jar")
	}
	for _, classpath := range classpaths {
		if strings.HasPrefix(classpath, "local://") {
			return nil, failLaunch("pipeline.classpaths: %q: unknown protocol: local (standalone-job reads file:// URLs)", classpath)
		}
	}
	job.JarURI = classpaths[0]
	if job.SavepointPath == "" {
		job.SavepointPath = config[resources.KeySavepointPath]
	}
	job.Parallelism, _ = strconv.Atoi(config[resources.KeyParallelism])
	return job, nil
}

// dynamicProperties applies every -D property of a jobmanager command line.
func dynamicProperties(args []string, config map[string]string) ([]string, error) {
	var rest []string
	for i := 0; i < len(args); i++ {
		if !strings.HasPrefix(args[i], "-D") {
			rest = append(rest, args[i])
			continue
		}
		next, err := dynamicProperty(args, i, config)
		if err != nil {
			return nil, err
		}
		i = next
	}
	return rest, nil
}

// dynamicProperty applies "-D key=value" or "-Dkey=value" at args[i]; it returns the index of its last part.
func dynamicProperty(args []string, i int, config map[string]string) (int, error) {
	property := strings.TrimPrefix(args[i], "-D")
	if property == "" {
		if i+1 >= len(args) {
			return i, failLaunch("-D needs a key=value")
		}
		i++
		property = args[i]
	}
	key, value, found := strings.Cut(property, "=")
	if !found {
		return i, failLaunch("dynamic property %q is not key=value", property)
	}
	config[key] = value
	return i, nil
}

// checkAddress: an unexpanded $(VAR) (a variable the pod does not define) is not an address Flink can bind.
func checkAddress(config map[string]string) error {
	if address := config[resources.KeyRPCAddress]; strings.Contains(address, "$(") {
		return failLaunch("jobmanager.rpc.address %q: the pod defines no such variable, so the address stays unresolved", address)
	}
	return nil
}

func highAvailability(config map[string]string) bool {
	for _, key := range []string{resources.KeyHighAvailability, resources.KeyHighAvailabilityV1} {
		if value := strings.ToLower(strings.TrimSpace(config[key])); value != "" && value != "none" && value != "false" {
			return true
		}
	}
	return false
}
