// Package jobops holds the job operations every controller shares (FlinkDeployment, FlinkSessionJob,
// FlinkBlueGreenDeployment through its children), so that a job is stopped, savepointed, cancelled and restored
// the same way everywhere: one trigger-id policy (a fresh id per attempt, recorded as intent before Flink is
// asked), one rule for REST errors (a transient error keeps a recorded trigger, a definitive answer drops it),
// one meaning of a 409 on cancel (the job is already terminal), which checkpoints survive a cancel or a
// failure, and which recorded state a new job restores from. Decisions are pure functions with table tests;
// the operations call Flink through flinkapi.API and leave status patches and events to the controllers.
package jobops
