package operatorconfig

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
)

// Config is the operator configuration in force for one resource: the operator's own settings, overridden by
// the kubernetes.operator.* keys of the resource's spec.flinkConfiguration.
type Config struct {
	values map[string]string
}

// New wraps flat operator settings (the config.yaml of the operator's ConfigMap).
func New(values map[string]string) *Config {
	copied := make(map[string]string, len(values))
	for key, value := range values {
		copied[key] = value
	}
	return &Config{values: copied}
}

// ForResource layers the operator keys of a resource's Flink configuration over the operator settings.
func (c *Config) ForResource(resourceConfig map[string]string) *Config {
	merged := New(c.values)
	for key, value := range resourceConfig {
		if strings.HasPrefix(key, OperatorPrefix) {
			merged.values[key] = value
		}
	}
	return merged
}

// String returns a setting or its default.
func (c *Config) String(key string) string {
	if value, set := c.values[key]; set {
		return value
	}
	return stringDefaults[key]
}

// Duration returns a duration setting, or its upstream default when unset; a malformed value is an error naming
// the key.
func (c *Config) Duration(key string) (time.Duration, error) {
	value, set := c.values[key]
	if !set {
		return durationDefaults[key], nil
	}
	parsed, err := ParseDuration(value)
	if err != nil {
		return 0, fmt.Errorf("%s: %w", key, err)
	}
	return parsed, nil
}

// DurationOr returns a duration setting, falling back to its default when unset or malformed (the validators
// report malformed values to the user; the controllers keep working).
func (c *Config) DurationOr(key string) time.Duration {
	parsed, err := c.Duration(key)
	if err != nil {
		return durationDefaults[key]
	}
	return parsed
}

// Bool returns a boolean setting or its default.
func (c *Config) Bool(key string) bool {
	if value, set := c.values[key]; set {
		if parsed, err := strconv.ParseBool(strings.TrimSpace(value)); err == nil {
			return parsed
		}
	}
	return boolDefaults[key]
}

// FlinkDefaults returns the Flink options the operator adds to every deployment of the given Flink version:
// kubernetes.operator.default-configuration.<key>, then
// kubernetes.operator.default-configuration.flink-version.<v>.<key> on top.
func (c *Config) FlinkDefaults(version flinkv1beta1.FlinkVersion) map[string]string {
	defaults := map[string]string{}
	versionPrefix := DefaultConfigurationPrefix + "flink-version." + string(version) + "."
	for key, value := range c.values {
		if rest, found := strings.CutPrefix(key, DefaultConfigurationPrefix); found && !strings.HasPrefix(rest, "flink-version.") {
			defaults[rest] = value
		}
	}
	for key, value := range c.values {
		if rest, found := strings.CutPrefix(key, versionPrefix); found {
			defaults[rest] = value
		}
	}
	return defaults
}

// Values returns a copy of every setting.
func (c *Config) Values() map[string]string { return New(c.values).values }
