package operatorconfig

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// flinkDuration is Flink's TimeUtils syntax: a whole number and an optional unit; no unit means milliseconds.
var flinkDuration = regexp.MustCompile(`^\s*(\d+)\s*([a-zA-Z]*)\s*$`)

var durationUnits = map[string]time.Duration{
	"": time.Millisecond, "ms": time.Millisecond, "milli": time.Millisecond, "millis": time.Millisecond,
	"millisecond": time.Millisecond, "milliseconds": time.Millisecond,
	"us": time.Microsecond, "micro": time.Microsecond, "micros": time.Microsecond,
	"microsecond": time.Microsecond, "microseconds": time.Microsecond,
	"ns": time.Nanosecond, "nano": time.Nanosecond, "nanos": time.Nanosecond,
	"nanosecond": time.Nanosecond, "nanoseconds": time.Nanosecond,
	"s": time.Second, "sec": time.Second, "secs": time.Second, "second": time.Second, "seconds": time.Second,
	"m": time.Minute, "min": time.Minute, "mins": time.Minute, "minute": time.Minute, "minutes": time.Minute,
	"h": time.Hour, "hour": time.Hour, "hours": time.Hour,
	"d": 24 * time.Hour, "day": 24 * time.Hour, "days": 24 * time.Hour,
}

// isoDuration matches the ISO-8601 durations Flink also accepts (PT10M, P1DT2H, PT0.5S).
var isoDuration = regexp.MustCompile(`^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$`)

// ParseDuration reads a duration as Flink does: "10 s", "1 min", "500ms", "600000" (milliseconds), "PT10M".
func ParseDuration(value string) (time.Duration, error) {
	if match := flinkDuration.FindStringSubmatch(value); match != nil {
		unit, known := durationUnits[strings.ToLower(match[2])]
		if !known {
			return 0, fmt.Errorf("duration %q: unknown unit %q (use ms, s, min, h or d)", value, match[2])
		}
		amount, err := strconv.ParseInt(match[1], 10, 64)
		if err != nil {
			return 0, fmt.Errorf("duration %q: %w", value, err)
		}
		return time.Duration(amount) * unit, nil
	}
	if match := isoDuration.FindStringSubmatch(strings.ToUpper(strings.TrimSpace(value))); match != nil && value != "P" {
		var total time.Duration
		for i, unit := range []time.Duration{24 * time.Hour, time.Hour, time.Minute} {
			if match[i+1] != "" {
				amount, _ := strconv.ParseInt(match[i+1], 10, 64)
				total += time.Duration(amount) * unit
			}
		}
		if match[4] != "" {
			seconds, _ := strconv.ParseFloat(match[4], 64)
			total += time.Duration(seconds * float64(time.Second))
		}
		return total, nil
	}
	return 0, fmt.Errorf("duration %q: expected a number and a unit such as \"10 s\", \"5 min\" or \"PT5M\"", value)
}
