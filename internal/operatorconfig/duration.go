package operatorconfig

import (
	"time"

	"github.com/teal-flink/teal/internal/flinkvalue"
)

// ParseDuration reads a duration as Flink does: "10 s", "1 min", "500ms", "600000" (milliseconds), "PT10M".
func ParseDuration(value string) (time.Duration, error) { return flinkvalue.ParseDuration(value) }
