package validators

import (
	"fmt"
	"strings"
	"time"

	"k8s.io/apimachinery/pkg/util/validation/field"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
)

// Blue/green configuration keys (upstream's FlinkBlueGreenDeploymentConfigOptions).
const (
	blueGreenPrefix = "kubernetes.operator.bluegreen."
	// KeyBlueGreenAbortGracePeriod is how long an incoming child may take to become ready before the
	// transition is aborted (default 10 min); must be positive.
	KeyBlueGreenAbortGracePeriod = blueGreenPrefix + "abort.grace-period"
	// KeyBlueGreenRescheduleInterval is the delay between reconciliations during a transition (default 15 s);
	// must be positive.
	KeyBlueGreenRescheduleInterval = blueGreenPrefix + "reconciliation.reschedule-interval"
	// KeyBlueGreenDeletionDelay is how long the outgoing child is kept after a transition (default 0).
	KeyBlueGreenDeletionDelay = blueGreenPrefix + "deployment-deletion.delay"
)

// blueGreenDurations are the known blue/green keys and whether zero is allowed.
var blueGreenDurations = map[string]bool{
	KeyBlueGreenAbortGracePeriod:   false,
	KeyBlueGreenRescheduleInterval: false,
	KeyBlueGreenDeletionDelay:      true,
}

// blueGreenChildSuffixLength is the length of the longest child suffix ("-green"): children are named
// <name>-blue and <name>-green and must themselves be valid FlinkDeployment names.
const blueGreenChildSuffixLength = len("-green")

// ValidateFlinkBlueGreenDeployment checks a FlinkBlueGreenDeployment on create (oldObj nil) or update. Upstream
// does not validate this kind; Teal applies the FlinkDeployment rules to the template spec (as they would
// apply to each child), checks the blue/green configuration keys and durations, and the ingress.
func ValidateFlinkBlueGreenDeployment(newObj, _ *flinkv1beta1.FlinkBlueGreenDeployment, opts Options) field.ErrorList {
	specPath := field.NewPath("spec")
	errs := validateClusterName(newObj.Name, field.NewPath("metadata", "name"), maxClusterNameLength-blueGreenChildSuffixLength)
	errs = append(errs, validateBlueGreenConfiguration(newObj.Spec.Configuration, specPath.Child("configuration"))...)
	errs = append(errs, validateIngress(newObj.Spec.Ingress, newObj.Name, newObj.Namespace, specPath.Child("ingress"))...)
	templateSpecPath := specPath.Child("template", "spec")
	template := &newObj.Spec.Template.Spec
	if template.Job == nil {
		errs = append(errs, field.Required(templateSpecPath.Child("job"),
			"blue/green runs an application job: describe it (jarURI, parallelism, upgradeMode)"))
	}
	// Each child is a fresh FlinkDeployment, so the rules comparing with a deployed spec do not apply here.
	ctx := SpecContext{Name: newObj.Name + "-" + strings.ToLower(string(flinkv1beta1.BlueGreenTypeBlue)), Namespace: newObj.Namespace}
	return append(errs, ValidateFlinkDeploymentSpec(template, ctx, templateSpecPath, opts)...)
}

func validateBlueGreenConfiguration(configuration map[string]string, path *field.Path) field.ErrorList {
	var errs field.ErrorList
	known := sortedKeys(blueGreenDurations)
	for _, key := range sortedKeys(configuration) {
		value := configuration[key]
		zeroAllowed, isKnown := blueGreenDurations[key]
		if !isKnown {
			if strings.HasPrefix(key, blueGreenPrefix) {
				errs = append(errs, field.NotSupported(path.Key(key), key, known))
			} else {
				errs = append(errs, validateResourceKeys(map[string]string{key: value}, path)...)
			}
			continue
		}
		duration, err := ParseFlinkDuration(value)
		switch {
		case err != nil:
			errs = append(errs, field.Invalid(path.Key(key), value,
				"must be a Flink duration such as 10 min, 30 s, 500 ms or PT10M: "+err.Error()))
		case duration == 0 && !zeroAllowed:
			errs = append(errs, field.Invalid(path.Key(key), value, fmt.Sprintf("must be longer than zero, e.g. %s", time.Minute)))
		}
	}
	return errs
}
