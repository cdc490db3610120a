package openapi

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v5"
	"sigs.k8s.io/yaml"
)

// Spec is a loaded Flink REST API spec.
type Spec struct {
	// Name is the spec file name, such as rest_v1_dispatcher-1.20.yml.
	Name       string
	operations []operation
	compiler   *jsonschema.Compiler
	// mu guards compiled.
	mu       sync.Mutex
	compiled map[string]*jsonschema.Schema
}

// operation is one method on one path template.
type operation struct {
	method     string
	template   string
	pattern    *regexp.Regexp
	literal    bool
	pathParams []string
	// params maps parameter name to its schema, for path and query parameters.
	params map[string]map[string]any
	// requestSchema is the JSON request body schema ("" when none, "-" when non-JSON).
	requestSchema string
	hasRequest    bool
	// responses maps status to the JSON response schema ("" when no body).
	responses map[string]string
}

// specFile is the subset of an OpenAPI document the validator reads.
type specFile struct {
	Paths      map[string]map[string]specOperation `json:"paths"`
	Components struct {
		Schemas map[string]any `json:"schemas"`
	} `json:"components"`
}

type specOperation struct {
	Parameters []struct {
		Name   string         `json:"name"`
		In     string         `json:"in"`
		Schema map[string]any `json:"schema"`
	} `json:"parameters"`
	RequestBody *struct {
		Content map[string]struct {
			Schema map[string]any `json:"schema"`
		} `json:"content"`
	} `json:"requestBody"`
	Responses map[string]struct {
		Content map[string]struct {
			Schema map[string]any `json:"schema"`
		} `json:"content"`
	} `json:"responses"`
}

// SpecDir finds ../shared/flink-rest relative to the repository root (the directory holding go.mod above the
// working directory), or $TEAL_FLINK_REST_SPECS when set.
func SpecDir() (string, error) {
	if dir := os.Getenv("TEAL_FLINK_REST_SPECS"); dir != "" {
		return dir, nil
	}
	dir, err := os.Getwd()
	if err != nil {
		return "", fmt.Errorf("working directory: %w", err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			specs := filepath.Join(dir, "..", "shared", "flink-rest")
			if _, err := os.Stat(specs); err != nil {
				return "", fmt.Errorf("flink REST specs not found at %s (expected next to the repository): %w", specs, err)
			}
			return specs, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod above the working directory, cannot locate ../shared/flink-rest")
		}
		dir = parent
	}
}

// Load reads and converts the spec file at path.
func Load(path string) (*Spec, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading OpenAPI spec: %w", err)
	}
	jsonDoc, err := yaml.YAMLToJSON(raw)
	if err != nil {
		return nil, fmt.Errorf("parsing OpenAPI spec %s: %w", path, err)
	}
	var file specFile
	if err := json.Unmarshal(jsonDoc, &file); err != nil {
		return nil, fmt.Errorf("decoding OpenAPI spec %s: %w", path, err)
	}
	definitions := map[string]any{}
	for name, schema := range file.Components.Schemas {
		definitions[name] = convert(schema)
	}
	document, err := json.Marshal(map[string]any{"definitions": definitions})
	if err != nil {
		return nil, fmt.Errorf("encoding JSON Schema: %w", err)
	}
	compiler := jsonschema.NewCompiler()
	compiler.Draft = jsonschema.Draft7
	if err := compiler.AddResource("flink.json", strings.NewReader(string(document))); err != nil {
		return nil, fmt.Errorf("loading JSON Schema from %s: %w", path, err)
	}
	spec := &Spec{Name: filepath.Base(path), compiler: compiler, compiled: map[string]*jsonschema.Schema{}}
	for template, methods := range file.Paths {
		for method, op := range methods {
			spec.operations = append(spec.operations, newOperation(strings.ToUpper(method), template, op))
		}
	}
	// Literal paths (/jobs/overview) win over templates (/jobs/{jobid}), as in Flink's router.
	sort.Slice(spec.operations, func(i, j int) bool {
		return len(spec.operations[i].pathParams) < len(spec.operations[j].pathParams)
	})
	return spec, nil
}

func newOperation(method, template string, op specOperation) operation {
	result := operation{method: method, template: template, params: map[string]map[string]any{},
		responses: map[string]string{}}
	pattern := regexp.QuoteMeta(template)
	for _, match := range regexp.MustCompile(`\\\{([^}]+)\\\}`).FindAllStringSubmatch(pattern, -1) {
		result.pathParams = append(result.pathParams, match[1])
		pattern = strings.Replace(pattern, match[0], `([^/]+)`, 1)
	}
	result.pattern = regexp.MustCompile("^" + pattern + "$")
	for _, param := range op.Parameters {
		result.params[param.In+":"+param.Name] = param.Schema
	}
	if op.RequestBody != nil {
		result.hasRequest = true
		result.requestSchema = "-"
		if content, ok := op.RequestBody.Content["application/json"]; ok {
			result.requestSchema = refName(content.Schema)
		}
	}
	for status, response := range op.Responses {
		result.responses[status] = ""
		if content, ok := response.Content["application/json"]; ok {
			result.responses[status] = refName(content.Schema)
		}
	}
	return result
}

// refName returns the component a schema references; inline schemas are not used by the Flink spec here.
func refName(schema map[string]any) string {
	ref, _ := schema["$ref"].(string)
	return strings.TrimPrefix(ref, "#/components/schemas/")
}

// convert rewrites an OpenAPI 3.0 schema object into JSON Schema draft 7:
//   - $ref '#/components/schemas/X' becomes '#/definitions/X';
//   - nullable: true adds "null" to the type (or wraps the schema in anyOf with null);
//   - oneOf becomes anyOf: the Flink spec lists untagged alternatives (AsynchronousOperationResult.operation is
//     one of three objects whose fields are all optional), so a valid value matches several and oneOf would
//     always fail;
//   - OpenAPI-only keywords (discriminator, example, xml, externalDocs, readOnly, writeOnly, deprecated) go.
func convert(node any) any {
	switch value := node.(type) {
	case map[string]any:
		out := make(map[string]any, len(value))
		for key, child := range value {
			switch key {
			case "discriminator", "example", "xml", "externalDocs", "readOnly", "writeOnly", "deprecated", "nullable":
				continue
			case "$ref":
				if ref, ok := child.(string); ok {
					out[key] = strings.Replace(ref, "#/components/schemas/", "flink.json#/definitions/", 1)
					continue
				}
			case "oneOf":
				out["anyOf"] = convert(child)
				continue
			case "properties":
				// Property names are data, not keywords: convert each property schema only.
				properties := map[string]any{}
				for name, schema := range child.(map[string]any) {
					properties[name] = convert(schema)
				}
				out[key] = properties
				continue
			}
			out[key] = convert(child)
		}
		if nullable, _ := value["nullable"].(bool); nullable {
			if typ, ok := out["type"].(string); ok {
				out["type"] = []any{typ, "null"}
			} else {
				return map[string]any{"anyOf": []any{out, map[string]any{"type": "null"}}}
			}
		}
		return out
	case []any:
		out := make([]any, len(value))
		for i, child := range value {
			out[i] = convert(child)
		}
		return out
	}
	return node
}

// schema compiles (once) and returns the named component schema.
func (s *Spec) schema(name string) (*jsonschema.Schema, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if compiled, ok := s.compiled[name]; ok {
		return compiled, nil
	}
	compiled, err := s.compiler.Compile("flink.json#/definitions/" + name)
	if err != nil {
		return nil, fmt.Errorf("compiling schema %s: %w", name, err)
	}
	s.compiled[name] = compiled
	return compiled, nil
}

// validateValue checks a decoded JSON value against a component schema.
func (s *Spec) validateValue(name string, value any) error {
	compiled, err := s.schema(name)
	if err != nil {
		return err
	}
	return compiled.Validate(value)
}

// validateInline checks a value against an inline parameter schema.
func (s *Spec) validateInline(schema map[string]any, value any) error {
	if ref := refName(schema); ref != "" {
		return s.validateValue(ref, value)
	}
	raw, err := json.Marshal(convert(schema))
	if err != nil {
		return err
	}
	compiler := jsonschema.NewCompiler()
	if err := compiler.AddResource("flink.json", strings.NewReader(`{"definitions":{}}`)); err != nil {
		return err
	}
	if err := compiler.AddResource("inline.json", strings.NewReader(string(raw))); err != nil {
		return err
	}
	compiled, err := compiler.Compile("inline.json")
	if err != nil {
		return err
	}
	return compiled.Validate(value)
}
