package flinkvalue

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// durationUnits maps Flink's TimeUtils unit labels (singular and plural, case-insensitive) to their length.
var durationUnits = map[string]time.Duration{
	"d": 24 * time.Hour, "day": 24 * time.Hour, "days": 24 * time.Hour,
	"h": time.Hour, "hour": time.Hour, "hours": time.Hour,
	"m": time.Minute, "min": time.Minute, "mins": time.Minute, "minute": time.Minute, "minutes": time.Minute,
	"s": time.Second, "sec": time.Second, "secs": time.Second, "second": time.Second, "seconds": time.Second,
	"ms": time.Millisecond, "milli": time.Millisecond, "millis": time.Millisecond,
	"millisecond": time.Millisecond, "milliseconds": time.Millisecond,
	"us": time.Microsecond, "µs": time.Microsecond, "micro": time.Microsecond, "micros": time.Microsecond,
	"microsecond": time.Microsecond, "microseconds": time.Microsecond,
	"ns": time.Nanosecond, "nano": time.Nanosecond, "nanos": time.Nanosecond,
	"nanosecond": time.Nanosecond, "nanoseconds": time.Nanosecond,
}

// ParseDuration parses a duration the way Flink's configuration does: a non-negative integer with an
// optional unit ("500 ms", "30s", "10 min", "1 h", "2d"; no unit means milliseconds), or an ISO-8601 duration
// ("PT10M", "P1DT2H", "PT0.5S") as Flink 2 accepts.
func ParseDuration(text string) (time.Duration, error) {
	trimmed := strings.TrimSpace(text)
	if trimmed == "" {
		return 0, fmt.Errorf("duration is empty")
	}
	if trimmed[0] == 'P' || trimmed[0] == 'p' {
		return parseISODuration(trimmed)
	}
	end := 0
	for end < len(trimmed) && trimmed[end] >= '0' && trimmed[end] <= '9' {
		end++
	}
	if end == 0 {
		return 0, fmt.Errorf("duration %q does not start with a number", text)
	}
	amount, err := strconv.ParseInt(trimmed[:end], 10, 64)
	if err != nil {
		return 0, fmt.Errorf("duration %q is too large: %w", text, err)
	}
	label := strings.ToLower(strings.TrimSpace(trimmed[end:]))
	unit := time.Millisecond
	if label != "" {
		known, ok := durationUnits[label]
		if !ok {
			return 0, fmt.Errorf("duration %q has unknown unit %q (use ms, s, min, h or d)", text, label)
		}
		unit = known
	}
	if amount > math.MaxInt64/int64(unit) {
		return 0, fmt.Errorf("duration %q is too large", text)
	}
	return time.Duration(amount) * unit, nil
}

// parseISODuration reads the PnDTnHnMn.nS subset of ISO-8601 that java.time.Duration.parse accepts (no sign).
func parseISODuration(text string) (time.Duration, error) {
	rest := strings.ToUpper(text[1:])
	if rest == "" {
		return 0, fmt.Errorf("ISO-8601 duration %q has no fields", text)
	}
	var total float64
	inTime := false
	fields := 0
	for rest != "" {
		if rest[0] == 'T' {
			if inTime {
				return 0, fmt.Errorf("ISO-8601 duration %q has two T separators", text)
			}
			inTime = true
			rest = rest[1:]
			continue
		}
		end := strings.IndexFunc(rest, func(r rune) bool { return unicode.IsLetter(r) })
		if end <= 0 {
			return 0, fmt.Errorf("ISO-8601 duration %q is malformed", text)
		}
		value, err := strconv.ParseFloat(rest[:end], 64)
		if err != nil || value < 0 || strings.ContainsAny(rest[:end], "+-eE") {
			return 0, fmt.Errorf("ISO-8601 duration %q has an invalid number %q", text, rest[:end])
		}
		var unit time.Duration
		switch {
		case rest[end] == 'D' && !inTime:
			unit = 24 * time.Hour
		case rest[end] == 'H' && inTime:
			unit = time.Hour
		case rest[end] == 'M' && inTime:
			unit = time.Minute
		case rest[end] == 'S' && inTime:
			unit = time.Second
		default:
			return 0, fmt.Errorf("ISO-8601 duration %q has an unexpected designator %q", text, rest[end])
		}
		if rest[end] != 'S' && value != math.Trunc(value) {
			return 0, fmt.Errorf("ISO-8601 duration %q allows a fraction only in seconds", text)
		}
		total += value * float64(unit)
		fields++
		rest = rest[end+1:]
	}
	if fields == 0 {
		return 0, fmt.Errorf("ISO-8601 duration %q has no fields", text)
	}
	if total >= math.MaxInt64 {
		return 0, fmt.Errorf("ISO-8601 duration %q is too large", text)
	}
	return time.Duration(total), nil
}
