package flink

import (
	"context"
	"fmt"
	"strconv"
	"strings"
)

// ClusterOverview is GET /overview: the cluster's size and job counts.
type ClusterOverview struct {
	// FlinkVersion is the JobManager's version, such as "1.20.3".
	FlinkVersion string `json:"flink-version"`
	// FlinkCommit is the commit the JobManager was built from.
	FlinkCommit string `json:"flink-commit"`
	// TaskManagers counts the registered TaskManagers.
	TaskManagers int `json:"taskmanagers"`
	// SlotsTotal counts all task slots.
	SlotsTotal int `json:"slots-total"`
	// SlotsAvailable counts the free task slots.
	SlotsAvailable int `json:"slots-available"`
	// JobsRunning counts jobs that are not in a terminal state.
	JobsRunning int `json:"jobs-running"`
	// JobsFinished counts FINISHED jobs.
	JobsFinished int `json:"jobs-finished"`
	// JobsCancelled counts CANCELED jobs.
	JobsCancelled int `json:"jobs-cancelled"`
	// JobsFailed counts FAILED jobs.
	JobsFailed int `json:"jobs-failed"`
}

// DashboardConfig is GET /config: the web UI configuration, which names the Flink version.
type DashboardConfig struct {
	// FlinkVersion is the JobManager's version, such as "2.1.0".
	FlinkVersion string `json:"flink-version"`
	// FlinkRevision is the build's commit and date.
	FlinkRevision string `json:"flink-revision"`
	// RefreshInterval is the UI refresh interval in milliseconds.
	RefreshInterval int64 `json:"refresh-interval"`
	// TimezoneName is the JobManager's time zone.
	TimezoneName string `json:"timezone-name"`
	// Features lists which web features are enabled.
	Features DashboardFeatures `json:"features"`
}

// DashboardFeatures are the switches of GET /config.
type DashboardFeatures struct {
	// WebSubmit is web.submit.enable: whether /jars/upload and /jars/:jarid/run are served.
	WebSubmit bool `json:"web-submit"`
	// WebCancel is web.cancel.enable.
	WebCancel bool `json:"web-cancel"`
	// WebRescale is web.rescale.enable.
	WebRescale bool `json:"web-rescale"`
	// WebHistory tells whether the server is a HistoryServer.
	WebHistory bool `json:"web-history"`
}

// Version is a parsed Flink version.
type Version struct {
	// Major is 1 or 2.
	Major int
	// Minor is the minor release, such as 20.
	Minor int
	// Raw is the version as Flink reported it, such as "1.20.3" or "2.1-SNAPSHOT".
	Raw string
}

// ParseVersion parses "major.minor[.patch][-suffix]".
func ParseVersion(raw string) (Version, error) {
	parts := strings.SplitN(raw, ".", 3)
	if len(parts) < 2 {
		return Version{}, fmt.Errorf("flink version %q: want major.minor", raw)
	}
	major, err := strconv.Atoi(parts[0])
	if err != nil {
		return Version{}, fmt.Errorf("flink version %q: %w", raw, err)
	}
	minorText, _, _ := strings.Cut(parts[1], "-")
	minor, err := strconv.Atoi(minorText)
	if err != nil {
		return Version{}, fmt.Errorf("flink version %q: %w", raw, err)
	}
	return Version{Major: major, Minor: minor, Raw: raw}, nil
}

// AtLeast reports whether v is major.minor or newer.
func (v Version) AtLeast(major, minor int) bool {
	return v.Major > major || v.Major == major && v.Minor >= minor
}

// TaskManager is one entry of GET /taskmanagers.
type TaskManager struct {
	// ID is the TaskManager's resource ID.
	ID string `json:"id"`
	// Path is its RPC address.
	Path string `json:"path"`
	// DataPort is its shuffle data port.
	DataPort int `json:"dataPort"`
	// SlotsNumber counts its task slots.
	SlotsNumber int `json:"slotsNumber"`
	// FreeSlots counts its free task slots.
	FreeSlots int `json:"freeSlots"`
	// TimeSinceLastHeartbeat is the epoch milliseconds of its last heartbeat (Flink's naming, not a duration).
	TimeSinceLastHeartbeat int64 `json:"timeSinceLastHeartbeat"`
}

// Overview returns GET /overview.
func (c *Client) Overview(ctx context.Context) (ClusterOverview, error) {
	var overview ClusterOverview
	err := c.get(ctx, "GET /overview", "/overview", &overview)
	return overview, err
}

// Config returns GET /config.
func (c *Client) Config(ctx context.Context) (DashboardConfig, error) {
	var config DashboardConfig
	err := c.get(ctx, "GET /config", "/config", &config)
	return config, err
}

// ServerVersion asks the JobManager for its version through GET /config.
func (c *Client) ServerVersion(ctx context.Context) (Version, error) {
	config, err := c.Config(ctx)
	if err != nil {
		return Version{}, err
	}
	return ParseVersion(config.FlinkVersion)
}

// TaskManagers returns GET /taskmanagers.
func (c *Client) TaskManagers(ctx context.Context) ([]TaskManager, error) {
	var body struct {
		TaskManagers []TaskManager `json:"taskmanagers"`
	}
	err := c.get(ctx, "GET /taskmanagers", "/taskmanagers", &body)
	return body.TaskManagers, err
}
