package snapshots

import (
	"fmt"
	"strings"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/teal-flink/teal/internal/operatorconfig"
)

// Schedule is a periodic snapshot schedule: a fixed interval or a Quartz-style cron expression, as upstream's
// kubernetes.operator.periodic.savepoint.interval accepts.
type Schedule struct {
	interval time.Duration
	cron     cron.Schedule
}

// quartz parses Quartz's six fields (seconds first); a seventh field, the year, is not supported and must be "*"
// or absent.
var quartz = cron.NewParser(cron.Second | cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)

// ParseSchedule reads a periodic snapshot setting; empty or a zero duration disables it (nil schedule).
func ParseSchedule(value string) (*Schedule, error) {
	value = strings.TrimSpace(value)
	if value == "" {
		return nil, nil
	}
	if interval, err := operatorconfig.ParseDuration(value); err == nil {
		if interval <= 0 {
			return nil, nil
		}
		return &Schedule{interval: interval}, nil
	}
	fields := strings.Fields(value)
	if len(fields) == 7 {
		if fields[6] != "*" && fields[6] != "?" {
			return nil, fmt.Errorf("cron expression %q: a year field is not supported", value)
		}
		fields = fields[:6]
	}
	parsed, err := quartz.Parse(strings.Join(fields, " "))
	if err != nil {
		return nil, fmt.Errorf("%q is neither a duration nor a cron expression: %w", value, err)
	}
	return &Schedule{cron: parsed}, nil
}

// Due reports whether a snapshot is due at now when the last one was taken at last, and how long until the next
// one is due otherwise.
func (s *Schedule) Due(last, now time.Time) (bool, time.Duration) {
	var next time.Time
	if s.cron != nil {
		next = s.cron.Next(last)
	} else {
		next = last.Add(s.interval)
	}
	if !now.Before(next) {
		return true, 0
	}
	return false, next.Sub(now)
}
