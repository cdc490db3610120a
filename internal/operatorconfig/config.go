package operatorconfig

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
)

// Config is the operator configuration in force for one resource: the operator's own settings, overridden by
// the per-resource-overridable kubernetes.operator.* keys of the resource's spec.flinkConfiguration.
type Config struct {
	values map[string]string
	// namespace is the resource's namespace; it selects the
	// kubernetes.operator.default-configuration.namespace.<ns>.* Flink defaults.
	namespace string
	// warnings are the keys without effect found when the configuration was loaded.
	warnings []Finding
}

// New wraps flat operator settings (the config.yaml of the operator's ConfigMap).
func New(values map[string]string) *Config {
	copied := make(map[string]string, len(values))
	for key, value := range values {
		copied[key] = value
	}
	return &Config{values: copied}
}

// InNamespace returns the configuration for resources of one namespace: FlinkDefaults then adds that
// namespace's kubernetes.operator.default-configuration.namespace.<ns>.* defaults.
func (c *Config) InNamespace(namespace string) *Config {
	// A Config is never changed once built, so the scoped one shares the values.
	return &Config{values: c.values, namespace: namespace, warnings: c.warnings}
}

// ForResource layers the operator keys of a resource's Flink configuration over the operator settings. Only
// the keys upstream lets a resource override (ResourceOverridable) are taken: a resource cannot change the
// REST address template, the client timeouts or anything else that is the platform's, whatever the webhook
// admitted.
func (c *Config) ForResource(resourceConfig map[string]string) *Config {
	merged := New(c.values)
	merged.namespace = c.namespace
	for key, value := range resourceConfig {
		if IsOperatorKey(key) && ResourceOverridable(key) && CheckValue(key, value) == nil {
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
	if entry, found := Lookup(key); found && entry.Max > 0 && parsed > entry.Max {
		return entry.Max, nil
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

// FlinkDefaults returns the Flink options the operator adds to every deployment of the given Flink version, as
// upstream layers them: the plain Flink keys of the operator configuration and
// kubernetes.operator.default-configuration.<key>; then …default-configuration.namespace.<ns>.<key> for the
// namespace chosen with InNamespace; then …flink-version.<v>+.<key> for every v up to the version, oldest
// first; then …flink-version.<version>.<key>. The operator keys the cluster builders read from a deployment's
// configuration (BuilderKeys) join the first layer when set: their operator-wide value is a default that the
// resource's own flinkConfiguration overrides, as upstream's per-resource keys.
func (c *Config) FlinkDefaults(version flinkv1beta1.FlinkVersion) map[string]string {
	// One pass sorts each key into its layer (0: plain Flink keys, 1: default-configuration.<key>, 2: the
	// namespace, 3+ordinal: flink-version.<v>+, last: the exact version); the layers then apply in order.
	type entry struct {
		layer      int
		key, value string
	}
	exactLayer := 3 + len(flinkv1beta1.FlinkVersions)
	namespacePrefix := namespaceInfix + c.namespace + "."
	entries := make([]entry, 0, len(c.values))
	for key, value := range c.values {
		if !IsOperatorKey(key) || BuilderKeys[key] {
			entries = append(entries, entry{0, key, value})
			continue
		}
		rest, found := strings.CutPrefix(key, DefaultConfigurationPrefix)
		if !found {
			continue
		}
		switch {
		case strings.HasPrefix(rest, namespaceInfix):
			if name, ok := strings.CutPrefix(rest, namespacePrefix); ok && c.namespace != "" && name != "" {
				entries = append(entries, entry{2, name, value})
			}
		case strings.HasPrefix(rest, versionInfix):
			selector, name, ok := strings.Cut(strings.TrimPrefix(rest, versionInfix), ".")
			if !ok || name == "" || version == "" {
				continue
			}
			if older, plus := strings.CutSuffix(selector, "+"); plus {
				if keyVersion := flinkv1beta1.FlinkVersion(older); keyVersion.Ordinal() >= 0 && version.IsEqualOrNewer(keyVersion) {
					entries = append(entries, entry{3 + keyVersion.Ordinal(), name, value})
				}
			} else if flinkv1beta1.FlinkVersion(selector) == version {
				entries = append(entries, entry{exactLayer, name, value})
			}
		default:
			entries = append(entries, entry{1, rest, value})
		}
	}
	sort.Slice(entries, func(i, j int) bool { return entries[i].layer < entries[j].layer })
	defaults := make(map[string]string, len(entries))
	for _, e := range entries {
		defaults[e.key] = e.value
	}
	return defaults
}

// BuilderKeys are the operator keys internal/resources reads from a deployment's effective configuration when
// it builds the cluster's objects (pod template merging, the JobManager's startup probe).
var BuilderKeys = map[string]bool{KeyMergeArraysByName: true, KeyJMStartupProbe: true}

const (
	versionInfix   = "flink-version."
	namespaceInfix = "namespace."
)

// checkDefaultConfigurationKey checks the part of a kubernetes.operator.default-configuration.* key after the
// prefix: a namespace or Flink version selector must name something and be followed by a key.
func checkDefaultConfigurationKey(rest string) error {
	switch {
	case strings.HasPrefix(rest, versionInfix):
		selector, key, found := strings.Cut(strings.TrimPrefix(rest, versionInfix), ".")
		version := flinkv1beta1.FlinkVersion(strings.TrimSuffix(selector, "+"))
		if !found || key == "" {
			return fmt.Errorf("name the Flink option after the version: %sflink-version.%s.<key>", DefaultConfigurationPrefix, selector)
		}
		if version.Ordinal() < 0 {
			return fmt.Errorf("unknown Flink version %q: use one of v1_13 … v2_4, optionally followed by + for that version and newer", selector)
		}
	case strings.HasPrefix(rest, namespaceInfix):
		namespace, key, found := strings.Cut(strings.TrimPrefix(rest, namespaceInfix), ".")
		if !found || namespace == "" || key == "" {
			return fmt.Errorf("use %snamespace.<namespace>.<key>", DefaultConfigurationPrefix)
		}
	case rest == "":
		return fmt.Errorf("name the Flink option after %s", DefaultConfigurationPrefix)
	}
	return nil
}

// Values returns a copy of every setting.
func (c *Config) Values() map[string]string { return New(c.values).values }
