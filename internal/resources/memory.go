package resources

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"k8s.io/apimachinery/pkg/api/resource"
)

// flinkMemory matches Flink's MemorySize syntax: a whole number and an optional unit (b, k, kb, m, mb, g, gb, t,
// tb and their long forms). Upstream reads "2048m" in resource.memory this way: 2048 mebibytes, not milli-bytes.
var flinkMemory = regexp.MustCompile(`^(?i)\s*(\d+)\s*(b|bytes|k|kb|kibibytes|m|mb|mebibytes|g|gb|gibibytes|t|tb|tebibytes)?\s*$`)

var flinkUnits = map[string]int64{
	"": 1, "b": 1, "bytes": 1,
	"k": 1 << 10, "kb": 1 << 10, "kibibytes": 1 << 10,
	"m": 1 << 20, "mb": 1 << 20, "mebibytes": 1 << 20,
	"g": 1 << 30, "gb": 1 << 30, "gibibytes": 1 << 30,
	"t": 1 << 40, "tb": 1 << 40, "tebibytes": 1 << 40,
}

// MemoryBytes parses a memory size as upstream does: Flink's syntax first (2048m, 1g), else a Kubernetes
// quantity (2Gi, 1G, 1.5Gi).
func MemoryBytes(value string) (int64, error) {
	if match := flinkMemory.FindStringSubmatch(value); match != nil {
		amount, err := strconv.ParseInt(match[1], 10, 64)
		if err != nil {
			return 0, fmt.Errorf("memory %q: %w", value, err)
		}
		return amount * flinkUnits[strings.ToLower(match[2])], nil
	}
	quantity, err := resource.ParseQuantity(strings.TrimSpace(value))
	if err != nil {
		return 0, fmt.Errorf("memory %q is neither a Flink memory size (2048m) nor a Kubernetes quantity (2Gi)", value)
	}
	return quantity.Value(), nil
}
