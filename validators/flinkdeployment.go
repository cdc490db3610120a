package validators

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"k8s.io/apimachinery/pkg/util/validation/field"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
)

// clusterNamePattern is upstream's rule for FlinkDeployment names (and session job deploymentNames): it keeps
// every derived name (services, config maps, the Flink cluster id) within Kubernetes' limits.
var clusterNamePattern = regexp.MustCompile(`^[a-z]([-a-z\d]{0,43}[a-z\d])?$`)

// maxClusterNameLength is the longest name clusterNamePattern admits.
const maxClusterNameLength = 45

// minSupportedFlinkVersion is the oldest release line upstream still deploys.
const minSupportedFlinkVersion = flinkv1beta1.FlinkVersionV1_15

// allowedLogConfigKeys are the only files spec.logConfiguration may carry.
var allowedLogConfigKeys = []string{"log4j-console.properties", "logback-console.xml"}

// SpecContext is what the FlinkDeployment spec rules need besides the spec: the name and namespace the
// cluster runs under (for the ingress template) and the spec last deployed (nil before the first deployment).
type SpecContext struct {
	// Name of the cluster (the FlinkDeployment, or a blue/green child).
	Name string
	// Namespace of the cluster.
	Namespace string
	// LastReconciled is the spec recorded in status.reconciliationStatus.lastReconciledSpec, nil before the
	// first deployment.
	LastReconciled *flinkv1beta1.FlinkDeploymentSpec
}

// ValidateFlinkDeployment checks a FlinkDeployment on create (oldObj nil) or update. The rules that compare with
// what was deployed read status.reconciliationStatus.lastReconciledSpec, from newObj or, when an update carries
// no status, from oldObj.
func ValidateFlinkDeployment(newObj, oldObj *flinkv1beta1.FlinkDeployment, opts Options) field.ErrorList {
	errs := validateClusterName(newObj.Name, field.NewPath("metadata", "name"), maxClusterNameLength)
	record := newObj.Status.ReconciliationStatus.LastReconciledSpec
	if record == "" && oldObj != nil {
		record = oldObj.Status.ReconciliationStatus.LastReconciledSpec
	}
	ctx := SpecContext{Name: newObj.Name, Namespace: newObj.Namespace, LastReconciled: lastReconciledSpec(record)}
	return append(errs, ValidateFlinkDeploymentSpec(&newObj.Spec, ctx, field.NewPath("spec"), opts)...)
}

// ValidateFlinkDeploymentSpec checks a FlinkDeployment spec found at path (spec, or spec.template.spec of a
// blue/green deployment).
func ValidateFlinkDeploymentSpec(spec *flinkv1beta1.FlinkDeploymentSpec, ctx SpecContext, path *field.Path, opts Options) field.ErrorList {
	configPath := path.Child("flinkConfiguration")
	config, errs := effectiveConfig(opts.DefaultFlinkConfig, []*flinkv1beta1.ConfigObject{spec.FlinkConfiguration},
		[]*field.Path{configPath}, configPath)
	errs = append(errs, validateResourceKeys(flatConfig(spec.FlinkConfiguration), configPath)...)
	errs = append(errs, validateFlinkVersion(spec, ctx.LastReconciled, path.Child("flinkVersion"))...)
	errs = append(errs, validateClusterConfig(config)...)
	errs = append(errs, validateIngress(spec.Ingress, ctx.Name, ctx.Namespace, path.Child("ingress"))...)
	errs = append(errs, validateLogConfig(spec.LogConfiguration, path.Child("logConfiguration"))...)
	if spec.Job != nil {
		errs = append(errs, validateJob(spec.Job, path.Child("job"), spec.TaskManager != nil && spec.TaskManager.Replicas != nil, config)...)
	}
	errs = append(errs, validateJobManager(spec.JobManager, config, path.Child("jobManager"))...)
	errs = append(errs, validateTaskManager(spec.TaskManager, config, path.Child("taskManager"))...)
	errs = append(errs, validateSpecChange(spec, ctx.LastReconciled, path)...)
	if spec.ServiceAccount == "" {
		errs = append(errs, field.Required(path.Child("serviceAccount"),
			"set the service account the Flink pods run as (with Helm, the chart's jobServiceAccount name)"))
	}
	return dedupe(append(errs, validateAutoscaler(config)...))
}

func validateClusterName(name string, path *field.Path, maxLength int) field.ErrorList {
	if clusterNamePattern.MatchString(name) && len(name) <= maxLength {
		return nil
	}
	return field.ErrorList{field.Invalid(path, name, fmt.Sprintf(
		"must consist of lower case letters, digits or '-', start with a letter, end with a letter or digit "+
			"(e.g. 'my-name' or 'abc-123') and be at most %d characters long", maxLength))}
}

func validateFlinkVersion(spec *flinkv1beta1.FlinkDeploymentSpec, last *flinkv1beta1.FlinkDeploymentSpec, path *field.Path) field.ErrorList {
	version := spec.FlinkVersion
	if version == "" {
		return field.ErrorList{field.Required(path, "set the Flink release line of the image, e.g. v1_20")}
	}
	if version.Ordinal() < minSupportedFlinkVersion.Ordinal() {
		return field.ErrorList{field.Invalid(path, version, fmt.Sprintf(
			"Flink %s is not supported: use %s or newer", version, minSupportedFlinkVersion))}
	}
	// A last-state restore reads the HA metadata and checkpoints of the suspended job; a different Flink
	// release may not read them, so upstream requires restoring with the old version first.
	if last != nil && last.Job != nil && spec.Job != nil && upgradeMode(spec.Job) != flinkv1beta1.UpgradeModeStateless &&
		last.Job.State == flinkv1beta1.JobStateSuspended && last.Job.UpgradeMode == flinkv1beta1.UpgradeModeLastState &&
		last.FlinkVersion != version {
		return field.ErrorList{field.Forbidden(path, fmt.Sprintf(
			"cannot change flinkVersion from %s to %s after a last-state suspend: resume the job with %s first "+
				"and upgrade the version afterwards (or use upgradeMode stateless)", last.FlinkVersion, version, last.FlinkVersion))}
	}
	return nil
}

func validateClusterConfig(config flinkConfig) field.ErrorList {
	var errs field.ErrorList
	for _, key := range forbiddenConfigKeys {
		if _, ok := config.values[key]; ok {
			errs = append(errs, field.Forbidden(config.keyPath(key),
				"is set by the operator from the resource's name and namespace: remove it"))
		}
	}
	// The operator reaches the JobManager at rest.port: anything but a port number could move the host of
	// that address to another namespace's JobManager.
	if port, ok := config.values[keyRestPort]; ok {
		if number, err := strconv.Atoi(strings.TrimSpace(port)); err != nil || number < 1 || number > 65535 {
			errs = append(errs, field.Invalid(config.keyPath(keyRestPort), port, "must be a port number between 1 and 65535"))
		}
	}
	rollback, err := config.boolean(false, keyRollbackEnabled)
	errs = appendIf(errs, err)
	if rollback && !config.haEnabled() {
		errs = append(errs, field.Invalid(config.keyPath(keyRollbackEnabled), "true",
			"rollback needs high availability: set high-availability.type (e.g. kubernetes) or disable rollback"))
	}
	healthCheck, err := config.boolean(false, keyHealthCheckEnabled)
	errs = appendIf(errs, err)
	recovery, err := config.boolean(true, keysJMRecovery...)
	errs = appendIf(errs, err)
	if healthCheck && !recovery {
		errs = append(errs, field.Invalid(config.keyPath(keyHealthCheckEnabled), "true", fmt.Sprintf(
			"the cluster health check needs JobManager deployment recovery: set %s to true or disable the health check",
			keysJMRecovery[0])))
	}
	return errs
}

func validateLogConfig(logConfig map[string]string, path *field.Path) field.ErrorList {
	var errs field.ErrorList
	for _, key := range sortedKeys(logConfig) {
		if key != allowedLogConfigKeys[0] && key != allowedLogConfigKeys[1] {
			errs = append(errs, field.NotSupported(path.Key(key), key, allowedLogConfigKeys))
		}
	}
	return errs
}

// validateSpecChange forbids switching cluster type or deployment mode once a spec has been deployed, and
// requires initialSavepointPath when savepointRedeployNonce changes.
func validateSpecChange(spec, last *flinkv1beta1.FlinkDeploymentSpec, path *field.Path) field.ErrorList {
	if last == nil {
		return nil
	}
	var errs field.ErrorList
	switch {
	case spec.Job != nil && last.Job == nil:
		errs = append(errs, field.Forbidden(path.Child("job"),
			"cannot turn a deployed session cluster into an application cluster: create a new FlinkDeployment instead"))
	case spec.Job == nil && last.Job != nil:
		errs = append(errs, field.Required(path.Child("job"),
			"cannot turn a deployed application cluster into a session cluster: keep spec.job or create a new FlinkDeployment"))
	}
	oldMode, newMode := deploymentMode(last.Mode), deploymentMode(spec.Mode)
	if oldMode != newMode {
		errs = append(errs, field.Forbidden(path.Child("mode"), fmt.Sprintf(
			"cannot switch a deployed cluster from %s to %s Kubernetes mode: set mode back to %s or create a new FlinkDeployment",
			oldMode, newMode, oldMode)))
	}
	if spec.Job != nil && last.Job != nil && spec.Job.SavepointRedeployNonce != nil &&
		!equalNonce(spec.Job.SavepointRedeployNonce, last.Job.SavepointRedeployNonce) &&
		strings.TrimSpace(spec.Job.InitialSavepointPath) == "" {
		errs = append(errs, field.Required(path.Child("job", "initialSavepointPath"),
			"a new savepointRedeployNonce redeploys from initialSavepointPath: set the savepoint to restore from"))
	}
	return errs
}

func deploymentMode(mode flinkv1beta1.KubernetesDeploymentMode) flinkv1beta1.KubernetesDeploymentMode {
	if mode == "" {
		return flinkv1beta1.DeploymentModeNative
	}
	return mode
}

func upgradeMode(job *flinkv1beta1.JobSpec) flinkv1beta1.UpgradeMode {
	if job.UpgradeMode == "" {
		return flinkv1beta1.UpgradeModeStateless
	}
	return job.UpgradeMode
}

func equalNonce(a, b *int64) bool {
	return (a == nil && b == nil) || (a != nil && b != nil && *a == *b)
}

func appendIf(errs field.ErrorList, err *field.Error) field.ErrorList {
	if err != nil {
		return append(errs, err)
	}
	return errs
}
