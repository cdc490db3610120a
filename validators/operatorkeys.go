package validators

import (
	"fmt"

	"k8s.io/apimachinery/pkg/util/validation/field"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
	"github.com/teal-flink/teal/internal/operatorconfig"
)

// validateResourceKeys checks the keys a resource sets itself against the operator key registry: operator-wide
// keys (the REST address template, client timeouts, watched namespaces…) and keys Teal rejects are errors at
// their field path, so a tenant cannot steer the operator at another namespace's jobs; malformed values of
// per-resource keys are errors too. The operator's own defaults are not checked here (they were checked when
// the operator configuration loaded).
func validateResourceKeys(values map[string]string, path *field.Path) field.ErrorList {
	var errs field.ErrorList
	for _, key := range sortedKeys(values) {
		if finding, found := operatorconfig.CheckResourceKey(key, values[key]); found && finding.Error {
			errs = append(errs, field.Invalid(path.Key(key), values[key], finding.Message))
		}
	}
	return errs
}

// resourceKeyWarnings lists the keys a resource sets that Teal accepts without acting on them.
func resourceKeyWarnings(values map[string]string, path string) []string {
	var warnings []string
	for _, key := range sortedKeys(values) {
		if finding, found := operatorconfig.CheckResourceKey(key, values[key]); found && !finding.Error {
			warnings = append(warnings, fmt.Sprintf("%s[%s]: %s", path, key, finding.Message))
		}
	}
	return warnings
}

// flatConfig flattens a resource's flinkConfiguration, nil when it cannot be read (reported elsewhere).
func flatConfig(config *flinkv1beta1.ConfigObject) map[string]string {
	flat, err := config.Flatten()
	if err != nil {
		return nil
	}
	return flat
}

// dedupe drops an error reported twice at the same field path with the same type and message (a key checked both by the
// registry and by a rule of its own).
func dedupe(errs field.ErrorList) field.ErrorList {
	type seenKey struct {
		path    string
		errType field.ErrorType
		detail  string
	}
	seen := map[seenKey]bool{}
	out := errs[:0:0]
	for _, err := range errs {
		key := seenKey{err.Field, err.Type, err.Detail}
		if seen[key] {
			continue
		}
		seen[key] = true
		out = append(out, err)
	}
	return out
}
