// Package flinkdeployment reconciles FlinkDeployments: it builds the Flink cluster's objects, observes the
// JobManager Deployment and the job through Flink's REST API, carries running jobs over spec changes with the
// configured upgrade mode (stateless, savepoint, last-state), suspends and resumes them, recovers a lost
// JobManager, and reports progress through the GitOps status contract. Every step that touches Flink records its
// intent in status first, so an operator restarted at any point resumes the same step instead of repeating it.
// Which step comes next is decided by internal/upgradeplan from the observations the phases gather here.
package flinkdeployment
