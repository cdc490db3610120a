package validators

import (
	"fmt"

	"k8s.io/apimachinery/pkg/util/validation/field"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
)

// ValidateFlinkSessionJob checks a FlinkSessionJob on create (oldObj nil) or update. session is the
// FlinkDeployment named by spec.deploymentName in the job's namespace, nil when it does not exist; with a
// session the job rules run on the merged configuration (operator defaults, session cluster, job).
func ValidateFlinkSessionJob(newObj, oldObj *flinkv1beta1.FlinkSessionJob, session *flinkv1beta1.FlinkDeployment, opts Options) field.ErrorList {
	spec := &newObj.Spec
	specPath := field.NewPath("spec")
	deploymentPath := specPath.Child("deploymentName")
	var errs field.ErrorList
	if spec.DeploymentName == "" {
		errs = append(errs, field.Required(deploymentPath, "name the session cluster (a FlinkDeployment without spec.job) to run the job on"))
	} else {
		errs = append(errs, validateClusterName(spec.DeploymentName, deploymentPath, maxClusterNameLength)...)
	}
	jobPath := specPath.Child("job")
	if spec.Job == nil {
		errs = append(errs, field.Required(jobPath, "describe the job to run (jarURI, parallelism, upgradeMode)"))
	}
	record := newObj.Status.ReconciliationStatus.LastReconciledSpec
	if record == "" && oldObj != nil {
		record = oldObj.Status.ReconciliationStatus.LastReconciledSpec
	}
	// Upstream lets deploymentName change until the job was first deployed, so a typo can be fixed.
	if last := lastReconciledSessionJobSpec(record); last != nil && last.DeploymentName != spec.DeploymentName {
		errs = append(errs, field.Forbidden(deploymentPath, fmt.Sprintf(
			"cannot move a deployed job from session cluster %q to %q: set it back, or create a new FlinkSessionJob",
			last.DeploymentName, spec.DeploymentName)))
	}
	errs = append(errs, validateResourceKeys(flatConfig(spec.FlinkConfiguration), specPath.Child("flinkConfiguration"))...)
	if spec.Job != nil {
		errs = append(errs, validateJarURI(spec.Job.JarURI, previousJarURI(oldObj, record), jobPath.Child("jarURI"), opts)...)
	}
	if session == nil {
		if !opts.AllowMissingSessionCluster && spec.DeploymentName != "" {
			notFound := field.NotFound(deploymentPath, spec.DeploymentName)
			notFound.Detail = "no FlinkDeployment of that name in this namespace: create the session cluster first"
			errs = append(errs, notFound)
		}
		return errs
	}
	return dedupe(append(errs, validateWithSessionCluster(newObj, session, previousJarURI(oldObj, record), opts)...))
}

func validateWithSessionCluster(job *flinkv1beta1.FlinkSessionJob, session *flinkv1beta1.FlinkDeployment, previous string, opts Options) field.ErrorList {
	specPath := field.NewPath("spec")
	var errs field.ErrorList
	if session.Spec.Job != nil {
		errs = append(errs, field.Invalid(specPath.Child("deploymentName"), job.Spec.DeploymentName,
			"is an application cluster (it has spec.job): session jobs run only on session clusters"))
	}
	if session.Name != job.Spec.DeploymentName {
		errs = append(errs, field.Invalid(specPath.Child("deploymentName"), job.Spec.DeploymentName,
			fmt.Sprintf("does not match the session cluster %q it was checked against", session.Name)))
	}
	configPath := specPath.Child("flinkConfiguration")
	config, configErrs := effectiveConfig(opts.DefaultFlinkConfig,
		[]*flinkv1beta1.ConfigObject{session.Spec.FlinkConfiguration, job.Spec.FlinkConfiguration},
		[]*field.Path{field.NewPath("sessionCluster", "spec", "flinkConfiguration"), configPath}, configPath)
	errs = append(errs, configErrs...)
	if job.Spec.Job != nil {
		errs = append(errs, validateJob(job.Spec.Job, specPath.Child("job"), false, config)...)
		errs = append(errs, validateS3Endpoint(job.Spec.Job.JarURI, previous, config, opts)...)
	}
	return append(errs, validateAutoscaler(config)...)
}

// previousJarURI is the jarURI the job had before this change (the old object's, else the last deployed one),
// empty on create. An unchanged jarURI was checked when it was set: its host is not resolved again, so a DNS
// blip cannot mark a running job Stalled.
func previousJarURI(oldObj *flinkv1beta1.FlinkSessionJob, record string) string {
	if oldObj != nil && oldObj.Spec.Job != nil && oldObj.Spec.Job.JarURI != "" {
		return oldObj.Spec.Job.JarURI
	}
	if last := lastReconciledSessionJobSpec(record); last != nil && last.Job != nil {
		return last.Job.JarURI
	}
	return ""
}
