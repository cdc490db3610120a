package operatorconfig

import (
	"strconv"
	"strings"
)

// intDefaults are upstream's defaults for the integer keys Teal reads; the files declaring the keys add to it.
var intDefaults = map[string]int{}

// Int returns an integer setting, or its default when unset or malformed.
func (c *Config) Int(key string) int {
	if value, set := c.values[key]; set {
		if parsed, err := strconv.Atoi(strings.TrimSpace(value)); err == nil {
			return parsed
		}
	}
	return intDefaults[key]
}

// IsSet reports whether a setting has an explicit value.
func (c *Config) IsSet(key string) bool {
	_, set := c.values[key]
	return set
}
