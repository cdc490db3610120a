package localruntime

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/teal-flink/teal/internal/flink"
	"github.com/teal-flink/teal/internal/flinkdist"
	"github.com/teal-flink/teal/internal/resources"
)

// FlinkBackend runs every cluster as real Flink processes on loopback: a JobManager and a TaskManager started
// with plain java from the distributions hack/install-flink.sh installs, configured with the configuration Teal
// wrote into the cluster's ConfigMap. Only what cannot hold outside Kubernetes is replaced: addresses and ports
// (loopback, free ports), the Kubernetes integration keys, and memory (sized for a two-core test machine). An
// application cluster's job is submitted through REST at start, from the jar its local:// URI names.
type FlinkBackend struct {
	// Dir holds one directory per started cluster: configuration, logs, and the default state directories.
	Dir string
	// Jars maps the file name of a local:// jarURI to a jar on this machine; TopSpeedWindowing.jar maps to the
	// distribution's example by default.
	Jars map[string]string

	started atomic.Int64
}

// localOnly are keys the local processes set themselves.
var localOnly = map[string]bool{
	resources.KeyExecutionTarget: true, resources.KeyRPCAddress: true, resources.KeyRPCPort: true,
	resources.KeyRestPort: true, resources.KeyBlobPort: true, resources.KeyTaskManagerRPCPort: true,
	resources.KeyJobManagerMemory: true, resources.KeyTaskManagerMemory: true, resources.KeyPipelineJars: true,
	resources.KeyParallelism: true, resources.KeySavepointPath: true, resources.KeyIgnoreUnclaimed: true,
	resources.KeyShutdownOnFinish: true, resources.KeySubmitFailedJob: true, resources.KeyPipelineClasspaths: true,
	resources.KeyJobID: true,
}

// sessionConfig filters Teal's configuration down to what a loopback session cluster may run with.
func sessionConfig(config map[string]string) map[string]string {
	filtered := map[string]string{}
	for key, value := range config {
		if localOnly[key] || strings.HasPrefix(key, "kubernetes.") || strings.HasPrefix(key, "$internal.") ||
			strings.HasPrefix(key, "high-availability") {
			continue
		}
		filtered[key] = value
	}
	return filtered
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
	session *flinkdist.Session
	http    *http.Client
}

func (c *flinkCluster) URL() string { return c.session.RESTURL }

// Alive asks the JobManager's REST endpoint, as a liveness probe would.
func (c *flinkCluster) Alive() bool {
	response, err := c.http.Get(c.session.RESTURL + "/overview")
	if err != nil {
		return false
	}
	response.Body.Close()
	return response.StatusCode == http.StatusOK
}

func (c *flinkCluster) Stop() error { return c.session.Stop() }

// Session returns the Flink processes behind a cluster started by a FlinkBackend, nil otherwise.
func Session(cluster Cluster) *flinkdist.Session {
	if c, ok := cluster.(*flinkCluster); ok {
		return c.session
	}
	return nil
}

// Start starts the processes and, for an application cluster, submits its job.
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
	slots, _ := strconv.Atoi(spec.Config[resources.KeyTaskSlots])
	session, err := flinkdist.StartSession(ctx, dist, flinkdist.SessionOptions{
		Dir: dir, TaskSlots: slots, CheckpointInterval: -1, Config: sessionConfig(spec.Config),
	})
	if err != nil {
		return nil, fmt.Errorf("starting Flink %s for %s/%s: %w", version, spec.Namespace, spec.Name, err)
	}
	cluster := &flinkCluster{session: session, http: &http.Client{Timeout: 2 * time.Second}}
	if spec.Launch == nil || spec.Launch.Job == nil {
		return cluster, nil
	}
	if err := b.submit(ctx, session.RESTURL, dist, spec.Launch.Job); err != nil {
		// As an application JobManager whose main method fails, the JobManager stays up without a running job;
		// the reason is kept next to its logs.
		note := filepath.Join(dir, "submit-error.txt")
		if writeErr := os.WriteFile(note, []byte(err.Error()+"\n"), 0o644); writeErr != nil {
			return nil, errors.Join(err, writeErr, session.Stop())
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
