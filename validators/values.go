package validators

import (
	"time"

	"github.com/teal-flink/teal/internal/flinkvalue"
)

// ParseFlinkDuration parses a duration as Flink's configuration does (see flinkvalue.ParseDuration).
func ParseFlinkDuration(text string) (time.Duration, error) { return flinkvalue.ParseDuration(text) }

// ParseMemory reads a memory amount as upstream's resource.memory does (see flinkvalue.ParseMemory).
func ParseMemory(text string) (int64, error) { return flinkvalue.ParseMemory(text) }
