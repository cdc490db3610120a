// Package jobops holds the job operations every controller shares (FlinkDeployment, FlinkSessionJob,
// FlinkBlueGreenDeployment through its children): the decisions about a job's state that must be the same
// wherever a job is stopped, restarted or restored — which checkpoints survive a cancel or a failure, and which
// recorded state is the newest one a job may restore from. Decisions are pure functions; controllers carry them
// out.
package jobops
