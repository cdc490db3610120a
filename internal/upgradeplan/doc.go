// Package upgradeplan decides the next step of a FlinkDeployment towards its desired spec: from an Observation
// of the spec diff, the cluster, the job and the recorded intent, NextStep picks the one step that comes next
// (begin an upgrade, scale in place, stop with a savepoint, checkpoint and cancel, delete the cluster, deploy,
// recover a lost JobManager, roll back, restart, or report that only a person can restore the state). It also
// judges a job's latest checkpoint against the maximum age a last-state upgrade accepts (CheckpointAgeOf) and
// when a deployed spec is due for rollback (RollbackDue), where a restart takes the job's state from
// (RestartSourceOf), when an observation that costs a request is needed (AsksHAData, AsksCheckpointAge,
// FinishedClusterRuns) and what a lost cluster's message says (LostCluster). Everything here is pure and covered by table tests;
// controllers/flinkdeployment gathers the observation and carries the step out.
package upgradeplan
