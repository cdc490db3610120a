package operatorconfig

import "time"

// Operator configuration keys (upstream names) and Teal's additions.
const (
	KeyReconcileInterval      = "kubernetes.operator.reconcile.interval"
	KeyProgressCheckInterval  = "kubernetes.operator.observer.progress-check.interval"
	KeyCleanupTimeout         = "kubernetes.operator.resource.cleanup.timeout"
	KeyClientTimeout          = "kubernetes.operator.flink.client.timeout"
	KeyClientCancelTimeout    = "kubernetes.operator.flink.client.cancel.timeout"
	KeySavepointOnDeletion    = "kubernetes.operator.job.savepoint-on-deletion"
	KeyJMDeploymentRecovery   = "kubernetes.operator.jm-deployment-recovery.enabled"
	KeyJMShutdownTTL          = "kubernetes.operator.jm-deployment.shutdown-ttl"
	KeySavepointFormatType    = "kubernetes.operator.savepoint.format.type"
	KeyLastStateFallback      = "kubernetes.operator.job.upgrade.last-state-fallback.enabled"
	KeySnapshotResource       = "kubernetes.operator.snapshot.resource.enabled"
	KeyReadinessTimeout       = "kubernetes.operator.deployment.readiness.timeout"
	KeyRollbackEnabled        = "kubernetes.operator.deployment.rollback.enabled"
	KeyDynamicConfigEnabled   = "kubernetes.operator.dynamic.config.enabled"
	KeyWatchedNamespaces      = "kubernetes.operator.watched.namespaces"
	KeyAllowedArtifactSchemes = "kubernetes.operator.user.artifacts.allowed-schemes"
	// KeyRestURLTemplate is Teal's: a Go template of the JobManager REST address with .Name, .Namespace and
	// .Port, so the operator can reach Flink from outside the cluster (e.g. through the API server proxy).
	KeyRestURLTemplate = "kubernetes.operator.rest.url-template"

	// DefaultConfigurationPrefix introduces Flink defaults for every deployment; followed by
	// "flink-version.<v>." for defaults of one Flink version only.
	DefaultConfigurationPrefix = "kubernetes.operator.default-configuration."
	// OperatorPrefix marks operator keys (never passed to Flink as defaults).
	OperatorPrefix = "kubernetes.operator."
)

// DefaultRestURLTemplate reaches the REST Service inside the cluster.
const DefaultRestURLTemplate = "http://{{.Name}}-rest.{{.Namespace}}.svc:{{.Port}}"

// durationDefaults are upstream's defaults for the duration keys Teal reads.
var durationDefaults = map[string]time.Duration{
	KeyReconcileInterval:     time.Minute,
	KeyProgressCheckInterval: 10 * time.Second,
	KeyClientTimeout:         10 * time.Second,
	KeyClientCancelTimeout:   time.Minute,
	KeyReadinessTimeout:      5 * time.Minute,
	KeyJMShutdownTTL:         24 * time.Hour,
}

// boolDefaults are upstream's defaults for the boolean keys Teal reads.
var boolDefaults = map[string]bool{
	KeySavepointOnDeletion:  false,
	KeyJMDeploymentRecovery: true,
	KeyLastStateFallback:    true,
	KeySnapshotResource:     true,
	KeyRollbackEnabled:      false,
	KeyDynamicConfigEnabled: false,
}

// stringDefaults are the defaults of string keys.
var stringDefaults = map[string]string{
	KeySavepointFormatType:    "CANONICAL",
	KeyRestURLTemplate:        DefaultRestURLTemplate,
	KeyAllowedArtifactSchemes: "https",
}
