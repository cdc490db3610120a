package localruntime

import "context"

// ClusterSpec is what a backend needs to start a JobManager.
type ClusterSpec struct {
	// Namespace and Name of the FlinkDeployment (the cluster id).
	Namespace, Name string
	// Config is the Flink configuration the JobManager runs with: the file mounted into its pod, with the
	// command line's -D properties (Launch.Config).
	Config map[string]string
	// Standalone is true for standalone-mode clusters.
	Standalone bool
	// Pod is the resolved pod: command line, environment and mounted files.
	Pod *PodRun
	// Launch is how the image's entrypoint and Flink read the pod; its Job is the application to run.
	Launch *Launch
}

// Cluster is a running JobManager.
type Cluster interface {
	// URL is the base URL of its REST API.
	URL() string
	// Alive reports whether the JobManager still serves; a dead one makes its Deployment unavailable.
	Alive() bool
	// Stop shuts the JobManager (and its TaskManagers) down.
	Stop() error
}

// Backend starts JobManagers.
type Backend interface {
	Start(ctx context.Context, spec ClusterSpec) (Cluster, error)
}

// BackendFunc adapts a function to Backend.
type BackendFunc func(ctx context.Context, spec ClusterSpec) (Cluster, error)

// Start calls f.
func (f BackendFunc) Start(ctx context.Context, spec ClusterSpec) (Cluster, error) {
	return f(ctx, spec)
}
