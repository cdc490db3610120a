package localruntime

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"

	"github.com/teal-flink/teal/internal/flink"
	"github.com/teal-flink/teal/internal/resources"
	"github.com/teal-flink/teal/test/sim/flinkdist"
)

// FlinkBackend runs every cluster as real Flink processes on loopback, started the way the image starts them:
// hack/images/flink/docker-entrypoint.sh with the pod's arguments and environment, reading the configuration
// the pod mounts (see scriptCluster for the loopback replacements), with one TaskManager ("taskmanager"). A native
// application cluster's JobManager runs as a session JobManager here (there is no Kubernetes for it to create
// TaskManagers in) and its application, read from the pod by PlanLaunch, is submitted through REST at start.
type FlinkBackend struct {
	// Dir holds one directory per started cluster: configuration, logs, and the default state directories.
	Dir string
	// Jars maps the file name of a local:// jarURI to a jar on this machine; TopSpeedWindowing.jar maps to the
	// distribution's example by default.
	Jars map[string]string

	started atomic.Int64
}

// DistributionVersion maps the Flink version Teal writes ($internal.flink.version, e.g. v1_20) to an installed
// distribution.
func DistributionVersion(config map[string]string) (string, error) {
	switch version := config[resources.KeyFlinkVersion]; {
	case strings.HasPrefix(version, "v1_"):
		return flinkdist.Flink1, nil
	case strings.HasPrefix(version, "v2_"):
		return flinkdist.Flink2, nil
	default:
		return "", fmt.Errorf("no local Flink distribution for flinkVersion %q", version)
	}
}

type flinkCluster struct {
	processes *scriptCluster
	http      *http.Client
}

func (c *flinkCluster) URL() string { return c.processes.restURL }

// Alive asks the JobManager's REST endpoint, as a liveness probe would, and requires it to answer as this
// cluster: after the JobManager died, another cluster may have bound its port.
func (c *flinkCluster) Alive() bool {
	return flinkdist.CheckSessionID(context.Background(), c.http, c.processes.restURL, c.processes.sessionID) == nil
}

func (c *flinkCluster) Stop() error { return c.processes.Stop() }

// Session describes the Flink processes behind a cluster started by a FlinkBackend (REST URL, configuration and
// log directories; the TaskManager's output is LogDir/taskmanager.log), nil for other clusters.
func Session(cluster Cluster) *flinkdist.Session {
	if c, ok := cluster.(*flinkCluster); ok {
		return &flinkdist.Session{RESTURL: c.processes.restURL, ConfDir: c.processes.confDir, LogDir: c.processes.logDir}
	}
	return nil
}

// Start starts the processes and, for a native application cluster, submits its job.
func (b *FlinkBackend) Start(ctx context.Context, spec ClusterSpec) (Cluster, error) {
	version, err := DistributionVersion(spec.Config)
	if err != nil {
		return nil, err
	}
	dist, err := flinkdist.Locate(version)
	if err != nil {
		return nil, err
	}
	dir := filepath.Join(b.Dir, fmt.Sprintf("%s-%s-%d", spec.Namespace, spec.Name, b.started.Add(1)))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	processes, err := startScriptCluster(ctx, dist, spec, dir)
	if err != nil {
		return nil, fmt.Errorf("starting Flink %s for %s/%s: %w", version, spec.Namespace, spec.Name, err)
	}
	cluster := &flinkCluster{processes: processes, http: &http.Client{Timeout: 2 * time.Second}}
	if !spec.Launch.Native || spec.Launch.Job == nil {
		return cluster, nil
	}
	if err := b.submit(ctx, processes.restURL, dist, spec.Launch.Job); err != nil {
		// As an application JobManager whose main method fails, the JobManager stays up without a running job;
		// the reason is kept next to its logs.
		note := filepath.Join(dir, "submit-error.txt")
		if writeErr := os.WriteFile(note, []byte(err.Error()+"\n"), 0o644); writeErr != nil {
			return nil, errors.Join(err, writeErr, processes.Stop())
		}
	}
	return cluster, nil
}

func (b *FlinkBackend) submit(ctx context.Context, url string, dist flinkdist.Distribution, job *JobLaunch) error {
	jarPath := b.Jars[filepath.Base(job.JarURI)]
	if jarPath == "" && filepath.Base(job.JarURI) == "TopSpeedWindowing.jar" {
		jarPath = dist.TopSpeedWindowingJar()
	}
	if jarPath == "" {
		return fmt.Errorf("no local jar for %s", job.JarURI)
	}
	client, err := flink.New(url, flink.Options{Timeout: time.Minute})
	if err != nil {
		return err
	}
	jarID, err := client.UploadJar(ctx, jarPath)
	if err != nil {
		return fmt.Errorf("uploading %s: %w", jarPath, err)
	}
	run := flink.RunJarRequest{
		EntryClass: job.EntryClass, ProgramArgs: job.Args, Parallelism: job.Parallelism, JobID: job.JobID,
		SavepointPath: job.SavepointPath, AllowNonRestoredState: job.AllowNonRestoredState,
	}
	if run.EntryClass == "" {
		run.EntryClass = flinkdist.TopSpeedWindowingClass
	}
	if _, err := client.RunJar(ctx, jarID, run); err != nil {
		return fmt.Errorf("submitting the application's job: %w", err)
	}
	return nil
}
