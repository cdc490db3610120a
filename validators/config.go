package validators

import (
	"strconv"
	"strings"
	"time"

	"k8s.io/apimachinery/pkg/util/validation/field"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
)

// Flink and operator configuration keys. Where Flink renamed an option the new key comes first and the older
// spellings it still reads follow.
var (
	keysCheckpointDir = []string{"execution.checkpointing.dir", "state.checkpoints.dir"}
	keysSavepointDir  = []string{"execution.checkpointing.savepoint-dir", "state.savepoints.dir"}
	keysHAMode        = []string{"high-availability.type", "high-availability", "recovery.mode"}
	keysJMRecovery    = []string{"kubernetes.operator.jm-deployment-recovery.enabled",
		"kubernetes.operator.reconciler.jm-deployment-recovery.enabled"}
	keysReconcileInterval = []string{"kubernetes.operator.reconcile.interval"}
)

const (
	keyRollbackEnabled       = "kubernetes.operator.deployment.rollback.enabled"
	keyRestPort              = "rest.port"
	keyHealthCheckEnabled    = "kubernetes.operator.cluster.health-check.enabled"
	keyPeriodicSavepoint     = "kubernetes.operator.periodic.savepoint.interval"
	keyLastStateMaxAge       = "kubernetes.operator.job.upgrade.last-state.max.allowed.checkpoint.age"
	defaultReconcileInterval = 60 * time.Second
)

// forbiddenConfigKeys are set by the operator itself; a user value would break cluster identity.
var forbiddenConfigKeys = []string{"kubernetes.namespace", "kubernetes.cluster-id", "high-availability.cluster-id"}

// flinkConfig is a flat Flink configuration with the field path its keys are reported under.
type flinkConfig struct {
	values map[string]string
	path   *field.Path
}

// effectiveConfig merges the layers (operator defaults first, then each resource's own configuration) into
// one flat map, reporting a configuration that cannot be read.
func effectiveConfig(defaults map[string]string, layers []*flinkv1beta1.ConfigObject, paths []*field.Path, reportAt *field.Path) (flinkConfig, field.ErrorList) {
	var errs field.ErrorList
	merged := make(map[string]string, len(defaults))
	for k, v := range defaults {
		merged[k] = v
	}
	for i, layer := range layers {
		flat, err := layer.Flatten()
		if err != nil {
			errs = append(errs, field.Invalid(paths[i], field.OmitValueType{},
				"flinkConfiguration must be an object of Flink keys and values: "+err.Error()))
			continue
		}
		for k, v := range flat {
			merged[k] = v
		}
	}
	return flinkConfig{values: merged, path: reportAt}, errs
}

// lookup returns the first of keys that is set, with the key that matched.
func (c flinkConfig) lookup(keys ...string) (value, key string, ok bool) {
	for _, k := range keys {
		if v, found := c.values[k]; found {
			return v, k, true
		}
	}
	return "", keys[0], false
}

func (c flinkConfig) keyPath(key string) *field.Path { return c.path.Key(key) }

// isBlank reports whether none of keys holds a non-blank value.
func (c flinkConfig) isBlank(keys ...string) bool {
	value, _, ok := c.lookup(keys...)
	return !ok || strings.TrimSpace(value) == ""
}

// boolean reads a boolean option with its default, reporting a value Flink would not parse.
func (c flinkConfig) boolean(def bool, keys ...string) (bool, *field.Error) {
	value, key, ok := c.lookup(keys...)
	if !ok {
		return def, nil
	}
	switch strings.ToLower(strings.TrimSpace(value)) {
	case "true":
		return true, nil
	case "false":
		return false, nil
	}
	return def, field.Invalid(c.keyPath(key), value, "must be true or false")
}

// float reads a numeric option; ok is false when it is absent.
func (c flinkConfig) float(keys ...string) (number float64, key string, ok bool, err *field.Error) {
	value, key, ok := c.lookup(keys...)
	if !ok {
		return 0, key, false, nil
	}
	number, parseErr := strconv.ParseFloat(strings.TrimSpace(value), 64)
	if parseErr != nil {
		return 0, key, true, field.Invalid(c.keyPath(key), value, "must be a number")
	}
	return number, key, true, nil
}

// duration reads a duration option with its default, reporting a value that is not a Flink duration.
func (c flinkConfig) duration(def time.Duration, keys ...string) (time.Duration, *field.Error) {
	value, key, ok := c.lookup(keys...)
	if !ok {
		return def, nil
	}
	parsed, err := ParseFlinkDuration(value)
	if err != nil {
		return def, field.Invalid(c.keyPath(key), value, "must be a Flink duration such as 30 s, 10 min or PT10M: "+err.Error())
	}
	return parsed, nil
}

// haEnabled mirrors Flink's HighAvailabilityMode.isHighAvailabilityModeActivated: any mode but NONE.
func (c flinkConfig) haEnabled() bool {
	value, _, ok := c.lookup(keysHAMode...)
	value = strings.TrimSpace(value)
	return ok && value != "" && !strings.EqualFold(value, "none")
}
