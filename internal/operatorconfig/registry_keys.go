package operatorconfig

import "time"

// More keys of the registry that the controllers and main.go read.
const (
	// TealPrefix marks Teal's own operator keys outside upstream's namespace.
	TealPrefix = "teal."

	KeyLabelSelector             = "kubernetes.operator.label.selector"
	KeyDynamicNamespaces         = "kubernetes.operator.dynamic.namespaces.enabled"
	KeyReconcileParallelism      = "kubernetes.operator.reconcile.parallelism"
	KeyDisallowRestrictedHosts   = "kubernetes.operator.user.artifacts.disallow-restricted-hosts"
	KeyArtifactsHTTPHeader       = "kubernetes.operator.user.artifacts.http.header"
	KeyArtifactsBaseDir          = "kubernetes.operator.user.artifacts.base.dir"
	KeyLeaderElectionEnabled     = "kubernetes.operator.leader-election.enabled"
	KeyLeaderElectionLease       = "kubernetes.operator.leader-election.lease-name"
	KeyLeaderElectionDuration    = "kubernetes.operator.leader-election.lease-duration"
	KeyLeaderElectionRenew       = "kubernetes.operator.leader-election.renew-deadline"
	KeyLeaderElectionRetry       = "kubernetes.operator.leader-election.retry-period"
	KeyCheckpointType            = "kubernetes.operator.checkpoint.type"
	KeyResourceViewRefresh       = "kubernetes.operator.cluster.resource-view.refresh-interval"
	KeyLastStateMaxCheckpointAge = "kubernetes.operator.job.upgrade.last-state.max.allowed.checkpoint.age"

	// KeyBlueGreenTransitionDeadline bounds an ADVANCED cut-over: without W after this long (counted from the
	// incoming job running), the transition is aborted back to the outgoing child.
	KeyBlueGreenTransitionDeadline = "kubernetes.operator.bluegreen.advanced.transition-deadline"
	// KeyBlueGreenGateImage is the image an init container of each ADVANCED child's pods copies the gate jar
	// from (the operator image, which carries it; internal/gatejar).
	KeyBlueGreenGateImage = "kubernetes.operator.bluegreen.advanced.gate.image"
	// KeyBlueGreenGateImagePullPolicy is that init container's pull policy.
	KeyBlueGreenGateImagePullPolicy = "kubernetes.operator.bluegreen.advanced.gate.image-pull-policy"

	// AllNamespaces is upstream's value of KeyWatchedNamespaces for "every namespace".
	AllNamespaces = "JOSDK_ALL_NAMESPACES"
	// DefaultBlueGreenGateJarPath is where the Flink pods of an ADVANCED child find the gate jar.
	DefaultBlueGreenGateJarPath = "/opt/flink/teal-gate/teal-bluegreen-gate.jar"
	// DefaultArtifactsBaseDir is upstream's default of KeyArtifactsBaseDir.
	DefaultArtifactsBaseDir = "/opt/flink/artifacts"
)

// Bounds of the durations a misconfiguration could otherwise stretch without limit.
const (
	maxClientTimeout  = 5 * time.Minute
	maxCancelTimeout  = 30 * time.Minute
	maxOperatorPeriod = 24 * time.Hour
)

// Notes shared by several keys.
const (
	noteNoAutoscaler   = "Teal has no autoscaler yet: autoscaling is not performed"
	noteRestartToApply = "read by main.go at start-up (the --leader-elect* flags win when given)"
	noteJavaOnly       = "an implementation detail of the Java operator with no counterpart in Teal"
	noteRetries        = "controller-runtime retries failed reconciles with its own exponential backoff"
	noteMetrics        = "Teal exposes Prometheus metrics instead (docs/metrics.md)"
)

func honoured(name string, typ Type, def string, scope Scope, note string) Key {
	return Key{Name: name, Type: typ, Default: def, State: Honoured, Scope: scope, Note: note}
}

func warned(name string, typ Type, def string, scope Scope, note string) Key {
	return Key{Name: name, Type: typ, Default: def, State: Warned, Scope: scope, Note: note}
}

func bounded(key Key, max time.Duration) Key { key.Max = max; return key }

func enum(key Key, values ...string) Key { key.Type = TypeEnum; key.Enum = values; return key }

const op = "kubernetes.operator."

// registry lists every key Teal knows: upstream's documented operator keys, Teal's own, and the Flink-facing
// families Teal interprets. docs/configuration.md is generated from it.
var registry = []Key{
	// Reconciliation and the Flink REST client (operator-wide: a resource must not steer them).
	bounded(honoured(KeyReconcileInterval, TypeDuration, "1 min", ScopeOperator, "how often a resource is reconciled when nothing changes"), maxOperatorPeriod),
	honoured(KeyReconcileParallelism, TypeInteger, "200", ScopeOperator, "reconciles running at once per kind (-1: no limit); each reconcile has a 2 min deadline"),
	bounded(honoured(KeyProgressCheckInterval, TypeDuration, "10 s", ScopeOperator, "how often an operation in flight (savepoint, deployment) is checked"), time.Hour),
	warned(op+"observer.rest-ready.delay", TypeDuration, "10 s", ScopeOperator, "Teal watches the JobManager Deployment's readiness instead of waiting a fixed delay"),
	bounded(honoured(KeyClientTimeout, TypeDuration, "10 s", ScopeOperator, "timeout of each Flink REST call (bounded to 5 min)"), maxClientTimeout),
	bounded(honoured(KeyClientCancelTimeout, TypeDuration, "1 min", ScopeOperator, "how long a cancel or stop-with-savepoint may take (bounded to 30 min)"), maxCancelTimeout),
	honoured(KeyRestURLTemplate, TypeString, DefaultRestURLTemplate, ScopeOperator, "Teal's: Go template of the JobManager REST address (.Name, .Namespace, .Port)"),
	honoured(KeyCleanupTimeout, TypeDuration, "5 min", ScopeOperator, "how long a deletion retries its savepoint on deletion (JobManager unreachable) before it deletes the cluster without one"),
	enum(warned(op+"resource.deletion.propagation", "", "Foreground", ScopeOperator, "Teal deletes children with owner references (background propagation)"), "Foreground", "Background", "Orphan"),
	warned(op+"job.submission.timeout", TypeDuration, "10 min", ScopeOperator, "Teal bounds submission by kubernetes.operator.deployment.readiness.timeout"),
	warned(op+"termination.timeout", TypeDuration, "10 s", ScopeOperator, "use the --graceful-shutdown-timeout flag (chart: gracefulShutdownTimeout)"),
	warned(op+"startup.stop-on-informer-error", TypeBoolean, "true", ScopeOperator, "controller-runtime's caches fail the start-up when they cannot sync"),
	warned(op+"cluster.resource-view.refresh-interval", TypeDuration, "-1 min", ScopeOperator, noteJavaOnly),
	warned(op+"health.canary.resource.timeout", TypeDuration, "1 min", ScopeOperator, "Teal has no canary resources; /readyz and /healthz serve the probes"),
	warned(op+"health.probe.enabled", TypeBoolean, "true", ScopeOperator, "use --health-probe-bind-address (chart: probePort)"),
	warned(op+"health.probe.port", TypeInteger, "8085", ScopeOperator, "use --health-probe-bind-address (chart: probePort)"),
	warned(op+"config.cache.size", TypeInteger, "1000", ScopeOperator, noteJavaOnly),
	warned(op+"config.cache.timeout", TypeDuration, "10 min", ScopeOperator, noteJavaOnly),
	honoured(KeyDynamicConfigEnabled, TypeBoolean, "false", ScopeOperator, "reload the mounted configuration when it changes"),
	warned(op+"dynamic.config.check.interval", TypeDuration, "5 min", ScopeOperator, "Teal reloads as soon as the mounted file changes"),
	honoured(KeyWatchedNamespaces, TypeString, AllNamespaces, ScopeOperator, "comma-separated namespaces; JOSDK_ALL_NAMESPACES (or empty) watches all"),
	honoured(KeyDynamicNamespaces, TypeBoolean, "false", ScopeOperator, "with dynamic config, a reload changes the watched namespaces without a restart (the operator then reads every namespace and filters; needs cluster-wide read access)"),
	honoured(KeyLabelSelector, TypeString, "", ScopeOperator, "label selector of the resources this operator reconciles (others are left to another operator)"),
	warned(op+"retry.initial.interval", TypeDuration, "5 s", ScopeOperator, noteRetries),
	warned(op+"retry.interval.multiplier", TypeDouble, "1.5", ScopeOperator, noteRetries),
	warned(op+"retry.max.attempts", TypeInteger, "15", ScopeOperator, noteRetries),
	warned(op+"retry.max.interval", TypeDuration, "", ScopeOperator, noteRetries),
	warned(op+"rate-limiter.limit", TypeInteger, "5", ScopeOperator, "controller-runtime's work queue rate-limits reconciles"),
	warned(op+"rate-limiter.refresh-period", TypeDuration, "15 s", ScopeOperator, "controller-runtime's work queue rate-limits reconciles"),
	honoured(KeyLeaderElectionEnabled, TypeBoolean, "false", ScopeOperator, noteRestartToApply),
	honoured(KeyLeaderElectionLease, TypeString, "teal-operator-lock", ScopeOperator, noteRestartToApply),
	honoured(KeyLeaderElectionDuration, TypeDuration, "15 s", ScopeOperator, noteRestartToApply),
	honoured(KeyLeaderElectionRenew, TypeDuration, "10 s", ScopeOperator, noteRestartToApply),
	honoured(KeyLeaderElectionRetry, TypeDuration, "2 s", ScopeOperator, noteRestartToApply),
	warned(op+"exception.stacktrace.enabled", TypeBoolean, "false", ScopeOperator, "status.error carries Flink's message; events carry the stack trace lines of kubernetes.operator.events.exceptions.*"),
	warned(op+"exception.stacktrace.max.length", TypeInteger, "2048", ScopeOperator, "see kubernetes.operator.events.exceptions.*"),
	warned(op+"exception.field.max.length", TypeInteger, "2048", ScopeOperator, "see kubernetes.operator.events.exceptions.*"),
	warned(op+"exception.throwable.list.max.count", TypeInteger, "2", ScopeOperator, "see kubernetes.operator.events.exceptions.*"),
	warned(op+"exception.label.mapper", TypeMap, "", ScopeResource, "status.error is not labelled"),
	honoured(KeyExceptionLimit, TypeInteger, "10", ScopeOperator, "job exceptions reported as events per reconcile"),
	honoured(KeyExceptionStacktraceLines, TypeInteger, "5", ScopeOperator, "stack trace lines per exception event"),
	{Name: op + "plugins.listeners.", Prefix: true, Type: TypeString, State: Rejected, Scope: ScopeResource, Note: "Teal cannot load Java listener plugins: watch the resources' events and conditions instead"},
	honoured("teal.operator.validation.policy-configmap", TypeString, "", ScopeOperator, "Teal's: namespace/name of the ConfigMap of JSON Schema admission policies"),
	{Name: DefaultConfigurationPrefix, Prefix: true, Type: TypeString, State: Honoured, Scope: ScopeOperator, Note: "Flink defaults: <key>, namespace.<ns>.<key>, flink-version.<v>.<key>, flink-version.<v>+.<key>"},

	// Artifacts (session job jars).
	honoured(KeyAllowedArtifactSchemes, TypeList, "https", ScopeOperator, "schemes a session job's jarURI may use (https, http, s3, s3a, s3p, file, local); gs, hdfs, abfs, oss, wasb are refused at admission"),
	honoured(KeyDisallowRestrictedHosts, TypeBoolean, "true", ScopeOperator, "refuse jar hosts resolving to loopback, link-local, private or multicast addresses"),
	honoured(KeyArtifactsBaseDir, TypeString, DefaultArtifactsBaseDir, ScopeOperator, "where the operator keeps downloaded jars"),
	honoured(KeyArtifactsHTTPHeader, TypeMap, "", ScopeResource, "headers sent when downloading http(s) jars (key1:value1,key2:value2)"),

	// Per-resource behaviour (upstream's dynamic section).
	warned(op+"checkpoint.trigger.grace-period", TypeDuration, "1 min", ScopeResource, "periodic checkpoints trigger on their interval without a grace period"),
	Key{Name: KeyCheckpointType, Type: TypeEnum, Enum: []string{"FULL", "INCREMENTAL", "UNKNOWN"}, Default: "FULL", State: Warned, HonouredValue: "FULL", Scope: ScopeResource, Note: "Teal always triggers FULL checkpoints"},
	honoured(KeyHealthCheckCheckpointProgress, TypeBoolean, "true", ScopeResource, ""),
	honoured(KeyHealthCheckCheckpointWindow, TypeDuration, "", ScopeResource, ""),
	honoured(KeyHealthCheckEnabled, TypeBoolean, "false", ScopeResource, ""),
	honoured(KeyHealthCheckRestartsThreshold, TypeInteger, "64", ScopeResource, ""),
	honoured(KeyHealthCheckRestartsWindow, TypeDuration, "2 min", ScopeResource, ""),
	bounded(honoured(KeyReadinessTimeout, TypeDuration, "5 min", ScopeResource, ""), maxOperatorPeriod),
	honoured(KeyRollbackEnabled, TypeBoolean, "false", ScopeResource, ""),
	honoured(KeyJMDeploymentRecovery, TypeBoolean, "true", ScopeResource, ""),
	honoured(op+"reconciler.jm-deployment-recovery.enabled", TypeBoolean, "true", ScopeResource, "deprecated spelling of kubernetes.operator.jm-deployment-recovery.enabled"),
	warned(op+"jm-deployment.shutdown-ttl", TypeDuration, "1 d", ScopeResource, "Teal deletes a finished cluster's JobManager Deployment with the resource"),
	warned(op+"jm-deployment.startup.probe.enabled", TypeBoolean, "true", ScopeResource, "Teal adds no JobManager startup probe; set one in the pod template"),
	warned(op+"job.drain-on-savepoint-deletion", TypeBoolean, "false", ScopeResource, "savepoints taken on deletion are not drained"),
	honoured(KeyJobRestartFailed, TypeBoolean, "false", ScopeResource, ""),
	honoured(KeySavepointOnDeletion, TypeBoolean, "false", ScopeResource, ""),
	warned(op+"job.upgrade.ignore-pending-savepoint", TypeBoolean, "false", ScopeResource, "an upgrade always waits for a pending savepoint"),
	warned(op+"job.upgrade.inplace-scaling.enabled", TypeBoolean, "true", ScopeResource, "Teal rescales through the spec diff's SCALE rule, not this switch"),
	honoured(KeyLastStateFallback, TypeBoolean, "true", ScopeResource, ""),
	warned(op+"job.upgrade.last-state.job-cancel.enabled", TypeBoolean, "false", ScopeResource, "last-state upgrades suspend through the JobManager Deployment"),
	warned(KeyLastStateMaxCheckpointAge, TypeDuration, "", ScopeResource, "the age of the last checkpoint is not checked before a last-state upgrade"),
	honoured(KeyPeriodicCheckpointInterval, TypeString, "", ScopeResource, "a duration or a Quartz cron expression"),
	honoured(KeyPeriodicSavepointInterval, TypeString, "", ScopeResource, "a duration or a Quartz cron expression"),
	warned(op+"pod-template.merge-arrays-by-name", TypeBoolean, "false", ScopeResource, "pod templates merge as Teal's docs/flinkdeployment.md describes"),
	honoured(KeySavepointCleanupEnabled, TypeBoolean, "true", ScopeResource, ""),
	honoured(KeySavepointDisposeOnDelete, TypeBoolean, "false", ScopeResource, ""),
	enum(honoured(KeySavepointFormatType, "", "CANONICAL", ScopeResource, ""), "CANONICAL", "NATIVE", "UNKNOWN"),
	honoured(KeySavepointHistoryMaxAge, TypeDuration, "1 d", ScopeResource, ""),
	warned(op+"savepoint.history.max.age.threshold", TypeDuration, "", ScopeOperator, "kubernetes.operator.savepoint.history.max.age applies as set"),
	honoured(KeySavepointHistoryMaxCount, TypeInteger, "10", ScopeResource, ""),
	warned(op+"savepoint.history.max.count.threshold", TypeInteger, "", ScopeOperator, "kubernetes.operator.savepoint.history.max.count applies as set"),
	warned(op+"savepoint.trigger.grace-period", TypeDuration, "1 min", ScopeResource, "periodic savepoints trigger on their interval without a grace period"),
	warned(op+"session.deletion.block-on-session-jobs", TypeBoolean, "true", ScopeResource, "a session cluster's deletion is not blocked by its session jobs"),
	warned(op+"session.deletion.block-on-unmanaged-jobs", TypeBoolean, "true", ScopeResource, "a session cluster's deletion is not blocked by unmanaged jobs"),
	honoured(KeySnapshotResource, TypeBoolean, "true", ScopeResource, ""),
	warned(op+"ingress.manage", TypeBoolean, "true", ScopeOperator, "Teal always manages the Ingress of spec.ingress"),

	// Blue/green (spec.configuration of a FlinkBlueGreenDeployment).
	honoured(op+"bluegreen.abort.grace-period", TypeDuration, "10 min", ScopeResource, ""),
	honoured(op+"bluegreen.reconciliation.reschedule-interval", TypeDuration, "15 s", ScopeResource, ""),
	honoured(op+"bluegreen.deployment-deletion.delay", TypeDuration, "0 s", ScopeResource, ""),
	honoured(KeyBlueGreenTransitionDeadline, TypeDuration, "10 min", ScopeResource,
		"transitionMode ADVANCED: how long the cut-over may wait for the gates to agree on W before it is aborted back to the outgoing child (docs/bluegreen-exactly-once.md)"),
	honoured(KeyBlueGreenGateImage, TypeString, "", ScopeOperator,
		"transitionMode ADVANCED: the image an init container copies the gate jar from (the operator image; the chart sets it); empty: the Flink image carries the jar at "+DefaultBlueGreenGateJarPath),
	honoured(KeyBlueGreenGateImagePullPolicy, TypeString, "IfNotPresent", ScopeOperator, "the gate init container's image pull policy"),

	// The FLIP-504 gate's keys in a blue/green template's flinkConfiguration (read by the gate in the job).
	enum(honoured("bluegreen.gate.strategy", "", "", ScopeResource, "required for transitionMode ADVANCED"), "WATERMARK"),
	honoured("bluegreen.gate.watermark.field-path", TypeString, "", ScopeResource, "the record's event time: a dot-separated path (exactly one extractor key for ADVANCED)"),
	honoured("bluegreen.gate.watermark.extractor-class", TypeString, "", ScopeResource, "the record's event time: a class of the job's jar (exactly one extractor key for ADVANCED)"),
	honoured("bluegreen.gate.watermark.field-index", TypeInteger, "", ScopeResource, "the SQL row's event time column (exactly one extractor key for ADVANCED)"),
	enum(honoured("bluegreen.gate.injection.position", "", "BEFORE_SINK", ScopeResource, "where the gate is injected"), "BEFORE_SINK", "AFTER_SOURCE"),
	honoured("bluegreen.active-deployment-type", TypeString, "", ScopeResource, "written by the blue/green controller on each child (its own colour)"),
	honoured("bluegreen.configmap.name", TypeString, "", ScopeResource, "written by the blue/green controller on each child"),
	honoured("bluegreen.gate.injection.enabled", TypeBoolean, "false", ScopeResource, "written by the blue/green controller on each ADVANCED child"),

	// Metrics (upstream's Dropwizard reporters).
	warned(op+"josdk.metrics.enabled", TypeBoolean, "true", ScopeOperator, noteMetrics),
	warned(op+"jvm.metrics.enabled", TypeBoolean, "true", ScopeOperator, noteMetrics),
	warned(op+"kubernetes.client.metrics.enabled", TypeBoolean, "true", ScopeOperator, noteMetrics),
	warned(op+"kubernetes.client.metrics.http.response.code.groups.enabled", TypeBoolean, "false", ScopeOperator, noteMetrics),
	warned(op+"kubernetes.client.metrics.slow.request.threshold", TypeDuration, "5 s", ScopeOperator, noteMetrics),
	warned(op+"metrics.histogram.sample.size", TypeInteger, "1000", ScopeOperator, noteMetrics),
	{Name: op + "metrics.scope.", Prefix: true, Type: TypeString, State: Warned, Scope: ScopeOperator, Note: noteMetrics},
	warned(op+"resource.lifecycle.metrics.enabled", TypeBoolean, "true", ScopeOperator, noteMetrics),
	warned(op+"resource.lifecycle.namespace.histograms.enabled", TypeBoolean, "true", ScopeOperator, noteMetrics),
	warned(op+"resource.metrics.enabled", TypeBoolean, "true", ScopeOperator, noteMetrics),

	// The autoscaler (Flink-facing keys under job.autoscaler., and their deprecated operator spelling).
	{Name: "job.autoscaler.", Prefix: true, Type: TypeString, State: Warned, Scope: ScopeResource, Note: noteNoAutoscaler},
	{Name: op + "job.autoscaler.", Prefix: true, Type: TypeString, State: Warned, Scope: ScopeResource, Note: noteNoAutoscaler},
}

var registryByName = func() map[string]Key {
	byName := map[string]Key{}
	for _, entry := range registry {
		if !entry.Prefix {
			byName[entry.Name] = entry
		}
	}
	return byName
}()
