package localruntime

import "context"

// ClusterSpec is what a backend needs to start a JobManager.
type ClusterSpec struct {
	// Namespace and Name of the FlinkDeployment (the cluster id).
	Namespace, Name string
	// Config is the Flink configuration Teal wrote into the cluster's ConfigMap.
	Config map[string]string
	// Standalone is true for standalone-mode clusters.
	Standalone bool
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
