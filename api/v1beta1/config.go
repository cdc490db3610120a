package v1beta1

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// ConfigObject is Flink configuration as written in a manifest: a YAML/JSON object whose keys may be flat
// ("state.checkpoints.dir": "s3://…") or nested (state: {checkpoints: {dir: …}}), with values of any JSON type.
// It keeps the document exactly as written, so that a round trip through the API server loses nothing and
// Argo CD sees no drift; Flatten gives the key → value view Flink itself uses.
// +kubebuilder:validation:Type=object
// +kubebuilder:pruning:PreserveUnknownFields
type ConfigObject struct {
	// Raw is the JSON object as received.
	Raw []byte `json:"-"`
}

// NewConfigObject builds a ConfigObject from flat key/value pairs.
func NewConfigObject(flat map[string]string) *ConfigObject {
	raw, _ := json.Marshal(flat) // a map[string]string always marshals
	return &ConfigObject{Raw: raw}
}

// MarshalJSON returns the object as received, or {} when empty.
func (c ConfigObject) MarshalJSON() ([]byte, error) {
	if len(c.Raw) == 0 {
		return []byte("{}"), nil
	}
	return c.Raw, nil
}

// UnmarshalJSON keeps a copy of the object; anything but a JSON object (or null) is an error.
func (c *ConfigObject) UnmarshalJSON(data []byte) error {
	trimmed := bytes.TrimSpace(data)
	if bytes.Equal(trimmed, []byte("null")) {
		c.Raw = nil
		return nil
	}
	if len(trimmed) == 0 || trimmed[0] != '{' {
		return fmt.Errorf("flink configuration must be an object of keys and values, got %.40s", trimmed)
	}
	c.Raw = append(c.Raw[:0], trimmed...)
	return nil
}

// Flatten returns the configuration as Flink's flat key → value map: nested keys joined with ".", scalars
// rendered as Flink reads them, lists of scalars joined with ";" (Flink's legacy list syntax) and any other value
// as compact JSON. Where a flat key and a nested path name the same option, the one that sorts later in the
// document's key order wins, deterministically.
func (c *ConfigObject) Flatten() (map[string]string, error) {
	out := map[string]string{}
	if c == nil || len(c.Raw) == 0 {
		return out, nil
	}
	var doc map[string]any
	dec := json.NewDecoder(bytes.NewReader(c.Raw))
	dec.UseNumber()
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("parsing flink configuration: %w", err)
	}
	flattenInto(out, "", doc)
	return out, nil
}

func flattenInto(out map[string]string, prefix string, node map[string]any) {
	keys := make([]string, 0, len(node))
	for k := range node {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		key := k
		if prefix != "" {
			key = prefix + "." + k
		}
		if nested, ok := node[k].(map[string]any); ok {
			flattenInto(out, key, nested)
			continue
		}
		out[key] = configValueString(node[k])
	}
}

func configValueString(v any) string {
	switch value := v.(type) {
	case nil:
		return ""
	case string:
		return value
	case json.Number:
		return value.String()
	case bool:
		return strconv.FormatBool(value)
	case []any:
		parts := make([]string, 0, len(value))
		for _, item := range value {
			switch item.(type) {
			case map[string]any, []any:
				raw, _ := json.Marshal(value)
				return string(raw)
			}
			parts = append(parts, configValueString(item))
		}
		return strings.Join(parts, ";")
	default:
		raw, _ := json.Marshal(value)
		return string(raw)
	}
}

// Get returns the flattened value of key and whether it is set. A malformed document has no keys.
func (c *ConfigObject) Get(key string) (string, bool) {
	flat, err := c.Flatten()
	if err != nil {
		return "", false
	}
	value, ok := flat[key]
	return value, ok
}
