package validators

import (
	"fmt"

	"k8s.io/apimachinery/pkg/util/validation/field"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
)

// ValidateFlinkStateSnapshot checks a FlinkStateSnapshot on create (oldObj nil) or update. targetExists says
// whether the resource named by spec.jobReference exists in the snapshot's namespace; a missing target is an
// error only while the snapshot has not been triggered yet (upstream: status absent or TRIGGER_PENDING).
func ValidateFlinkStateSnapshot(newObj, _ *flinkv1beta1.FlinkStateSnapshot, targetExists bool, _ Options) field.ErrorList {
	spec := &newObj.Spec
	specPath := field.NewPath("spec")
	switch {
	case spec.Savepoint == nil && spec.Checkpoint == nil:
		return field.ErrorList{field.Required(specPath.Child("savepoint"),
			"set exactly one of spec.savepoint or spec.checkpoint")}
	case spec.Savepoint != nil && spec.Checkpoint != nil:
		return field.ErrorList{field.Forbidden(specPath.Child("checkpoint"),
			"set exactly one of spec.savepoint or spec.checkpoint, not both")}
	}
	// An existing savepoint is only recorded, so no job needs to be found.
	if spec.Savepoint != nil && spec.Savepoint.AlreadyExists != nil && *spec.Savepoint.AlreadyExists {
		return nil
	}
	refPath := specPath.Child("jobReference")
	if spec.JobReference == nil {
		return field.ErrorList{field.Required(refPath,
			"name the FlinkDeployment or FlinkSessionJob to snapshot (kind and name), or set savepoint.alreadyExists")}
	}
	var errs field.ErrorList
	if spec.JobReference.Kind == "" {
		errs = append(errs, field.Required(refPath.Child("kind"), "set FlinkDeployment or FlinkSessionJob"))
	}
	if spec.JobReference.Name == "" {
		return append(errs, field.Required(refPath.Child("name"), "name the resource whose job to snapshot"))
	}
	pending := newObj.Status.State == "" || newObj.Status.State == flinkv1beta1.SnapshotStateTriggerPending
	if !targetExists && pending {
		notFound := field.NotFound(refPath.Child("name"), spec.JobReference.Name)
		notFound.Detail = fmt.Sprintf("no %s %s/%s: create it first or fix the reference",
			referenceKind(spec.JobReference.Kind), newObj.Namespace, spec.JobReference.Name)
		errs = append(errs, notFound)
	}
	return errs
}

func referenceKind(kind flinkv1beta1.JobKind) string {
	if kind == "" {
		return "resource"
	}
	return string(kind)
}
