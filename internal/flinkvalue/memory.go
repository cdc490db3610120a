package flinkvalue

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"k8s.io/apimachinery/pkg/api/resource"
)

// memoryUnits are Flink's MemorySize unit labels (binary multiples, case-insensitive).
var memoryUnits = map[string]int64{
	"": 1, "b": 1, "bytes": 1,
	"k": 1 << 10, "kb": 1 << 10, "kibibytes": 1 << 10,
	"m": 1 << 20, "mb": 1 << 20, "mebibytes": 1 << 20,
	"g": 1 << 30, "gb": 1 << 30, "gibibytes": 1 << 30,
	"t": 1 << 40, "tb": 1 << 40, "tebibytes": 1 << 40,
}

// ParseFlinkMemory parses Flink's MemorySize syntax: a non-negative integer with an optional unit
// ("1024m", "2 gb", "100").
func ParseFlinkMemory(text string) (int64, error) {
	trimmed := strings.TrimSpace(text)
	end := 0
	for end < len(trimmed) && trimmed[end] >= '0' && trimmed[end] <= '9' {
		end++
	}
	if end == 0 {
		return 0, fmt.Errorf("memory size %q does not start with a number", text)
	}
	amount, err := strconv.ParseInt(trimmed[:end], 10, 64)
	if err != nil {
		return 0, fmt.Errorf("memory size %q is too large: %w", text, err)
	}
	unit, ok := memoryUnits[strings.ToLower(strings.TrimSpace(trimmed[end:]))]
	if !ok {
		return 0, fmt.Errorf("memory size %q has unknown unit %q (use b, k, m, g or t)", text, trimmed[end:])
	}
	if amount > math.MaxInt64/unit {
		return 0, fmt.Errorf("memory size %q is too large", text)
	}
	return amount * unit, nil
}

// ParseMemory reads a memory amount as upstream's resource.memory does: Flink's MemorySize syntax first
// ("2048m" is 2048 MiB), then a Kubernetes quantity ("2Gi", "1.5G", "2GB"). Negative amounts are errors.
func ParseMemory(text string) (int64, error) {
	if bytes, err := ParseFlinkMemory(text); err == nil {
		return bytes, nil
	}
	normalized := strings.ToUpper(strings.Join(strings.Fields(text), ""))
	normalized = strings.TrimSuffix(normalized, "B")
	if strings.HasSuffix(normalized, "I") {
		normalized = strings.TrimSuffix(normalized, "I") + "i"
	}
	quantity, err := resource.ParseQuantity(normalized)
	if err != nil {
		return 0, fmt.Errorf("%q is neither a Flink memory size (1024m, 2g) nor a Kubernetes quantity (2Gi): %w", text, err)
	}
	if quantity.Sign() < 0 {
		return 0, fmt.Errorf("memory %q is negative", text)
	}
	return quantity.Value(), nil
}
