package validators

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"

	"k8s.io/apimachinery/pkg/util/validation/field"
)

const autoscalerPrefix = "job.autoscaler."

// autoscalerKeys returns an autoscaler option's key followed by the older spellings upstream still reads.
func autoscalerKeys(name string, deprecated ...string) []string {
	keys := []string{autoscalerPrefix + name}
	for _, old := range deprecated {
		keys = append(keys, autoscalerPrefix+old)
	}
	keys = append(keys, "kubernetes.operator."+autoscalerPrefix+name)
	for _, old := range deprecated {
		keys = append(keys, "kubernetes.operator."+autoscalerPrefix+old)
	}
	return keys
}

// numberRange is an autoscaler option that must lie in [min, max] when set (or when it has a default).
type numberRange struct {
	keys     []string
	min, max float64
	// enabledBy names a boolean option that must be true for the range to be checked.
	enabledBy []string
}

var dailyPeriod = regexp.MustCompile(`^(\d{1,2}):(\d{2})(?::(\d{2}))?-(\d{1,2}):(\d{2})(?::(\d{2}))?$`)
var cronField = regexp.MustCompile(`^[0-9A-Za-z*?/,\-#]+$`)

// validateAutoscaler checks the autoscaler's options when job.autoscaler.enabled is true, as upstream's
// AutoscalerValidator does: factor and utilization ranges, excluded periods, and a metric window no shorter
// than the reconcile interval.
func validateAutoscaler(config flinkConfig) field.ErrorList {
	enabled, err := config.boolean(false, autoscalerKeys("enabled")...)
	if err != nil {
		return field.ErrorList{err}
	}
	if !enabled {
		return nil
	}
	var errs field.ErrorList
	target := 0.7
	if value, _, ok, err := config.float(autoscalerKeys("utilization.target", "target.utilization")...); err != nil {
		errs = append(errs, err)
	} else if ok {
		target = value
	}
	ranges := []numberRange{
		{keys: autoscalerKeys("scale-down.max-factor"), min: 0, max: math.Inf(1)},
		{keys: autoscalerKeys("scale-up.max-factor"), min: 0, max: math.Inf(1)},
		{keys: autoscalerKeys("utilization.target", "target.utilization"), min: 0, max: 1},
		{keys: autoscalerKeys("target.utilization.boundary"), min: 0, max: math.Inf(1)},
		{keys: autoscalerKeys("utilization.max"), min: target, max: 1},
		{keys: autoscalerKeys("utilization.min"), min: 0, max: target},
		{keys: autoscalerKeys("memory.gc-pressure.threshold"), min: 0, max: 1},
		{keys: autoscalerKeys("memory.heap-usage.threshold"), min: 0, max: 1},
		{keys: autoscalerKeys("observed-scalability.coefficient-min"), min: 0.01, max: 1,
			enabledBy: autoscalerKeys("observed-scalability.enabled")},
		{keys: autoscalerKeys("scaling.effectiveness.threshold"), min: 0, max: 1,
			enabledBy: autoscalerKeys("scaling.effectiveness.detection.enabled")},
		{keys: autoscalerKeys("memory.tuning.overhead"), min: 0, max: 1,
			enabledBy: autoscalerKeys("memory.tuning.enabled")},
	}
	for _, r := range ranges {
		errs = append(errs, r.check(config)...)
	}
	errs = append(errs, validateExcludedPeriods(config)...)
	window, err := config.duration(15*time.Minute, autoscalerKeys("metrics.window")...)
	errs = appendIf(errs, err)
	interval, err := config.duration(defaultReconcileInterval, keysReconcileInterval...)
	errs = appendIf(errs, err)
	if window < interval {
		_, key, _ := config.lookup(autoscalerKeys("metrics.window")...)
		errs = append(errs, field.Invalid(config.keyPath(key), window.String(), fmt.Sprintf(
			"the autoscaler metric window must not be shorter than the reconcile interval (%s=%s), or fewer than two "+
				"samples are kept and the autoscaler never scales: raise the window or lower the interval",
			keysReconcileInterval[0], interval)))
	}
	return errs
}

func (r numberRange) check(config flinkConfig) field.ErrorList {
	if r.enabledBy != nil {
		on, err := config.boolean(false, r.enabledBy...)
		if err != nil {
			return field.ErrorList{err}
		}
		if !on {
			return nil
		}
	}
	value, key, ok, err := config.float(r.keys...)
	if err != nil {
		return field.ErrorList{err}
	}
	if ok && (value < r.min || value > r.max || math.IsNaN(value)) {
		return field.ErrorList{field.Invalid(config.keyPath(key), config.values[key],
			fmt.Sprintf("must be within [%s, %s]", formatBound(r.min), formatBound(r.max)))}
	}
	return nil
}

func formatBound(v float64) string {
	if math.IsInf(v, 1) {
		return "+Infinity"
	}
	return fmt.Sprintf("%g", v)
}

// validateExcludedPeriods checks each ";"-separated expression: a daily range "HH:mm-HH:mm" (start before
// end), a Quartz cron expression (6 or 7 fields), or one of each joined by "&&".
func validateExcludedPeriods(config flinkConfig) field.ErrorList {
	raw, key, ok := config.lookup(autoscalerKeys("excluded.periods")...)
	if !ok {
		return nil
	}
	var errs field.ErrorList
	for _, expression := range splitExcluded(raw) {
		parts := strings.Split(expression, "&&")
		daily, cron := 0, 0
		valid := len(parts) <= 2
		for _, part := range parts {
			part = strings.TrimSpace(part)
			switch {
			case isDailyPeriod(part):
				daily++
			case isCronExpression(part):
				cron++
			default:
				valid = false
			}
		}
		if len(parts) == 2 && (daily != 1 || cron != 1) {
			valid = false
		}
		if !valid {
			errs = append(errs, field.Invalid(config.keyPath(key), expression,
				"each excluded period must be a daily range like 22:00-23:30 (start before end), a Quartz cron "+
					"expression, or one of each joined by &&"))
		}
	}
	return errs
}

func splitExcluded(raw string) []string {
	var out []string
	for _, item := range strings.Split(raw, ";") {
		if item = strings.TrimSpace(item); item != "" {
			out = append(out, item)
		}
	}
	return out
}

func isDailyPeriod(text string) bool {
	m := dailyPeriod.FindStringSubmatch(text)
	if m == nil {
		return false
	}
	seconds := func(h, mi, s string) (int, bool) {
		hour, _ := strconv.Atoi(h) // the pattern admits digits only
		minute, _ := strconv.Atoi(mi)
		second := 0
		if s != "" {
			second, _ = strconv.Atoi(s)
		}
		return hour*3600 + minute*60 + second, hour < 24 && minute < 60 && second < 60
	}
	start, okStart := seconds(m[1], m[2], m[3])
	end, okEnd := seconds(m[4], m[5], m[6])
	return okStart && okEnd && start < end
}

func isCronExpression(text string) bool {
	fields := strings.Fields(text)
	if len(fields) != 6 && len(fields) != 7 {
		return false
	}
	for _, f := range fields {
		if !cronField.MatchString(f) {
			return false
		}
	}
	return true
}
