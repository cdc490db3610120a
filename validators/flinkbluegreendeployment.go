package validators

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"k8s.io/apimachinery/pkg/util/validation/field"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
	"github.com/teal-flink/teal/internal/operatorconfig"
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
	// KeyBlueGreenTransitionDeadline bounds an ADVANCED cut-over (default 10 min): without W after this long,
	// counted from the incoming job running, the transition is aborted back to the outgoing child.
	KeyBlueGreenTransitionDeadline = operatorconfig.KeyBlueGreenTransitionDeadline
)

// The FLIP-504 gate's keys in the children's flinkConfiguration (docs/bluegreen-exactly-once.md).
const (
	// KeyGateStrategy selects the gate's strategy; transitionMode ADVANCED needs WATERMARK.
	KeyGateStrategy = "bluegreen.gate.strategy"
	// KeyGateFieldPath, KeyGateExtractorClass and KeyGateFieldIndex say where a record's event time is; an
	// ADVANCED template sets exactly one.
	KeyGateFieldPath      = "bluegreen.gate.watermark.field-path"
	KeyGateExtractorClass = "bluegreen.gate.watermark.extractor-class"
	KeyGateFieldIndex     = "bluegreen.gate.watermark.field-index"
	// KeyGateInjectionPosition is BEFORE_SINK (default) or AFTER_SOURCE.
	KeyGateInjectionPosition = "bluegreen.gate.injection.position"
	// KeyGateActiveDeploymentType, KeyGateConfigMapName and KeyGateInjectionEnabled are written by the
	// controller on each child: its own colour, the coordination ConfigMap, and whether the gate is injected.
	KeyGateActiveDeploymentType = "bluegreen.active-deployment-type"
	KeyGateConfigMapName        = "bluegreen.configmap.name"
	KeyGateInjectionEnabled     = "bluegreen.gate.injection.enabled"
	// GateStrategyWatermark is the one strategy of KeyGateStrategy.
	GateStrategyWatermark = "WATERMARK"
)

// gateExtractorKeys are the event-time extractor keys, one of which an ADVANCED template sets.
var gateExtractorKeys = []string{KeyGateFieldPath, KeyGateExtractorClass, KeyGateFieldIndex}

// blueGreenDurations are the known blue/green keys and whether zero is allowed.
var blueGreenDurations = map[string]bool{
	KeyBlueGreenAbortGracePeriod:   false,
	KeyBlueGreenRescheduleInterval: false,
	KeyBlueGreenDeletionDelay:      true,
	KeyBlueGreenTransitionDeadline: false,
}

// blueGreenChildSuffixLength is the length of the longest child suffix ("-green"): children are named
// <name>-blue and <name>-green and must themselves be valid FlinkDeployment names.
const blueGreenChildSuffixLength = len("-green")

// ValidateFlinkBlueGreenDeployment checks a FlinkBlueGreenDeployment on create (oldObj nil) or update. Upstream
// does not validate this kind; Teal applies the FlinkDeployment rules to the template spec (as they would
// apply to each child), checks the blue/green configuration keys and durations, and the ingress.
//
// transitionMode ADVANCED also needs the gate's configuration in the template (ValidateBlueGreenGate), and the
// mode cannot change once the deployment was first rolled out (ValidateTransitionModeChange).
func ValidateFlinkBlueGreenDeployment(newObj, oldObj *flinkv1beta1.FlinkBlueGreenDeployment, opts Options) field.ErrorList {
	specPath := field.NewPath("spec")
	errs := validateClusterName(newObj.Name, field.NewPath("metadata", "name"), maxClusterNameLength-blueGreenChildSuffixLength)
	errs = append(errs, validateBlueGreenConfiguration(newObj.Spec.Configuration, specPath.Child("configuration"))...)
	errs = append(errs, validateIngress(newObj.Spec.Ingress, newObj.Name, newObj.Namespace, specPath.Child("ingress"))...)
	errs = append(errs, ValidateBlueGreenGate(&newObj.Spec)...)
	if oldObj != nil && oldObj.Status.LastReconciledSpec != "" {
		errs = append(errs, ValidateTransitionModeChange(oldObj.Spec.EffectiveTransitionMode(), newObj.Spec.EffectiveTransitionMode())...)
	}
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

// ValidateTransitionModeChange refuses a change of spec.transitionMode after the first deployment: the two
// children of one deployment must hand over the same way (an ADVANCED gate has no counterpart in a BASIC job),
// so a different mode needs a new FlinkBlueGreenDeployment. deployed is the mode the deployment was rolled out
// with.
func ValidateTransitionModeChange(deployed, desired flinkv1beta1.TransitionMode) field.ErrorList {
	if deployed == desired {
		return nil
	}
	return field.ErrorList{field.Forbidden(field.NewPath("spec", "transitionMode"), fmt.Sprintf(
		"cannot change from %s to %s after the first deployment: set it back to %s, or create a new FlinkBlueGreenDeployment with %s",
		deployed, desired, deployed, desired))}
}

// ValidateBlueGreenGate checks the gate's configuration in the template's flinkConfiguration: the keys the
// controller writes on each child may not be set by hand, and transitionMode ADVANCED needs
// bluegreen.gate.strategy WATERMARK, exactly one event-time extractor and a hand-over savepoint (upgradeMode
// savepoint or last-state: the incoming job must restart from the outgoing job's state so that it sees every
// record from W on).
func ValidateBlueGreenGate(spec *flinkv1beta1.FlinkBlueGreenDeploymentSpec) field.ErrorList {
	configPath := field.NewPath("spec", "template", "spec", "flinkConfiguration")
	flat := flatConfig(spec.Template.Spec.FlinkConfiguration)
	var errs field.ErrorList
	for _, key := range []string{KeyGateActiveDeploymentType, KeyGateConfigMapName, KeyGateInjectionEnabled} {
		if _, set := flat[key]; set {
			errs = append(errs, field.Forbidden(configPath.Key(key), "is written by the blue/green controller on each child: remove it"))
		}
	}
	if spec.EffectiveTransitionMode() != flinkv1beta1.TransitionModeAdvanced {
		return errs
	}
	// A value other than WATERMARK is refused by the key registry's enum check of the template's keys.
	if _, set := flat[KeyGateStrategy]; !set {
		errs = append(errs, field.Required(configPath.Key(KeyGateStrategy), "transitionMode ADVANCED needs the gate strategy: set it to WATERMARK"))
	}
	var extractors []string
	for _, key := range gateExtractorKeys {
		if _, set := flat[key]; set {
			extractors = append(extractors, key)
		}
	}
	switch {
	case len(extractors) == 0:
		errs = append(errs, field.Required(configPath.Key(KeyGateFieldPath), fmt.Sprintf(
			"transitionMode ADVANCED needs the records' event time: set exactly one of %s", strings.Join(gateExtractorKeys, ", "))))
	case len(extractors) > 1:
		for _, key := range extractors[1:] {
			errs = append(errs, field.Forbidden(configPath.Key(key), fmt.Sprintf(
				"set exactly one event-time extractor: %s is set already", extractors[0])))
		}
	}
	if index, set := flat[KeyGateFieldIndex]; set {
		if n, err := strconv.Atoi(strings.TrimSpace(index)); err == nil && n < 0 { // a non-integer is the registry's to report
			errs = append(errs, field.Invalid(configPath.Key(KeyGateFieldIndex), index, "must be a column index, an integer >= 0"))
		}
	}
	if job := spec.Template.Spec.Job; job != nil && (job.UpgradeMode == "" || job.UpgradeMode == flinkv1beta1.UpgradeModeStateless) {
		errs = append(errs, field.Invalid(field.NewPath("spec", "template", "spec", "job", "upgradeMode"), string(job.UpgradeMode),
			"transitionMode ADVANCED hands the job's state over: use savepoint or last-state, so the incoming job starts from the outgoing job's savepoint"))
	}
	return errs
}
