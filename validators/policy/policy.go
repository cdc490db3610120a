package policy

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v5"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"sigs.k8s.io/yaml"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
)

// Document is the on-disk form of a policy, in YAML or JSON:
//
//	kind: FlinkDeployment          # the kind it applies to (one of flinkv1beta1.Kinds)
//	name: allowed-registry         # optional; defaults to the file name or ConfigMap key
//	message: use registry.example.com/flink   # optional hint appended to every failure
//	schema:                        # a JSON Schema evaluated against the whole object
//	  properties: {spec: {properties: {image: {pattern: "^registry\\.example\\.com/"}}}}
type Document struct {
	// Kind is the resource kind the policy applies to.
	Kind string `json:"kind"`
	// Name identifies the policy in rejection messages.
	Name string `json:"name,omitempty"`
	// Message tells the user how to comply; it is appended to each failure.
	Message string `json:"message,omitempty"`
	// Schema is the JSON Schema the object must satisfy.
	Schema json.RawMessage `json:"schema"`
}

// Policy is a compiled Document.
type Policy struct {
	// Kind is the resource kind the policy applies to.
	Kind string
	// Name identifies the policy in rejection messages.
	Name string
	// Message is appended to each failure.
	Message string
	schema  *jsonschema.Schema
}

// Parse reads and compiles one policy document; name is used when the document has none. A schema may not
// load other documents ($ref to files or URLs): a policy is self-contained.
func Parse(name string, raw []byte) (*Policy, error) {
	jsonRaw, err := yaml.YAMLToJSON(raw)
	if err != nil {
		return nil, fmt.Errorf("policy %s is not YAML or JSON: %w", name, err)
	}
	var doc Document
	decoder := json.NewDecoder(bytes.NewReader(jsonRaw))
	decoder.DisallowUnknownFields()
	if err := decoder.Decode(&doc); err != nil {
		return nil, fmt.Errorf("policy %s must have kind, schema and optionally name and message: %w", name, err)
	}
	if !slices.Contains(flinkv1beta1.Kinds, doc.Kind) {
		return nil, fmt.Errorf("policy %s: kind %q must be one of %s", name, doc.Kind, strings.Join(flinkv1beta1.Kinds, ", "))
	}
	if len(doc.Schema) == 0 || string(doc.Schema) == "null" {
		return nil, fmt.Errorf("policy %s has no schema", name)
	}
	if doc.Name != "" {
		name = doc.Name
	}
	compiler := jsonschema.NewCompiler()
	compiler.LoadURL = func(url string) (io.ReadCloser, error) {
		return nil, fmt.Errorf("policy schemas are self-contained: cannot load %s", url)
	}
	url := "policy://" + name + ".json"
	if err := compiler.AddResource(url, bytes.NewReader(doc.Schema)); err != nil {
		return nil, fmt.Errorf("policy %s: reading the schema: %w", name, err)
	}
	schema, err := compiler.Compile(url)
	if err != nil {
		return nil, fmt.Errorf("policy %s: compiling the schema: %w", name, err)
	}
	return &Policy{Kind: doc.Kind, Name: name, Message: doc.Message, schema: schema}, nil
}

// Evaluate checks obj (any value that marshals to the resource's JSON) and returns one error per failing
// location.
func (p *Policy) Evaluate(obj any) field.ErrorList {
	raw, err := json.Marshal(obj)
	if err != nil {
		return field.ErrorList{field.InternalError(field.NewPath("metadata"), fmt.Errorf("policy %s: encoding the object: %w", p.Name, err))}
	}
	var doc any
	decoder := json.NewDecoder(bytes.NewReader(raw))
	decoder.UseNumber()
	if err := decoder.Decode(&doc); err != nil {
		return field.ErrorList{field.InternalError(field.NewPath("metadata"), fmt.Errorf("policy %s: decoding the object: %w", p.Name, err))}
	}
	err = p.schema.Validate(doc)
	if err == nil {
		return nil
	}
	var validationErr *jsonschema.ValidationError
	if !errors.As(err, &validationErr) {
		return field.ErrorList{field.InternalError(field.NewPath("metadata"), fmt.Errorf("policy %s: %w", p.Name, err))}
	}
	var errs field.ErrorList
	seen := map[string]bool{}
	for _, leaf := range leaves(validationErr) {
		path := pointerToPath(leaf.InstanceLocation)
		detail := fmt.Sprintf("violates policy %s: %s", p.Name, leaf.Message)
		if p.Message != "" {
			detail += ": " + p.Message
		}
		if seen[path.String()+detail] {
			continue
		}
		seen[path.String()+detail] = true
		errs = append(errs, field.Invalid(path, valueAt(doc, leaf.InstanceLocation), detail))
	}
	return errs
}

// leaves returns the innermost causes: they carry the precise location and message.
func leaves(err *jsonschema.ValidationError) []*jsonschema.ValidationError {
	if len(err.Causes) == 0 {
		return []*jsonschema.ValidationError{err}
	}
	var out []*jsonschema.ValidationError
	for _, cause := range err.Causes {
		out = append(out, leaves(cause)...)
	}
	return out
}

// pointerToPath turns a JSON pointer (/spec/flinkConfiguration/state.checkpoints.dir) into a field path
// (spec.flinkConfiguration[state.checkpoints.dir]): numbers become indexes, names that are not plain
// identifiers become keys.
func pointerToPath(pointer string) *field.Path {
	var path *field.Path
	for _, token := range strings.Split(strings.TrimPrefix(pointer, "/"), "/") {
		if token == "" {
			continue
		}
		token = strings.ReplaceAll(strings.ReplaceAll(token, "~1", "/"), "~0", "~")
		switch {
		case path == nil:
			path = field.NewPath(token)
		case isIndex(token):
			index, _ := strconv.Atoi(token)
			path = path.Index(index)
		case isIdentifier(token):
			path = path.Child(token)
		default:
			path = path.Key(token)
		}
	}
	if path == nil {
		return field.NewPath("<root>")
	}
	return path
}

func isIndex(token string) bool {
	_, err := strconv.Atoi(token)
	return err == nil && !strings.HasPrefix(token, "-") && !strings.HasPrefix(token, "+")
}

func isIdentifier(token string) bool {
	for _, r := range token {
		if !(r == '_' || r == '-' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
			return false
		}
	}
	return true
}

// valueAt returns the scalar at pointer in doc for the error message, or an omitted value for objects and
// lists (they would flood the message).
func valueAt(doc any, pointer string) any {
	current := doc
	for _, token := range strings.Split(strings.TrimPrefix(pointer, "/"), "/") {
		if token == "" {
			continue
		}
		token = strings.ReplaceAll(strings.ReplaceAll(token, "~1", "/"), "~0", "~")
		switch node := current.(type) {
		case map[string]any:
			current = node[token]
		case []any:
			index, err := strconv.Atoi(token)
			if err != nil || index < 0 || index >= len(node) {
				return field.OmitValueType{}
			}
			current = node[index]
		default:
			return field.OmitValueType{}
		}
	}
	switch value := current.(type) {
	case string, bool:
		return value
	case json.Number:
		return value.String()
	}
	return field.OmitValueType{}
}
