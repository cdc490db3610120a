package localruntime

import (
	"context"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/teal-flink/teal/internal/resources"
	"github.com/teal-flink/teal/test/sim/flinkstandin"
)

// StandinBackend runs every cluster on a Flink stand-in. An application cluster's job is submitted through the
// stand-in at start, with the jar, entry class, arguments, parallelism and restore path Teal wrote into the
// configuration, as Flink's application entrypoint would run it.
type StandinBackend struct {
	// Options are the stand-in options every cluster starts with.
	Options flinkstandin.Options
	// Customize, when set, adjusts the options of one cluster (fault injection per test).
	Customize func(spec ClusterSpec, opts *flinkstandin.Options)
	// JarDir is kept for callers that set it; application jobs are submitted without a jar upload.
	JarDir string
}

type standinCluster struct {
	server *flinkstandin.Server
}

func (c *standinCluster) URL() string { return c.server.URL() }
func (c *standinCluster) Alive() bool { return true }
func (c *standinCluster) Stop() error {
	c.server.Close()
	return nil
}

// Server returns the stand-in behind a cluster started by a StandinBackend, nil otherwise.
func Server(cluster Cluster) *flinkstandin.Server {
	if c, ok := cluster.(*standinCluster); ok {
		return c.server
	}
	return nil
}

// Start starts a stand-in and, for an application cluster, submits its job as Flink's application entrypoint
// would run it (the job PlanLaunch read from the pod's command line or configuration).
func (b *StandinBackend) Start(ctx context.Context, spec ClusterSpec) (Cluster, error) {
	opts := b.Options
	opts.SavepointDir = resources.SavepointDir(spec.Config) // the 1.20+ key first, as Flink reads it
	opts.CheckpointDir = strings.TrimPrefix(strings.TrimPrefix(spec.Config[resources.KeyCheckpointsDir], "file://"), "file:")
	// The retention decides whether a cancelled job's checkpoints survive: take it from the cluster's
	// configuration as Flink does (absent: Flink's default, NO_EXTERNALIZED_CHECKPOINTS).
	opts.CheckpointRetention = spec.Config["execution.checkpointing.externalized-checkpoint-retention"]
	if retained, err := strconv.Atoi(spec.Config["state.checkpoints.num-retained"]); err == nil {
		opts.RetainedCheckpoints = retained
	}
	opts.WebCancelDisabled = spec.Config["web.cancel.enable"] == "false"
	if b.Customize != nil {
		b.Customize(spec, &opts)
	}
	server, err := flinkstandin.New(opts)
	if err != nil {
		return nil, err
	}
	cluster := &standinCluster{server: server}
	if spec.Launch == nil || spec.Launch.Job == nil {
		return cluster, nil
	}
	// Flink's application entrypoint runs the job in the JobManager itself: a job whose restore fails is kept
	// as FAILED (execution.submit-failed-job-on-application-error), unlike a session cluster's jar run, which
	// rejects the submission.
	if _, err := server.Submit(applicationJob(spec.Launch.Job, spec.Config)); err != nil {
		server.Close()
		return nil, fmt.Errorf("submitting the application's job: %w", err)
	}
	return cluster, nil
}

// applicationJob is the job an application cluster runs: the launch plan the pod spec gives (what Flink's
// entrypoint would read), with the cluster's configuration for checkpoint retention.
func applicationJob(job *JobLaunch, config map[string]string) flinkstandin.JobSpec {
	return flinkstandin.JobSpec{
		JarPath:               filepath.Base(job.JarURI),
		EntryClass:            job.EntryClass,
		ProgramArgs:           job.Args,
		Parallelism:           job.Parallelism,
		SavepointPath:         job.SavepointPath,
		AllowNonRestoredState: job.AllowNonRestoredState,
		JobID:                 job.JobID,
		Config:                config,
	}
}
