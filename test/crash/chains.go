package crash

import "github.com/teal-flink/teal/internal/failpoint"

// The crash chains: for each operation, the steps an operator is killed at, one after another within the same
// operation — the first operator dies at the first step, a fresh one resumes the operation and dies at the
// second, and so on; a last one, with no crash point, must finish the operation. "<step>/intent" is between
// recording a step's intent in status and acting on it; a bare step is after acting, before the reconcile
// records the result. The same chains run in process on the Flink stand-in (the controllers' crash tests,
// Stack.KillChain) and against the operator binary and real Flink 1.20 and 2.x (test/e2e, TEAL_CRASH_AT), so
// both grounds kill at the same points.
//
// A chain resumes what the previous operator left, so its points are the steps a restarted operator takes:
// after a kill at "StopWithSavepoint/intent" the trigger is recorded and Flink was never asked, so the next
// operator polls it, finds it unknown and sends it again under the recorded id — "AwaitSavepoint" is then
// the point after that Flink call, before its result is recorded.
var (
	// SavepointUpgradeChain: a FlinkDeployment's savepoint upgrade (stop with savepoint, delete, deploy).
	SavepointUpgradeChain = []string{"StopWithSavepoint/intent", "AwaitSavepoint", "DeleteCluster/intent", "DeleteCluster", "Deploy"}
	// LastStateUpgradeChain: a FlinkDeployment's last-state upgrade without HA (checkpoint recorded, cancel,
	// delete, deploy from the checkpoint, which RETAIN_ON_CANCELLATION keeps).
	LastStateUpgradeChain = []string{"CheckpointAndCancel/intent", "CheckpointAndCancel", "DeleteCluster/intent", "DeleteCluster", "Deploy"}
	// HealthRestartChain: a FlinkDeployment restarted by the cluster health check from its latest checkpoint
	// (the restart and its checkpoint recorded, cancel, delete, deploy).
	HealthRestartChain = []string{"BeginRestart", "Cancel", "DeleteCluster/intent", "DeleteCluster", "Deploy"}
	// SessionJobSavepointUpgradeChain: a FlinkSessionJob's savepoint upgrade (stop with savepoint, submit the
	// new job under the id recorded first).
	SessionJobSavepointUpgradeChain = []string{"StopWithSavepoint/intent", "AwaitSavepoint", "Submit/intent", "Submit"}
	// SnapshotTriggerChain: a FlinkStateSnapshot savepoint (trigger id recorded, Flink asked).
	SnapshotTriggerChain = []string{"Trigger/intent", "Trigger"}
	// BlueGreenTransitionChain: a BASIC blue→green transition (intent, savepoint of blue, intent, green
	// created, blue deleted).
	BlueGreenTransitionChain = []string{"Intent SAVEPOINTING_BLUE", "TriggerSavepoint(BLUE)", "Intent TRANSITIONING_TO_GREEN",
		"ApplyChild(GREEN)", "DeleteChild(BLUE)"}
)

// Points are a chain's crash points for one object.
func Points(kind, namespace, name string, chain []string) []failpoint.Point {
	points := make([]failpoint.Point, len(chain))
	for i, step := range chain {
		points[i] = failpoint.Point{Kind: kind, Namespace: namespace, Name: name, Step: step}
	}
	return points
}
