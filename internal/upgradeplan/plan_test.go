package upgradeplan

import (
	"testing"
	"time"

	. "github.com/onsi/gomega"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
	"github.com/teal-flink/teal/internal/flink"
	"github.com/teal-flink/teal/internal/flinkapi"
	"github.com/teal-flink/teal/internal/specdiff"
)

func spec(mode flinkv1beta1.UpgradeMode, state flinkv1beta1.JobState) *flinkv1beta1.FlinkDeploymentSpec {
	return &flinkv1beta1.FlinkDeploymentSpec{Image: "flink:1.20", Job: &flinkv1beta1.JobSpec{UpgradeMode: mode, State: state}}
}

func TestNextStep(t *testing.T) {
	running := &flinkapi.JobInfo{ID: "j", State: flinkv1beta1.JobStatusRunning}
	savepoint := spec(flinkv1beta1.UpgradeModeSavepoint, flinkv1beta1.JobStateRunning)
	upgrading := flinkv1beta1.ReconciliationStateUpgrading
	deployed := flinkv1beta1.ReconciliationStateDeployed
	RollingBack := flinkv1beta1.ReconciliationStateRollingBack
	rolledBack := flinkv1beta1.ReconciliationStateRolledBack
	failed := &flinkapi.JobInfo{ID: "j", State: flinkv1beta1.JobStatusFailed}
	Restarting := &flinkapi.JobInfo{ID: "j", State: flinkv1beta1.JobStatusRestarting}
	cases := []struct {
		name string
		obs  Observation
		want Step
	}{
		{"first deployment", Observation{Desired: savepoint}, StepBeginUpgrade},
		{"in sync", Observation{Target: savepoint, Reconciliation: deployed, ClusterExists: true, Job: running}, StepNone},
		{"ignorable change is recorded without a restart", Observation{Target: savepoint, Reconciliation: deployed, SpecChanged: true, Diff: specdiff.Ignore, ClusterExists: true}, StepRecordIgnorable},
		{"scale in place", Observation{Target: savepoint, Reconciliation: deployed, SpecChanged: true, Diff: specdiff.Scale, ClusterExists: true, ScaleInPlace: true}, StepScale},
		{"a scale Flink cannot apply in place is an upgrade", Observation{Target: savepoint, Reconciliation: deployed, SpecChanged: true, Diff: specdiff.Scale, ClusterExists: true}, StepBeginUpgrade},
		{"upgrade starts", Observation{Target: savepoint, Reconciliation: deployed, SpecChanged: true, Diff: specdiff.Upgrade, ClusterExists: true, Job: running}, StepBeginUpgrade},
		{"savepoint redeploy starts", Observation{Target: savepoint, Reconciliation: deployed, SpecChanged: true, Diff: specdiff.SavepointRedeploy, ClusterExists: true}, StepBeginUpgrade},
		{"savepoint mode stops with a savepoint", Observation{Target: savepoint, Reconciliation: upgrading, ClusterExists: true, Job: running}, StepStopWithSavepoint},
		{"savepoint in flight is polled, never retriggered", Observation{Target: savepoint, Reconciliation: upgrading, ClusterExists: true, Job: running, SavepointInFlight: true}, StepAwaitSavepoint},
		{"a savepoint redeploy cancels without a savepoint", Observation{Target: savepoint, Reconciliation: upgrading, ClusterExists: true, Job: running, SavepointRedeploy: true}, StepCancel},
		{"a starting job is awaited before its savepoint", Observation{Target: savepoint, Reconciliation: upgrading, ClusterExists: true, Job: &flinkapi.JobInfo{State: flinkv1beta1.JobStatusCreated}}, StepAwaitJobRunning},
		{"a starting stateless job is cancelled at once", Observation{Target: spec(flinkv1beta1.UpgradeModeStateless, ""), Reconciliation: upgrading, ClusterExists: true, Job: &flinkapi.JobInfo{State: flinkv1beta1.JobStatusCreated}}, StepCancel},
		{"stateless cancels", Observation{Target: spec(flinkv1beta1.UpgradeModeStateless, ""), Reconciliation: upgrading, ClusterExists: true, Job: running}, StepCancel},
		{"last-state without HA records a checkpoint", Observation{Target: spec(flinkv1beta1.UpgradeModeLastState, ""), Reconciliation: upgrading, ClusterExists: true, Job: running}, StepCheckpointAndCancel},
		{"last-state with HA only replaces the cluster", Observation{Target: spec(flinkv1beta1.UpgradeModeLastState, ""), Reconciliation: upgrading, ClusterExists: true, Job: running, HighAvailability: true}, StepDeleteCluster},
		{"cancelling job is awaited", Observation{Target: savepoint, Reconciliation: upgrading, ClusterExists: true, Job: &flinkapi.JobInfo{State: flinkv1beta1.JobStatusCancelling}}, StepAwaitJobEnd},
		{"stopped job's cluster is deleted", Observation{Target: savepoint, Reconciliation: upgrading, ClusterExists: true, Job: &flinkapi.JobInfo{State: flinkv1beta1.JobStatusFinished}}, StepDeleteCluster},
		{"unreachable old cluster is deleted", Observation{Target: savepoint, Reconciliation: upgrading, ClusterExists: true}, StepDeleteCluster},
		{"no cluster: deploy the target", Observation{Target: savepoint, Reconciliation: upgrading}, StepDeploy},
		{"restart after the new cluster was created", Observation{Target: savepoint, Reconciliation: upgrading, ClusterExists: true, ClusterIsTarget: true, Job: running}, StepMarkDeployed},
		{"suspend ends without a cluster", Observation{Target: spec(flinkv1beta1.UpgradeModeSavepoint, flinkv1beta1.JobStateSuspended), Reconciliation: upgrading}, StepMarkSuspended},
		{"suspended stays suspended", Observation{Target: spec(flinkv1beta1.UpgradeModeSavepoint, flinkv1beta1.JobStateSuspended), Reconciliation: deployed}, StepNone},
		{"a newer spec while upgrading retargets", Observation{Target: savepoint, Reconciliation: upgrading, SpecChanged: true, Diff: specdiff.Upgrade, ClusterExists: true, Job: running}, StepBeginUpgrade},
		{"lost JobManager of a stateless job is recovered", Observation{Target: spec(flinkv1beta1.UpgradeModeStateless, ""), Reconciliation: deployed, RecoveryEnabled: true}, StepRecoverJobManager},
		{"lost JobManager with HA is recovered", Observation{Target: savepoint, Reconciliation: deployed, RecoveryEnabled: true, HighAvailability: true, JobOnRecord: true, HADataAvailable: true}, StepRecoverJobManager},
		{"defect 2: a lost JobManager whose HA metadata is gone needs a person", Observation{Target: savepoint, Reconciliation: deployed, RecoveryEnabled: true, HighAvailability: true, JobOnRecord: true}, StepLostCluster},
		{"a lost JobManager with HA but recovery off needs a person", Observation{Target: savepoint, Reconciliation: deployed, HighAvailability: true, JobOnRecord: true, HADataAvailable: true}, StepManualRestore},
		{"lost JobManager of a stateful job without HA needs a person", Observation{Target: savepoint, Reconciliation: deployed, RecoveryEnabled: true}, StepManualRestore},
		{"lost session cluster is recovered", Observation{Target: &flinkv1beta1.FlinkDeploymentSpec{}, Reconciliation: deployed, RecoveryEnabled: true}, StepRecoverJobManager},
		{"recovery disabled", Observation{Target: spec(flinkv1beta1.UpgradeModeStateless, ""), Reconciliation: deployed}, StepManualRestore},
		{"rollback due starts a rollback", Observation{Target: savepoint, Reconciliation: deployed, ClusterExists: true, Job: failed, RollbackDue: true}, StepBeginRollback},
		{"a spec change wins over a due rollback", Observation{Target: savepoint, Reconciliation: deployed, SpecChanged: true, Diff: specdiff.Upgrade, ClusterExists: true, RollbackDue: true}, StepBeginUpgrade},
		{"rollback cancels a failed job, keeping the handed-over state", Observation{Target: savepoint, Reconciliation: RollingBack, RollingBack: true, ClusterExists: true, Job: Restarting}, StepCancel},
		{"rollback takes a running job's latest checkpoint", Observation{Target: savepoint, Reconciliation: RollingBack, RollingBack: true, ClusterExists: true, Job: running}, StepCheckpointAndCancel},
		{"rollback never takes a savepoint of a starting job", Observation{Target: savepoint, Reconciliation: RollingBack, RollingBack: true, ClusterExists: true, Job: &flinkapi.JobInfo{State: flinkv1beta1.JobStatusCreated}}, StepCancel},
		{"rollback with HA replaces the cluster", Observation{Target: savepoint, Reconciliation: RollingBack, RollingBack: true, ClusterExists: true, Job: running, HighAvailability: true}, StepDeleteCluster},
		{"rollback of a stateless job cancels", Observation{Target: spec(flinkv1beta1.UpgradeModeStateless, ""), Reconciliation: RollingBack, RollingBack: true, ClusterExists: true, Job: running}, StepCancel},
		{"rollback deletes the failed cluster once its job ended", Observation{Target: savepoint, Reconciliation: RollingBack, RollingBack: true, ClusterExists: true, Job: &flinkapi.JobInfo{State: flinkv1beta1.JobStatusFailed}}, StepDeleteCluster},
		{"rollback deploys the stable spec", Observation{Target: savepoint, Reconciliation: RollingBack, RollingBack: true}, StepDeploy},
		{"rollback of a suspend deploys the stable spec", Observation{Target: spec(flinkv1beta1.UpgradeModeSavepoint, flinkv1beta1.JobStateSuspended), Reconciliation: RollingBack, RollingBack: true}, StepDeploy},
		{"restart after the stable cluster was redeployed", Observation{Target: savepoint, Reconciliation: RollingBack, RollingBack: true, ClusterExists: true, ClusterIsTarget: true, Job: running}, StepMarkDeployed},
		{"a new commit while rolling back retargets", Observation{Target: savepoint, Reconciliation: RollingBack, RollingBack: true, SpecChanged: true, Diff: specdiff.Upgrade, ClusterExists: true}, StepBeginUpgrade},
		{"rolled back stays until the spec changes", Observation{Target: savepoint, Reconciliation: rolledBack, RollingBack: true, ClusterExists: true, Job: running}, StepNone},
		{"rolled back: an ignorable change is a full upgrade", Observation{Target: savepoint, Reconciliation: rolledBack, RollingBack: true, SpecChanged: true, Diff: specdiff.Ignore, ClusterExists: true, Job: running}, StepBeginUpgrade},
		{"rolled back: a scale is a full upgrade", Observation{Target: savepoint, Reconciliation: rolledBack, RollingBack: true, SpecChanged: true, Diff: specdiff.Scale, ClusterExists: true, Job: running}, StepBeginUpgrade},
		{"an unhealthy job is restarted", Observation{Target: savepoint, Reconciliation: deployed, ClusterExists: true, ClusterIsTarget: true, Job: Restarting, RestartDue: true}, StepBeginRestart},
		{"a spec change wins over a restart", Observation{Target: savepoint, Reconciliation: deployed, SpecChanged: true, Diff: specdiff.Upgrade, ClusterExists: true, RestartDue: true}, StepBeginUpgrade},
		{"a restart keeps the recorded state: cancel, never a savepoint", Observation{Target: savepoint, Reconciliation: upgrading, Restarting: true, ClusterExists: true, Job: running}, StepCancel},
		{"a restart under HA replaces the cluster", Observation{Target: savepoint, Reconciliation: upgrading, Restarting: true, ClusterExists: true, Job: running, HighAvailability: true}, StepDeleteCluster},
		{"a failed job's cluster is replaced", Observation{Target: savepoint, Reconciliation: upgrading, Restarting: true, ClusterExists: true, Job: failed}, StepDeleteCluster},
		{"restart after the restarted cluster was created", Observation{Target: savepoint, Reconciliation: upgrading, ClusterExists: true, ClusterIsTarget: true, Job: running}, StepMarkDeployed},
		// Defect 2: a cluster lost mid-upgrade with a job on record.
		{"defect 2: a cluster lost mid-upgrade with its job's state unrecorded needs a person", Observation{Target: savepoint, Reconciliation: upgrading, JobOnRecord: true}, StepLostCluster},
		{"defect 2: a lost last-state cluster without HA needs a person", Observation{Target: spec(flinkv1beta1.UpgradeModeLastState, ""), Reconciliation: upgrading, JobOnRecord: true}, StepLostCluster},
		{"defect 2: a lost cluster whose HA metadata is gone needs a person", Observation{Target: spec(flinkv1beta1.UpgradeModeLastState, ""), Reconciliation: upgrading, JobOnRecord: true, HighAvailability: true}, StepLostCluster},
		{"defect 2: a lost last-state cluster resumes from its HA metadata", Observation{Target: spec(flinkv1beta1.UpgradeModeLastState, ""), Reconciliation: upgrading, JobOnRecord: true, HighAvailability: true, HADataAvailable: true}, StepDeploy},
		{"defect 2: a lost savepoint-mode cluster falls back to its HA metadata", Observation{Target: savepoint, Reconciliation: upgrading, JobOnRecord: true, HighAvailability: true, HADataAvailable: true, LastStateFallback: true}, StepDeploy},
		{"defect 2: without the last-state fallback a lost savepoint-mode cluster needs a person", Observation{Target: savepoint, Reconciliation: upgrading, JobOnRecord: true, HighAvailability: true, HADataAvailable: true}, StepLostCluster},
		{"defect 2: a suspend of a lost cluster needs a person too", Observation{Target: spec(flinkv1beta1.UpgradeModeSavepoint, flinkv1beta1.JobStateSuspended), Reconciliation: upgrading, JobOnRecord: true}, StepLostCluster},
		{"defect 2: a lost stateless cluster is redeployed", Observation{Target: spec(flinkv1beta1.UpgradeModeStateless, ""), Reconciliation: upgrading, JobOnRecord: true}, StepDeploy},
		{"defect 2: a lost cluster redeployed from a chosen savepoint", Observation{Target: savepoint, Reconciliation: upgrading, JobOnRecord: true, SavepointRedeploy: true}, StepDeploy},
		{"defect 2: a rollback deploys the stable spec from the handed-over state", Observation{Target: savepoint, Reconciliation: RollingBack, RollingBack: true, JobOnRecord: true}, StepDeploy},
		{"defect 2: last-state fallback deletes a restarting job's cluster under HA", Observation{Target: savepoint, Reconciliation: upgrading, ClusterExists: true, Job: Restarting, HighAvailability: true, LastStateFallback: true}, StepDeleteCluster},
		{"defect 2: without the fallback a restarting job is asked for a savepoint", Observation{Target: savepoint, Reconciliation: upgrading, ClusterExists: true, Job: Restarting, HighAvailability: true}, StepStopWithSavepoint},
		{"defect 2: the fallback needs HA", Observation{Target: savepoint, Reconciliation: upgrading, ClusterExists: true, Job: Restarting, LastStateFallback: true}, StepStopWithSavepoint},
		{"defect 2: the fallback waits for a starting job", Observation{Target: savepoint, Reconciliation: upgrading, ClusterExists: true, Job: &flinkapi.JobInfo{State: flinkv1beta1.JobStatusCreated}, HighAvailability: true, LastStateFallback: true}, StepAwaitJobRunning},
		{"max checkpoint age: a too old checkpoint is replaced by a savepoint", Observation{Target: spec(flinkv1beta1.UpgradeModeLastState, ""), Reconciliation: upgrading, ClusterExists: true, Job: running, CheckpointAge: CheckpointTooOld}, StepStopWithSavepoint},
		{"max checkpoint age: a too old checkpoint under HA too", Observation{Target: spec(flinkv1beta1.UpgradeModeLastState, ""), Reconciliation: upgrading, ClusterExists: true, Job: running, HighAvailability: true, CheckpointAge: CheckpointTooOld}, StepStopWithSavepoint},
		{"max checkpoint age: a checkpoint in progress is awaited", Observation{Target: spec(flinkv1beta1.UpgradeModeLastState, ""), Reconciliation: upgrading, ClusterExists: true, Job: running, CheckpointAge: CheckpointPending}, StepAwaitCheckpoint},
		// Defect 3: the JobManager of a finished job.
		{"defect 3: a finished job's cluster is shut down after the TTL", Observation{Target: savepoint, Reconciliation: deployed, ClusterExists: true, Finished: true, ShutdownDue: true}, StepShutDownFinished},
		{"defect 3: a finished job's cluster stays within the TTL", Observation{Target: savepoint, Reconciliation: deployed, ClusterExists: true, Finished: true}, StepNone},
		{"defect 3: a finished job's removed cluster is not recovered", Observation{Target: spec(flinkv1beta1.UpgradeModeStateless, ""), Reconciliation: deployed, Finished: true, RecoveryEnabled: true}, StepNone},
		{"defect 3: an upgrade of a finished job whose cluster was shut down deploys", Observation{Target: savepoint, Reconciliation: upgrading, Finished: true}, StepDeploy},
		{"defect 3: a spec change wins over the shutdown", Observation{Target: savepoint, Reconciliation: deployed, SpecChanged: true, Diff: specdiff.Upgrade, ClusterExists: true, Finished: true, ShutdownDue: true}, StepBeginUpgrade},
		{"rolled back: a lost JobManager is recovered", Observation{Target: spec(flinkv1beta1.UpgradeModeStateless, ""), Reconciliation: rolledBack, RollingBack: true, RecoveryEnabled: true}, StepRecoverJobManager},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			g := NewWithT(t)
			g.Expect(NextStep(tc.obs).String()).To(Equal(tc.want.String()))
		})
	}
}

func TestRollbackDue(t *testing.T) {
	stableRecord := `{"spec":{"image":"flink:1.20","job":{"upgradeMode":"savepoint"}},"resource_metadata":{"firstDeployment":true}}`
	newRecord := `{"spec":{"image":"flink:1.20.1","job":{"upgradeMode":"savepoint"}},"resource_metadata":{"firstDeployment":false}}`
	deployedAt := time.UnixMilli(1_700_000_000_000)
	base := func() RollbackInput {
		return RollbackInput{
			Enabled: true, Timeout: 5 * time.Minute,
			Reconciliation: flinkv1beta1.ReconciliationStatus{
				State: flinkv1beta1.ReconciliationStateDeployed, LastReconciledSpec: newRecord, LastStableSpec: stableRecord,
				ReconciliationTimestamp: deployedAt.UnixMilli(),
			},
			Target: spec(flinkv1beta1.UpgradeModeSavepoint, ""), Stable: spec(flinkv1beta1.UpgradeModeSavepoint, ""),
			Now: deployedAt.Add(6 * time.Minute),
		}
	}
	cases := []struct {
		name   string
		change func(*RollbackInput)
		due    bool
		wait   time.Duration
	}{
		{"past the readiness timeout", func(*RollbackInput) {}, true, 0},
		{"exactly at the deadline", func(in *RollbackInput) { in.Now = deployedAt.Add(5 * time.Minute) }, true, 0},
		{"before the deadline: wake up then", func(in *RollbackInput) { in.Now = deployedAt.Add(2 * time.Minute) }, false, 3 * time.Minute},
		{"disabled", func(in *RollbackInput) { in.Enabled = false }, false, 0},
		{"ready in time", func(in *RollbackInput) { in.Ready = true }, false, 0},
		{"no stable spec yet (first deployment)", func(in *RollbackInput) { in.Stable = nil }, false, 0},
		{"the deployed spec is the stable one", func(in *RollbackInput) {
			in.Reconciliation.LastReconciledSpec = `{"spec":{"image":"flink:1.20","job":{"upgradeMode":"savepoint"}},"resource_metadata":{"firstDeployment":false}}`
		}, false, 0},
		{"still upgrading", func(in *RollbackInput) { in.Reconciliation.State = flinkv1beta1.ReconciliationStateUpgrading }, false, 0},
		{"already rolled back", func(in *RollbackInput) { in.Reconciliation.State = flinkv1beta1.ReconciliationStateRolledBack }, false, 0},
		{"a suspend is never rolled back", func(in *RollbackInput) {
			in.Target = spec(flinkv1beta1.UpgradeModeSavepoint, flinkv1beta1.JobStateSuspended)
		}, false, 0},
		{"nothing to return to when the stable spec was suspended", func(in *RollbackInput) {
			in.Stable = spec(flinkv1beta1.UpgradeModeSavepoint, flinkv1beta1.JobStateSuspended)
		}, false, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			g := NewWithT(t)
			in := base()
			tc.change(&in)
			due, wait := RollbackDue(in)
			g.Expect(due).To(Equal(tc.due))
			g.Expect(wait).To(Equal(tc.wait))
		})
	}
}

func TestCheckpointAgeOf(t *testing.T) {
	now := time.UnixMilli(10_000_000)
	ago := func(d time.Duration) int64 { return now.Add(-d).UnixMilli() }
	completed := func(at int64) *flink.CompletedCheckpoint {
		return &flink.CompletedCheckpoint{ID: 7, TriggerTimestamp: at - 100, LatestAckTimestamp: at}
	}
	inProgress := func(at int64) flink.CheckpointHistoryEntry {
		return flink.CheckpointHistoryEntry{CompletedCheckpoint: flink.CompletedCheckpoint{ID: 8, TriggerTimestamp: at}, Status: flink.CheckpointStatusInProgress}
	}
	oldJob := ago(time.Hour)
	cases := []struct {
		name       string
		maxAge     time.Duration
		jobStart   int64
		statistics flink.CheckpointStatistics
		want       CheckpointAge
	}{
		{"no maximum", 0, oldJob, flink.CheckpointStatistics{}, CheckpointRecent},
		{"a job started within the maximum", time.Minute, ago(30 * time.Second), flink.CheckpointStatistics{}, CheckpointRecent},
		{"a recent checkpoint", time.Minute, oldJob, flink.CheckpointStatistics{Latest: flink.LatestCheckpoints{Completed: completed(ago(10 * time.Second))}}, CheckpointRecent},
		{"an old checkpoint, nothing in progress", time.Minute, oldJob, flink.CheckpointStatistics{Latest: flink.LatestCheckpoints{Completed: completed(ago(5 * time.Minute))}}, CheckpointTooOld},
		{"no checkpoint at all", time.Minute, oldJob, flink.CheckpointStatistics{}, CheckpointTooOld},
		{"an old checkpoint, a recent one in progress", time.Minute, oldJob, flink.CheckpointStatistics{
			Latest: flink.LatestCheckpoints{Completed: completed(ago(5 * time.Minute))}, History: []flink.CheckpointHistoryEntry{inProgress(ago(5 * time.Second))}}, CheckpointPending},
		{"an old checkpoint, an old one still in progress", time.Minute, oldJob, flink.CheckpointStatistics{
			Latest: flink.LatestCheckpoints{Completed: completed(ago(5 * time.Minute))}, History: []flink.CheckpointHistoryEntry{inProgress(ago(2 * time.Minute))}}, CheckpointTooOld},
		{"a recent savepoint is not a checkpoint", time.Minute, oldJob, flink.CheckpointStatistics{
			Latest: flink.LatestCheckpoints{Completed: &flink.CompletedCheckpoint{ID: 9, IsSavepoint: true, LatestAckTimestamp: ago(time.Second)}}}, CheckpointTooOld},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			g := NewWithT(t)
			g.Expect(CheckpointAgeOf(now, tc.maxAge, tc.jobStart, tc.statistics)).To(Equal(tc.want))
		})
	}
}
