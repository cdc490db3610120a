package upgradeplan

import (
	"testing"

	. "github.com/onsi/gomega"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
	"github.com/teal-flink/teal/internal/flinkapi"
)

func TestAsks(t *testing.T) {
	running := &flinkapi.JobInfo{ID: "j", State: flinkv1beta1.JobStatusRunning}
	finished := &flinkapi.JobInfo{ID: "j", State: flinkv1beta1.JobStatusFinished}
	lastState := spec(flinkv1beta1.UpgradeModeLastState, flinkv1beta1.JobStateRunning)
	upgrading := Observation{Target: lastState, Reconciliation: flinkv1beta1.ReconciliationStateUpgrading, ClusterExists: true, Job: running}
	with := func(o Observation, change func(*Observation)) Observation { change(&o); return o }
	deployedFinished := Observation{Target: lastState, Reconciliation: flinkv1beta1.ReconciliationStateDeployed, ClusterExists: true, Job: finished}
	lost := Observation{Target: lastState, HighAvailability: true, JobOnRecord: true}
	for _, tc := range []struct {
		name   string
		ask    func(Observation) bool
		obs    Observation
		expect bool
	}{
		{"HA data: cluster lost under HA with a job on record", AsksHAData, lost, true},
		{"HA data: the cluster exists", AsksHAData, with(lost, func(o *Observation) { o.ClusterExists = true }), false},
		{"HA data: HA off", AsksHAData, with(lost, func(o *Observation) { o.HighAvailability = false }), false},
		{"HA data: no job on record", AsksHAData, with(lost, func(o *Observation) { o.JobOnRecord = false }), false},
		{"HA data: before the first deployment", AsksHAData, with(lost, func(o *Observation) { o.Target = nil }), false},
		{"checkpoint age: last-state upgrade of a running job", AsksCheckpointAge, upgrading, true},
		{"checkpoint age: savepoint mode", AsksCheckpointAge,
			with(upgrading, func(o *Observation) { o.Target = spec(flinkv1beta1.UpgradeModeSavepoint, flinkv1beta1.JobStateRunning) }), false},
		{"checkpoint age: not upgrading", AsksCheckpointAge,
			with(upgrading, func(o *Observation) { o.Reconciliation = flinkv1beta1.ReconciliationStateDeployed }), false},
		{"checkpoint age: the cluster already runs the target", AsksCheckpointAge, with(upgrading, func(o *Observation) { o.ClusterIsTarget = true }), false},
		{"checkpoint age: a restart", AsksCheckpointAge, with(upgrading, func(o *Observation) { o.Restarting = true }), false},
		{"checkpoint age: a rollback", AsksCheckpointAge, with(upgrading, func(o *Observation) { o.RollingBack = true }), false},
		{"checkpoint age: a savepoint redeploy", AsksCheckpointAge, with(upgrading, func(o *Observation) { o.SavepointRedeploy = true }), false},
		{"checkpoint age: a savepoint in flight", AsksCheckpointAge, with(upgrading, func(o *Observation) { o.SavepointInFlight = true }), false},
		{"checkpoint age: a newer spec waits", AsksCheckpointAge, with(upgrading, func(o *Observation) { o.SpecChanged = true }), false},
		{"checkpoint age: the job does not run", AsksCheckpointAge, with(upgrading, func(o *Observation) { o.Job = finished }), false},
		{"checkpoint age: no job known", AsksCheckpointAge, with(upgrading, func(o *Observation) { o.Job = nil }), false},
		{"terminal state: a stateful upgrade deletes the cluster", NeedsTerminalState, upgrading, true},
		{"terminal state: savepoint mode too", NeedsTerminalState,
			with(upgrading, func(o *Observation) { o.Target = spec(flinkv1beta1.UpgradeModeSavepoint, flinkv1beta1.JobStateRunning) }), true},
		{"terminal state: stateless", NeedsTerminalState,
			with(upgrading, func(o *Observation) { o.Target = spec(flinkv1beta1.UpgradeModeStateless, flinkv1beta1.JobStateRunning) }), false},
		{"terminal state: HA recovers it", NeedsTerminalState, with(upgrading, func(o *Observation) { o.HighAvailability = true }), false},
		{"terminal state: a rollback", NeedsTerminalState, with(upgrading, func(o *Observation) { o.RollingBack = true }), false},
		{"terminal state: a restart", NeedsTerminalState, with(upgrading, func(o *Observation) { o.Restarting = true }), false},
		{"terminal state: a savepoint redeploy", NeedsTerminalState, with(upgrading, func(o *Observation) { o.SavepointRedeploy = true }), false},
		{"terminal state: not upgrading", NeedsTerminalState,
			with(upgrading, func(o *Observation) { o.Reconciliation = flinkv1beta1.ReconciliationStateDeployed }), false},
		{"terminal state: session cluster", NeedsTerminalState, with(upgrading, func(o *Observation) { o.Target = &flinkv1beta1.FlinkDeploymentSpec{} }), false},
		{"shutdown TTL: finished job's cluster runs", FinishedClusterRuns, deployedFinished, true},
		{"shutdown TTL: the job still runs", FinishedClusterRuns, with(deployedFinished, func(o *Observation) { o.Job = running }), false},
		{"shutdown TTL: a change waits", FinishedClusterRuns, with(deployedFinished, func(o *Observation) { o.SpecChanged = true }), false},
		{"shutdown TTL: cluster gone", FinishedClusterRuns, with(deployedFinished, func(o *Observation) { o.ClusterExists = false }), false},
		{"shutdown TTL: upgrading", FinishedClusterRuns,
			with(deployedFinished, func(o *Observation) { o.Reconciliation = flinkv1beta1.ReconciliationStateUpgrading }), false},
		{"shutdown TTL: session cluster", FinishedClusterRuns, with(deployedFinished, func(o *Observation) { o.Target = &flinkv1beta1.FlinkDeploymentSpec{} }), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := NewWithT(t)
			g.Expect(tc.ask(tc.obs)).To(Equal(tc.expect))
		})
	}
}

func TestLostClusterMessage(t *testing.T) {
	savepoint := spec(flinkv1beta1.UpgradeModeSavepoint, flinkv1beta1.JobStateRunning)
	lastState := spec(flinkv1beta1.UpgradeModeLastState, flinkv1beta1.JobStateRunning)
	for _, tc := range []struct {
		name    string
		lost    LostCluster
		contain []string
	}{
		{"HA off, nothing recorded", LostCluster{Name: "d", Target: lastState, JobID: "j"},
			[]string{"went missing while job j (unknown) ran, and HA is off", "last recorded savepoint (none)", "Manual restore required."}},
		{"HA data gone, during an upgrade", LostCluster{Name: "d", Target: lastState, HighAvailability: true, Upgrading: true,
			JobID: "j", JobState: flinkv1beta1.JobStatusRunning, Recorded: "file:/sp/1"},
			[]string{"went missing during the upgrade while job j (RUNNING) ran", "(ConfigMaps app=d,configmap-type=high-availability) is gone", "(file:/sp/1)"}},
		{"savepoint mode without the fallback", LostCluster{Name: "d", Target: savepoint, HighAvailability: true},
			[]string{"last-state-fallback.enabled is false, so a savepoint upgrade does not resume from HA metadata"}},
		{"savepoint mode with the fallback: the HA data is what is gone", LostCluster{Name: "d", Target: savepoint, HighAvailability: true, LastStateFallback: true},
			[]string{"HA metadata (ConfigMaps app=d"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := NewWithT(t)
			message := tc.lost.Message("Manual restore required.")
			for _, part := range tc.contain {
				g.Expect(message).To(ContainSubstring(part))
			}
			g.Expect(message).To(ContainSubstring("spec.job.savepointRedeployNonce"))
		})
	}
}
