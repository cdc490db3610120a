package localruntime

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/teal-flink/teal/internal/flink"
	"github.com/teal-flink/teal/internal/flinkstandin"
	"github.com/teal-flink/teal/internal/resources"
)

// StandinBackend runs every cluster on a Flink stand-in. An application cluster's job is submitted through the
// stand-in's REST API at start, with the jar, entry class, arguments, parallelism and restore path Teal wrote
// into the configuration, as Flink's application entrypoint would run it.
type StandinBackend struct {
	// Options are the stand-in options every cluster starts with.
	Options flinkstandin.Options
	// Customize, when set, adjusts the options of one cluster (fault injection per test).
	Customize func(spec ClusterSpec, opts *flinkstandin.Options)
	// JarDir holds the placeholder jars uploaded to stand-ins; empty uses a temporary directory.
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

// Start starts a stand-in and, for an application cluster, submits its job.
func (b *StandinBackend) Start(ctx context.Context, spec ClusterSpec) (Cluster, error) {
	opts := b.Options
	opts.SavepointDir = spec.Config[resources.KeySavepointsDir]
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
	jarURI := spec.Config[resources.KeyPipelineJars]
	if jarURI == "" || spec.Config[resources.KeyExecutionTarget] == "kubernetes-session" {
		return cluster, nil
	}
	if err := b.submit(ctx, server.URL(), spec, jarURI); err != nil {
		server.Close()
		return nil, err
	}
	return cluster, nil
}

func (b *StandinBackend) submit(ctx context.Context, url string, spec ClusterSpec, jarURI string) error {
	client, err := flink.New(url, flink.Options{})
	if err != nil {
		return err
	}
	jarDir := b.JarDir
	if jarDir == "" {
		jarDir = os.TempDir()
	}
	jarPath := filepath.Join(jarDir, filepath.Base(jarURI))
	if _, err := os.Stat(jarPath); err != nil {
		if err := os.WriteFile(jarPath, []byte("PK placeholder for "+jarURI), 0o644); err != nil {
			return fmt.Errorf("writing placeholder jar: %w", err)
		}
	}
	jarID, err := client.UploadJar(ctx, jarPath)
	if err != nil {
		return fmt.Errorf("uploading the job jar: %w", err)
	}
	run := flink.RunJarRequest{
		EntryClass:    spec.Config[resources.KeyApplicationMain],
		SavepointPath: spec.Config[resources.KeySavepointPath],
	}
	if args := spec.Config[resources.KeyApplicationArgs]; args != "" {
		run.ProgramArgs = strings.Split(args, ";")
	}
	if parallelism, err := strconv.Atoi(spec.Config[resources.KeyParallelism]); err == nil {
		run.Parallelism = parallelism
	}
	run.AllowNonRestoredState = spec.Config[resources.KeyIgnoreUnclaimed] == "true"
	if _, err := client.RunJar(ctx, jarID, run); err != nil {
		return fmt.Errorf("submitting the application's job: %w", err)
	}
	return nil
}
