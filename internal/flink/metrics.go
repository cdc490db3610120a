package flink

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
)

// MetricNumRestarts is the job metric counting restarts since the job was submitted.
const MetricNumRestarts = "numRestarts"

// ErrMetricUnavailable reports that Flink's answer lacks a requested metric. Flink serves job metrics from a
// store its metric fetcher refreshes at most every metrics.fetcher.update-interval (10 s by default), and answers
// an empty list for a job it does not know: right after a submission a metric is briefly missing, so callers
// should retry later rather than treat this as a failure of the job.
var ErrMetricUnavailable = errors.New("flink: metric not available")

// metricValues decodes GET /jobs/:jobid/metrics. Flink sends a bare array of {id, value}, although the
// OpenAPI specification describes an object with a "metrics" array: both are accepted.
type metricValues map[string]string

type metric struct {
	ID    string `json:"id"`
	Value string `json:"value"`
}

func (m *metricValues) UnmarshalJSON(data []byte) error {
	var list []metric
	if strings.HasPrefix(strings.TrimSpace(string(data)), "{") {
		var wrapped struct {
			Metrics []metric `json:"metrics"`
		}
		if err := json.Unmarshal(data, &wrapped); err != nil {
			return err
		}
		list = wrapped.Metrics
	} else if err := json.Unmarshal(data, &list); err != nil {
		return err
	}
	*m = make(metricValues, len(list))
	for _, entry := range list {
		(*m)[entry.ID] = entry.Value
	}
	return nil
}

// JobMetrics returns GET /jobs/:jobid/metrics?get=names: the values Flink reports, by name. Flink leaves out
// metrics it does not know.
func (c *Client) JobMetrics(ctx context.Context, jobID string, names ...string) (map[string]string, error) {
	path := jobPath(jobID, "/metrics")
	if len(names) > 0 {
		path += "?get=" + url.QueryEscape(strings.Join(names, ","))
	}
	values := metricValues{}
	if err := c.get(ctx, "GET /jobs/:jobid/metrics", path, &values); err != nil {
		return nil, err
	}
	return values, nil
}

// JobRestarts returns the job's numRestarts metric. A missing metric is an error matching ErrMetricUnavailable,
// never 0.
func (c *Client) JobRestarts(ctx context.Context, jobID string) (int64, error) {
	values, err := c.JobMetrics(ctx, jobID, MetricNumRestarts)
	if err != nil {
		return 0, err
	}
	value, found := values[MetricNumRestarts]
	if !found {
		return 0, fmt.Errorf("job %s does not report the %s metric: %w", jobID, MetricNumRestarts, ErrMetricUnavailable)
	}
	restarts, err := strconv.ParseInt(value, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("job %s metric %s=%q: %w", jobID, MetricNumRestarts, value, err)
	}
	return restarts, nil
}
