package operatorconfig

import (
	"fmt"
	"strings"
)

// MarkdownTable renders the registry as the key table of docs/configuration.md.
func MarkdownTable() string {
	var b strings.Builder
	b.WriteString("| Key | Type | Default | Teal | Where | Notes |\n|---|---|---|---|---|---|\n")
	for _, key := range Keys() {
		name := "`" + key.Name + "`"
		if key.Prefix {
			name = "`" + key.Name + "*`"
		}
		where := "operator config"
		if key.Scope == ScopeResource {
			where = "operator config or per resource"
		}
		typ := string(key.Type)
		if key.Type == TypeEnum {
			typ = strings.Join(key.Enum, " / ")
		}
		def := key.Default
		if def == "" {
			def = "(none)"
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s |\n", name, typ, escapeCell(def), key.State, where, escapeCell(key.Note))
	}
	return b.String()
}

func escapeCell(text string) string {
	return strings.NewReplacer("|", "\\|", "{{", "`{{", "}}", "}}`", "<", "&lt;", ">", "&gt;").Replace(text)
}

// SchemaProperties renders the registry as JSON Schema properties of the chart's operatorConfiguration value:
// each known key's value syntax, and rejected keys refused outright, so `helm install` fails early on what the
// operator would refuse to load. Prefix families are not listed (JSON Schema cannot name them without
// patternProperties, which the chart avoids for readability).
func SchemaProperties() map[string]any {
	properties := map[string]any{}
	for _, key := range Keys() {
		if key.Prefix {
			continue
		}
		var schema map[string]any
		switch {
		case key.State == Rejected:
			schema = map[string]any{"not": map[string]any{}, "description": "not supported by Teal"}
		case key.Type == TypeBoolean:
			schema = map[string]any{"anyOf": []any{map[string]any{"type": "boolean"}, map[string]any{"enum": []any{"true", "false"}}}}
		case key.Type == TypeInteger:
			schema = map[string]any{"anyOf": []any{map[string]any{"type": "integer"}, map[string]any{"type": "string", "pattern": `^\s*-?[0-9]+\s*$`}}}
		case key.Type == TypeDouble:
			schema = map[string]any{"anyOf": []any{map[string]any{"type": "number"}, map[string]any{"type": "string", "pattern": `^\s*-?[0-9]+(\.[0-9]+)?\s*$`}}}
		case key.Type == TypeDuration:
			schema = map[string]any{"anyOf": []any{map[string]any{"type": "integer"}, map[string]any{"type": "string", "pattern": durationPattern}}}
		case key.Type == TypeEnum:
			values := []any{}
			for _, value := range key.Enum {
				values = append(values, value)
			}
			schema = map[string]any{"enum": values}
		default:
			schema = map[string]any{"type": "string"}
		}
		properties[key.Name] = schema
	}
	return properties
}

// durationPattern accepts Flink's duration syntax: a number with an optional unit, or ISO-8601 (PT10M).
const durationPattern = `^\s*(-?[0-9]+(\.[0-9]+)?\s*[a-zA-Zµ]*|P[0-9A-Za-z.]+)\s*$`
