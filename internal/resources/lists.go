package resources

import (
	"fmt"
	"strings"
)

// listKeys are the configuration keys whose values are lists. The flat configuration holds them in Flink's
// legacy string form (items separated by ";", an item holding ";" or a quote wrapped in single quotes with
// inner single quotes doubled); config.yaml gets them as YAML lists, flink-conf.yaml in the legacy form.
var listKeys = map[string]bool{
	KeyApplicationArgs: true, KeyPipelineJars: true, KeyPipelineClasspaths: true,
}

// IsListKey reports whether key holds a list in Flink's configuration.
func IsListKey(key string) bool { return listKeys[key] }

// JoinList encodes items in Flink's legacy list form, which SplitList reads back unchanged.
func JoinList(items []string) string {
	encoded := make([]string, len(items))
	for i, item := range items {
		if item == "" || strings.ContainsAny(item, ";'\"") {
			item = "'" + strings.ReplaceAll(item, "'", "''") + "'"
		}
		encoded[i] = item
	}
	return strings.Join(encoded, ";")
}

// SplitList decodes Flink's legacy list form: items separated by ";", single- or double-quoted items may hold
// ";" and their own quote doubled.
func SplitList(value string) ([]string, error) { return splitEscaped(value, ';') }

// splitEscaped splits value on sep as Flink's structured option splitter does: quoted parts may hold sep.
func splitEscaped(value string, sep byte) ([]string, error) {
	if value == "" {
		return nil, nil
	}
	var items []string
	var current strings.Builder
	quoted := false
	for i := 0; i < len(value); i++ {
		c := value[i]
		switch {
		case c == sep:
			items = append(items, current.String())
			current.Reset()
			quoted = false
		case (c == '\'' || c == '"') && current.Len() == 0 && !quoted:
			end, item, err := readQuoted(value, i)
			if err != nil {
				return nil, err
			}
			current.WriteString(item)
			quoted = true
			i = end
			if i+1 < len(value) && value[i+1] != sep {
				return nil, fmt.Errorf("list %q: text after the quoted item at %d", value, i+1)
			}
		default:
			current.WriteByte(c)
		}
	}
	return append(items, current.String()), nil
}

// readQuoted reads the quoted item starting at value[start]; it returns the index of the closing quote.
func readQuoted(value string, start int) (int, string, error) {
	quote := value[start]
	var item strings.Builder
	for i := start + 1; i < len(value); i++ {
		if value[i] != quote {
			item.WriteByte(value[i])
			continue
		}
		if i+1 < len(value) && value[i+1] == quote {
			item.WriteByte(quote)
			i++
			continue
		}
		return i, item.String(), nil
	}
	return 0, "", fmt.Errorf("list %q: unterminated quote at %d", value, start)
}
