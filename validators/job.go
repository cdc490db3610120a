package validators

import (
	"fmt"

	"k8s.io/apimachinery/pkg/util/validation/field"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
)

// validateJob checks the job of an application cluster or session job against the effective configuration:
// stateful upgrade modes need the directories they write to, and the job needs a parallelism unless the
// TaskManager replicas fix it.
func validateJob(job *flinkv1beta1.JobSpec, path *field.Path, tmReplicasDefined bool, config flinkConfig) field.ErrorList {
	var errs field.ErrorList
	mode := upgradeMode(job)
	if mode != flinkv1beta1.UpgradeModeStateless && config.isBlank(keysCheckpointDir...) {
		errs = append(errs, field.Invalid(path.Child("upgradeMode"), mode, fmt.Sprintf(
			"upgradeMode %s restores from checkpoints: set %s (or %s) in flinkConfiguration, or use upgradeMode stateless",
			mode, keysCheckpointDir[0], keysCheckpointDir[1])))
	}
	if config.isBlank(keysSavepointDir...) {
		setDir := fmt.Sprintf("set %s (or %s) in flinkConfiguration", keysSavepointDir[0], keysSavepointDir[1])
		if mode == flinkv1beta1.UpgradeModeSavepoint {
			errs = append(errs, field.Invalid(path.Child("upgradeMode"), mode,
				"upgradeMode savepoint needs a savepoint directory: "+setDir+", or use another upgradeMode"))
		}
		if job.SavepointTriggerNonce != nil {
			errs = append(errs, field.Invalid(path.Child("savepointTriggerNonce"), *job.SavepointTriggerNonce,
				"a manual savepoint needs a savepoint directory: "+setDir+", or remove the nonce"))
		}
		if _, key, ok := config.lookup(keyPeriodicSavepoint); ok {
			errs = append(errs, field.Invalid(config.keyPath(key), config.values[key],
				"periodic savepoints need a savepoint directory: "+setDir+", or remove this key"))
		}
		if _, key, ok := config.lookup(keyLastStateMaxAge); ok {
			errs = append(errs, field.Invalid(config.keyPath(key), config.values[key],
				"the max checkpoint age falls back to a savepoint upgrade, which needs a savepoint directory: "+setDir+", or remove this key"))
		}
	}
	if !tmReplicasDefined && job.Parallelism < 1 {
		errs = append(errs, field.Invalid(path.Child("parallelism"), job.Parallelism,
			"must be at least 1, unless spec.taskManager.replicas is set"))
	}
	return errs
}
