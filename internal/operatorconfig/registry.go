package operatorconfig

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"k8s.io/apimachinery/pkg/labels"
)

// State says what Teal does with a key a user sets.
type State string

// Key states. A key that is set always lands in one of them: nothing is silently ignored.
const (
	// Honoured keys change what Teal does.
	Honoured State = "honoured"
	// Warned keys are accepted for compatibility with the Apache operator but have no effect in Teal; admission
	// answers with a warning and loading the operator configuration emits a Warning event naming them.
	Warned State = "warned"
	// Rejected keys cannot be honoured and would mislead if accepted: admission refuses them and an operator
	// configuration carrying them does not load.
	Rejected State = "rejected"
)

// Scope says where a key may be set.
type Scope string

// Key scopes.
const (
	// ScopeOperator keys are the platform's: they may only be set in the operator configuration. A resource
	// that sets one is rejected at admission and the controllers ignore the value (a tenant must not steer
	// the operator's REST addresses, timeouts or watched namespaces).
	ScopeOperator Scope = "operator"
	// ScopeResource keys may also be set in a resource's spec.flinkConfiguration (upstream's "dynamic"
	// section), where they override the operator's value for that resource only.
	ScopeResource Scope = "resource"
)

// Type is the syntax of a key's value, checked at admission and when the operator configuration loads.
type Type string

// Value types (Flink's syntax).
const (
	TypeString   Type = "String"
	TypeBoolean  Type = "Boolean"
	TypeInteger  Type = "Integer"
	TypeDouble   Type = "Double"
	TypeDuration Type = "Duration"
	TypeList     Type = "List<String>"
	TypeMap      Type = "Map"
	TypeEnum     Type = "Enum"
)

// Key describes one configuration key (or a family of keys sharing a prefix).
type Key struct {
	// Name is the key, or the prefix of a family when Prefix is set (then it ends with ".").
	Name string
	// Prefix marks a family of keys (job.autoscaler.*, kubernetes.operator.plugins.listeners.*).
	Prefix bool
	// Type is the value syntax.
	Type Type
	// Default is upstream's (or Teal's) default as documented.
	Default string
	// Enum lists the accepted values of a TypeEnum key.
	Enum []string
	// Max bounds a duration (0: unbounded), so that no setting can park a reconcile for hours.
	Max time.Duration
	// State says whether Teal honours the key.
	State State
	// HonouredValue, for a Warned key, is the value Teal's fixed behaviour matches: setting it changes nothing
	// and draws no warning (checkpoint.type FULL).
	HonouredValue string
	// Scope says whether a resource may override it.
	Scope Scope
	// Note explains what Teal does with the key (the docs table's last column, and the warning text).
	Note string
}

// Lookup finds the registry entry of key: an exact key first, then the longest family prefix.
func Lookup(key string) (Key, bool) {
	if entry, found := registryByName[key]; found {
		return entry, true
	}
	best, found := Key{}, false
	for _, entry := range registry {
		if entry.Prefix && strings.HasPrefix(key, entry.Name) && len(entry.Name) > len(best.Name) {
			best, found = entry, true
		}
	}
	return best, found
}

// Keys returns every registry entry sorted by name.
func Keys() []Key {
	out := append([]Key(nil), registry...)
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// ResourceOverridable reports whether a resource's spec.flinkConfiguration may set key for itself.
func ResourceOverridable(key string) bool {
	entry, found := Lookup(key)
	return found && entry.Scope == ScopeResource && entry.State != Rejected
}

// IsOperatorKey reports whether key is read by the operator rather than passed to Flink.
func IsOperatorKey(key string) bool {
	return strings.HasPrefix(key, OperatorPrefix) || strings.HasPrefix(key, TealPrefix)
}

// CheckValue checks value against the key's type, enum and bounds; nil for unknown keys.
func CheckValue(key, value string) error {
	entry, found := Lookup(key)
	if !found {
		return nil
	}
	return entry.check(value)
}

func (k Key) check(value string) error {
	trimmed := strings.TrimSpace(value)
	if k.Name == KeyLabelSelector {
		if _, err := labels.Parse(trimmed); err != nil {
			return fmt.Errorf("must be a Kubernetes label selector such as owner=teal: %w", err)
		}
	}
	switch k.Type {
	case TypeBoolean:
		if _, err := strconv.ParseBool(trimmed); err != nil {
			return fmt.Errorf("must be true or false")
		}
	case TypeInteger:
		if _, err := strconv.Atoi(trimmed); err != nil {
			return fmt.Errorf("must be an integer")
		}
	case TypeDouble:
		if _, err := strconv.ParseFloat(trimmed, 64); err != nil {
			return fmt.Errorf("must be a number")
		}
	case TypeDuration:
		if trimmed == "" && k.Default == "" {
			return nil
		}
		parsed, err := ParseDuration(trimmed)
		if err != nil {
			return fmt.Errorf("must be a Flink duration such as 30 s, 10 min or PT10M: %w", err)
		}
		if parsed < 0 && k.Name != KeyResourceViewRefresh {
			return fmt.Errorf("must not be negative")
		}
		if k.Max > 0 && parsed > k.Max {
			return fmt.Errorf("must be at most %s", k.Max)
		}
	case TypeEnum:
		for _, allowed := range k.Enum {
			if strings.EqualFold(trimmed, allowed) {
				return nil
			}
		}
		return fmt.Errorf("must be one of %s", strings.Join(k.Enum, ", "))
	case TypeMap:
		if _, err := ParseMap(value); err != nil {
			return err
		}
	}
	return nil
}

// ParseMap reads Flink's map syntax: "key1:value1,key2:value2".
func ParseMap(value string) (map[string]string, error) {
	out := map[string]string{}
	for _, pair := range strings.Split(value, ",") {
		if strings.TrimSpace(pair) == "" {
			continue
		}
		name, entry, found := strings.Cut(pair, ":")
		if !found || strings.TrimSpace(name) == "" {
			return nil, fmt.Errorf("must be a map such as key1:value1,key2:value2 (entry %q has no key:value)", pair)
		}
		out[strings.TrimSpace(name)] = strings.TrimSpace(entry)
	}
	return out, nil
}

// Finding is one thing a configuration check found: an error (the value or key cannot be accepted) or a
// warning (accepted, but without effect).
type Finding struct {
	// Key is the configuration key.
	Key string
	// Value is the value set.
	Value string
	// Error, when true, makes the configuration invalid; otherwise the finding is a warning.
	Error bool
	// Message says the rule and how to fix it.
	Message string
}

// CheckResourceKey judges one key of a resource's spec.flinkConfiguration: operator keys a resource may not
// override are errors, as are rejected keys and malformed values; warned keys are warnings. Plain Flink keys
// pass (Flink reads them).
func CheckResourceKey(key, value string) (Finding, bool) {
	entry, found := Lookup(key)
	switch {
	case !found && IsOperatorKey(key):
		return Finding{Key: key, Value: value, Message: "is not an operator option Teal knows: it has no effect (check the spelling against docs/configuration.md)"}, true
	case !found:
		return Finding{}, false
	case entry.State == Rejected:
		return Finding{Key: key, Value: value, Error: true, Message: "is not supported by Teal: " + entry.Note + "; remove it"}, true
	case entry.Scope == ScopeOperator:
		return Finding{Key: key, Value: value, Error: true, Message: "is an operator-wide option: it may only be set in the operator configuration, not per resource; remove it"}, true
	}
	if err := entry.check(value); err != nil {
		return Finding{Key: key, Value: value, Error: true, Message: err.Error()}, true
	}
	if entry.State == Warned && !entry.honouredValue(value) {
		return Finding{Key: key, Value: value, Message: "is accepted for compatibility but has no effect in Teal: " + entry.Note}, true
	}
	return Finding{}, false
}

// CheckOperatorKey judges one key of the operator configuration: malformed values and rejected keys are
// errors, warned and unknown operator keys warnings.
func CheckOperatorKey(key, value string) (Finding, bool) {
	entry, found := Lookup(key)
	switch {
	case !found && IsOperatorKey(key):
		return Finding{Key: key, Value: value, Message: "is not an operator option Teal knows: it has no effect (check the spelling against docs/configuration.md)"}, true
	case !found:
		return Finding{}, false // a Flink default for every deployment
	case entry.State == Rejected:
		return Finding{Key: key, Value: value, Error: true, Message: "is not supported by Teal: " + entry.Note}, true
	}
	if err := entry.check(value); err != nil {
		return Finding{Key: key, Value: value, Error: true, Message: err.Error()}, true
	}
	if entry.State == Warned && !entry.honouredValue(value) {
		return Finding{Key: key, Value: value, Message: "has no effect in Teal: " + entry.Note}, true
	}
	return Finding{}, false
}

func (k Key) honouredValue(value string) bool {
	return k.HonouredValue != "" && strings.EqualFold(strings.TrimSpace(value), k.HonouredValue)
}

// Validate checks an operator configuration as it loads: Findings with Error set make it invalid (the
// previous configuration stays in force), the others are warnings to report as events.
func Validate(values map[string]string) []Finding {
	var findings []Finding
	for _, key := range sortedKeys(values) {
		value := values[key]
		if rest, found := strings.CutPrefix(key, DefaultConfigurationPrefix); found {
			if err := checkDefaultConfigurationKey(rest); err != nil {
				findings = append(findings, Finding{Key: key, Value: value, Error: true, Message: err.Error()})
			}
			continue
		}
		if finding, found := CheckOperatorKey(key, value); found {
			findings = append(findings, finding)
		}
	}
	return findings
}

// Errors returns the error findings.
func Errors(findings []Finding) []Finding {
	var out []Finding
	for _, finding := range findings {
		if finding.Error {
			out = append(out, finding)
		}
	}
	return out
}

func (f Finding) String() string { return fmt.Sprintf("%s=%q %s", f.Key, f.Value, f.Message) }

func sortedKeys(values map[string]string) []string {
	keys := make([]string, 0, len(values))
	for key := range values {
		keys = append(keys, key)
	}
	sort.Strings(keys)
	return keys
}
