package flinkdeployment

import (
	"testing"
	"time"

	. "github.com/onsi/gomega"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
	"github.com/teal-flink/teal/internal/flink"
	"github.com/teal-flink/teal/internal/specdiff"
)

func spec(mode flinkv1beta1.UpgradeMode, state flinkv1beta1.JobState) *flinkv1beta1.FlinkDeploymentSpec {
	return &flinkv1beta1.FlinkDeploymentSpec{Image: "flink:1.20", Job: &flinkv1beta1.JobSpec{UpgradeMode: mode, State: state}}
}

func TestNextStep(t *testing.T) {
	running := &JobInfo{ID: "j", State: flinkv1beta1.JobStatusRunning}
	savepoint := spec(flinkv1beta1.UpgradeModeSavepoint, flinkv1beta1.JobStateRunning)
	upgrading := flinkv1beta1.ReconciliationStateUpgrading
	deployed := flinkv1beta1.ReconciliationStateDeployed
	rollingBack := flinkv1beta1.ReconciliationStateRollingBack
	rolledBack := flinkv1beta1.ReconciliationStateRolledBack
	failed := &JobInfo{ID: "j", State: flinkv1beta1.JobStatusFailed}
	restarting := &JobInfo{ID: "j", State: flinkv1beta1.JobStatusRestarting}
	cases := []struct {
		name string
		obs  observation
		want step
	}{
		{"first deployment", observation{desired: savepoint}, stepBeginUpgrade},
		{"in sync", observation{target: savepoint, reconciliation: deployed, clusterExists: true, job: running}, stepNone},
		{"ignorable change is recorded without a restart", observation{target: savepoint, reconciliation: deployed, specChanged: true, diff: specdiff.Ignore, clusterExists: true}, stepRecordIgnorable},
		{"scale in place", observation{target: savepoint, reconciliation: deployed, specChanged: true, diff: specdiff.Scale, clusterExists: true, scaleInPlace: true}, stepScale},
		{"a scale Flink cannot apply in place is an upgrade", observation{target: savepoint, reconciliation: deployed, specChanged: true, diff: specdiff.Scale, clusterExists: true}, stepBeginUpgrade},
		{"upgrade starts", observation{target: savepoint, reconciliation: deployed, specChanged: true, diff: specdiff.Upgrade, clusterExists: true, job: running}, stepBeginUpgrade},
		{"savepoint redeploy starts", observation{target: savepoint, reconciliation: deployed, specChanged: true, diff: specdiff.SavepointRedeploy, clusterExists: true}, stepBeginUpgrade},
		{"savepoint mode stops with a savepoint", observation{target: savepoint, reconciliation: upgrading, clusterExists: true, job: running}, stepStopWithSavepoint},
		{"savepoint in flight is polled, never retriggered", observation{target: savepoint, reconciliation: upgrading, clusterExists: true, job: running, savepointInFlight: true}, stepAwaitSavepoint},
		{"a savepoint redeploy cancels without a savepoint", observation{target: savepoint, reconciliation: upgrading, clusterExists: true, job: running, savepointRedeploy: true}, stepCancel},
		{"a starting job is awaited before its savepoint", observation{target: savepoint, reconciliation: upgrading, clusterExists: true, job: &JobInfo{State: flinkv1beta1.JobStatusCreated}}, stepAwaitJobRunning},
		{"a starting stateless job is cancelled at once", observation{target: spec(flinkv1beta1.UpgradeModeStateless, ""), reconciliation: upgrading, clusterExists: true, job: &JobInfo{State: flinkv1beta1.JobStatusCreated}}, stepCancel},
		{"stateless cancels", observation{target: spec(flinkv1beta1.UpgradeModeStateless, ""), reconciliation: upgrading, clusterExists: true, job: running}, stepCancel},
		{"last-state without HA records a checkpoint", observation{target: spec(flinkv1beta1.UpgradeModeLastState, ""), reconciliation: upgrading, clusterExists: true, job: running}, stepCheckpointAndCancel},
		{"last-state with HA only replaces the cluster", observation{target: spec(flinkv1beta1.UpgradeModeLastState, ""), reconciliation: upgrading, clusterExists: true, job: running, highAvailability: true}, stepDeleteCluster},
		{"cancelling job is awaited", observation{target: savepoint, reconciliation: upgrading, clusterExists: true, job: &JobInfo{State: flinkv1beta1.JobStatusCancelling}}, stepAwaitJobEnd},
		{"stopped job's cluster is deleted", observation{target: savepoint, reconciliation: upgrading, clusterExists: true, job: &JobInfo{State: flinkv1beta1.JobStatusFinished}}, stepDeleteCluster},
		{"unreachable old cluster is deleted", observation{target: savepoint, reconciliation: upgrading, clusterExists: true}, stepDeleteCluster},
		{"no cluster: deploy the target", observation{target: savepoint, reconciliation: upgrading}, stepDeploy},
		{"restart after the new cluster was created", observation{target: savepoint, reconciliation: upgrading, clusterExists: true, clusterIsTarget: true, job: running}, stepMarkDeployed},
		{"suspend ends without a cluster", observation{target: spec(flinkv1beta1.UpgradeModeSavepoint, flinkv1beta1.JobStateSuspended), reconciliation: upgrading}, stepMarkSuspended},
		{"suspended stays suspended", observation{target: spec(flinkv1beta1.UpgradeModeSavepoint, flinkv1beta1.JobStateSuspended), reconciliation: deployed}, stepNone},
		{"a newer spec while upgrading retargets", observation{target: savepoint, reconciliation: upgrading, specChanged: true, diff: specdiff.Upgrade, clusterExists: true, job: running}, stepBeginUpgrade},
		{"lost JobManager of a stateless job is recovered", observation{target: spec(flinkv1beta1.UpgradeModeStateless, ""), reconciliation: deployed, recoveryEnabled: true}, stepRecoverJobManager},
		{"lost JobManager with HA is recovered", observation{target: savepoint, reconciliation: deployed, recoveryEnabled: true, highAvailability: true, jobOnRecord: true, haDataAvailable: true}, stepRecoverJobManager},
		{"defect 2: a lost JobManager whose HA metadata is gone needs a person", observation{target: savepoint, reconciliation: deployed, recoveryEnabled: true, highAvailability: true, jobOnRecord: true}, stepLostCluster},
		{"a lost JobManager with HA but recovery off needs a person", observation{target: savepoint, reconciliation: deployed, highAvailability: true, jobOnRecord: true, haDataAvailable: true}, stepManualRestore},
		{"lost JobManager of a stateful job without HA needs a person", observation{target: savepoint, reconciliation: deployed, recoveryEnabled: true}, stepManualRestore},
		{"lost session cluster is recovered", observation{target: &flinkv1beta1.FlinkDeploymentSpec{}, reconciliation: deployed, recoveryEnabled: true}, stepRecoverJobManager},
		{"recovery disabled", observation{target: spec(flinkv1beta1.UpgradeModeStateless, ""), reconciliation: deployed}, stepManualRestore},
		{"rollback due starts a rollback", observation{target: savepoint, reconciliation: deployed, clusterExists: true, job: failed, rollbackDue: true}, stepBeginRollback},
		{"a spec change wins over a due rollback", observation{target: savepoint, reconciliation: deployed, specChanged: true, diff: specdiff.Upgrade, clusterExists: true, rollbackDue: true}, stepBeginUpgrade},
		{"rollback cancels a failed job, keeping the handed-over state", observation{target: savepoint, reconciliation: rollingBack, rollingBack: true, clusterExists: true, job: restarting}, stepCancel},
		{"rollback takes a running job's latest checkpoint", observation{target: savepoint, reconciliation: rollingBack, rollingBack: true, clusterExists: true, job: running}, stepCheckpointAndCancel},
		{"rollback never takes a savepoint of a starting job", observation{target: savepoint, reconciliation: rollingBack, rollingBack: true, clusterExists: true, job: &JobInfo{State: flinkv1beta1.JobStatusCreated}}, stepCancel},
		{"rollback with HA replaces the cluster", observation{target: savepoint, reconciliation: rollingBack, rollingBack: true, clusterExists: true, job: running, highAvailability: true}, stepDeleteCluster},
		{"rollback of a stateless job cancels", observation{target: spec(flinkv1beta1.UpgradeModeStateless, ""), reconciliation: rollingBack, rollingBack: true, clusterExists: true, job: running}, stepCancel},
		{"rollback deletes the failed cluster once its job ended", observation{target: savepoint, reconciliation: rollingBack, rollingBack: true, clusterExists: true, job: &JobInfo{State: flinkv1beta1.JobStatusFailed}}, stepDeleteCluster},
		{"rollback deploys the stable spec", observation{target: savepoint, reconciliation: rollingBack, rollingBack: true}, stepDeploy},
		{"rollback of a suspend deploys the stable spec", observation{target: spec(flinkv1beta1.UpgradeModeSavepoint, flinkv1beta1.JobStateSuspended), reconciliation: rollingBack, rollingBack: true}, stepDeploy},
		{"restart after the stable cluster was redeployed", observation{target: savepoint, reconciliation: rollingBack, rollingBack: true, clusterExists: true, clusterIsTarget: true, job: running}, stepMarkDeployed},
		{"a new commit while rolling back retargets", observation{target: savepoint, reconciliation: rollingBack, rollingBack: true, specChanged: true, diff: specdiff.Upgrade, clusterExists: true}, stepBeginUpgrade},
		{"rolled back stays until the spec changes", observation{target: savepoint, reconciliation: rolledBack, rollingBack: true, clusterExists: true, job: running}, stepNone},
		{"rolled back: an ignorable change is a full upgrade", observation{target: savepoint, reconciliation: rolledBack, rollingBack: true, specChanged: true, diff: specdiff.Ignore, clusterExists: true, job: running}, stepBeginUpgrade},
		{"rolled back: a scale is a full upgrade", observation{target: savepoint, reconciliation: rolledBack, rollingBack: true, specChanged: true, diff: specdiff.Scale, clusterExists: true, job: running}, stepBeginUpgrade},
		{"an unhealthy job is restarted", observation{target: savepoint, reconciliation: deployed, clusterExists: true, clusterIsTarget: true, job: restarting, restartDue: true}, stepBeginRestart},
		{"a spec change wins over a restart", observation{target: savepoint, reconciliation: deployed, specChanged: true, diff: specdiff.Upgrade, clusterExists: true, restartDue: true}, stepBeginUpgrade},
		{"a restart keeps the recorded state: cancel, never a savepoint", observation{target: savepoint, reconciliation: upgrading, restarting: true, clusterExists: true, job: running}, stepCancel},
		{"a restart under HA replaces the cluster", observation{target: savepoint, reconciliation: upgrading, restarting: true, clusterExists: true, job: running, highAvailability: true}, stepDeleteCluster},
		{"a failed job's cluster is replaced", observation{target: savepoint, reconciliation: upgrading, restarting: true, clusterExists: true, job: failed}, stepDeleteCluster},
		{"restart after the restarted cluster was created", observation{target: savepoint, reconciliation: upgrading, clusterExists: true, clusterIsTarget: true, job: running}, stepMarkDeployed},
		// Defect 2: a cluster lost mid-upgrade with a job on record.
		{"defect 2: a cluster lost mid-upgrade with its job's state unrecorded needs a person", observation{target: savepoint, reconciliation: upgrading, jobOnRecord: true}, stepLostCluster},
		{"defect 2: a lost last-state cluster without HA needs a person", observation{target: spec(flinkv1beta1.UpgradeModeLastState, ""), reconciliation: upgrading, jobOnRecord: true}, stepLostCluster},
		{"defect 2: a lost cluster whose HA metadata is gone needs a person", observation{target: spec(flinkv1beta1.UpgradeModeLastState, ""), reconciliation: upgrading, jobOnRecord: true, highAvailability: true}, stepLostCluster},
		{"defect 2: a lost last-state cluster resumes from its HA metadata", observation{target: spec(flinkv1beta1.UpgradeModeLastState, ""), reconciliation: upgrading, jobOnRecord: true, highAvailability: true, haDataAvailable: true}, stepDeploy},
		{"defect 2: a lost savepoint-mode cluster falls back to its HA metadata", observation{target: savepoint, reconciliation: upgrading, jobOnRecord: true, highAvailability: true, haDataAvailable: true, lastStateFallback: true}, stepDeploy},
		{"defect 2: without the last-state fallback a lost savepoint-mode cluster needs a person", observation{target: savepoint, reconciliation: upgrading, jobOnRecord: true, highAvailability: true, haDataAvailable: true}, stepLostCluster},
		{"defect 2: a suspend of a lost cluster needs a person too", observation{target: spec(flinkv1beta1.UpgradeModeSavepoint, flinkv1beta1.JobStateSuspended), reconciliation: upgrading, jobOnRecord: true}, stepLostCluster},
		{"defect 2: a lost stateless cluster is redeployed", observation{target: spec(flinkv1beta1.UpgradeModeStateless, ""), reconciliation: upgrading, jobOnRecord: true}, stepDeploy},
		{"defect 2: a lost cluster redeployed from a chosen savepoint", observation{target: savepoint, reconciliation: upgrading, jobOnRecord: true, savepointRedeploy: true}, stepDeploy},
		{"defect 2: a rollback deploys the stable spec from the handed-over state", observation{target: savepoint, reconciliation: rollingBack, rollingBack: true, jobOnRecord: true}, stepDeploy},
		{"defect 2: last-state fallback deletes a restarting job's cluster under HA", observation{target: savepoint, reconciliation: upgrading, clusterExists: true, job: restarting, highAvailability: true, lastStateFallback: true}, stepDeleteCluster},
		{"defect 2: without the fallback a restarting job is asked for a savepoint", observation{target: savepoint, reconciliation: upgrading, clusterExists: true, job: restarting, highAvailability: true}, stepStopWithSavepoint},
		{"defect 2: the fallback needs HA", observation{target: savepoint, reconciliation: upgrading, clusterExists: true, job: restarting, lastStateFallback: true}, stepStopWithSavepoint},
		{"defect 2: the fallback waits for a starting job", observation{target: savepoint, reconciliation: upgrading, clusterExists: true, job: &JobInfo{State: flinkv1beta1.JobStatusCreated}, highAvailability: true, lastStateFallback: true}, stepAwaitJobRunning},
		{"max checkpoint age: a too old checkpoint is replaced by a savepoint", observation{target: spec(flinkv1beta1.UpgradeModeLastState, ""), reconciliation: upgrading, clusterExists: true, job: running, checkpointAge: checkpointTooOld}, stepStopWithSavepoint},
		{"max checkpoint age: a too old checkpoint under HA too", observation{target: spec(flinkv1beta1.UpgradeModeLastState, ""), reconciliation: upgrading, clusterExists: true, job: running, highAvailability: true, checkpointAge: checkpointTooOld}, stepStopWithSavepoint},
		{"max checkpoint age: a checkpoint in progress is awaited", observation{target: spec(flinkv1beta1.UpgradeModeLastState, ""), reconciliation: upgrading, clusterExists: true, job: running, checkpointAge: checkpointPending}, stepAwaitCheckpoint},
		// Defect 3: the JobManager of a finished job.
		{"defect 3: a finished job's cluster is shut down after the TTL", observation{target: savepoint, reconciliation: deployed, clusterExists: true, finished: true, shutdownDue: true}, stepShutDownFinished},
		{"defect 3: a finished job's cluster stays within the TTL", observation{target: savepoint, reconciliation: deployed, clusterExists: true, finished: true}, stepNone},
		{"defect 3: a finished job's removed cluster is not recovered", observation{target: spec(flinkv1beta1.UpgradeModeStateless, ""), reconciliation: deployed, finished: true, recoveryEnabled: true}, stepNone},
		{"defect 3: an upgrade of a finished job whose cluster was shut down deploys", observation{target: savepoint, reconciliation: upgrading, finished: true}, stepDeploy},
		{"defect 3: a spec change wins over the shutdown", observation{target: savepoint, reconciliation: deployed, specChanged: true, diff: specdiff.Upgrade, clusterExists: true, finished: true, shutdownDue: true}, stepBeginUpgrade},
		{"rolled back: a lost JobManager is recovered", observation{target: spec(flinkv1beta1.UpgradeModeStateless, ""), reconciliation: rolledBack, rollingBack: true, recoveryEnabled: true}, stepRecoverJobManager},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			g := NewWithT(t)
			g.Expect(nextStep(tc.obs).String()).To(Equal(tc.want.String()))
		})
	}
}

func TestRollbackDue(t *testing.T) {
	stableRecord := `{"spec":{"image":"flink:1.20","job":{"upgradeMode":"savepoint"}},"resource_metadata":{"firstDeployment":true}}`
	newRecord := `{"spec":{"image":"flink:1.20.1","job":{"upgradeMode":"savepoint"}},"resource_metadata":{"firstDeployment":false}}`
	deployedAt := time.UnixMilli(1_700_000_000_000)
	base := func() rollbackInput {
		return rollbackInput{
			enabled: true, timeout: 5 * time.Minute,
			reconciliation: flinkv1beta1.ReconciliationStatus{
				State: flinkv1beta1.ReconciliationStateDeployed, LastReconciledSpec: newRecord, LastStableSpec: stableRecord,
				ReconciliationTimestamp: deployedAt.UnixMilli(),
			},
			target: spec(flinkv1beta1.UpgradeModeSavepoint, ""), stable: spec(flinkv1beta1.UpgradeModeSavepoint, ""),
			now: deployedAt.Add(6 * time.Minute),
		}
	}
	cases := []struct {
		name   string
		change func(*rollbackInput)
		due    bool
		wait   time.Duration
	}{
		{"past the readiness timeout", func(*rollbackInput) {}, true, 0},
		{"exactly at the deadline", func(in *rollbackInput) { in.now = deployedAt.Add(5 * time.Minute) }, true, 0},
		{"before the deadline: wake up then", func(in *rollbackInput) { in.now = deployedAt.Add(2 * time.Minute) }, false, 3 * time.Minute},
		{"disabled", func(in *rollbackInput) { in.enabled = false }, false, 0},
		{"ready in time", func(in *rollbackInput) { in.ready = true }, false, 0},
		{"no stable spec yet (first deployment)", func(in *rollbackInput) { in.stable = nil }, false, 0},
		{"the deployed spec is the stable one", func(in *rollbackInput) {
			in.reconciliation.LastReconciledSpec = `{"spec":{"image":"flink:1.20","job":{"upgradeMode":"savepoint"}},"resource_metadata":{"firstDeployment":false}}`
		}, false, 0},
		{"still upgrading", func(in *rollbackInput) { in.reconciliation.State = flinkv1beta1.ReconciliationStateUpgrading }, false, 0},
		{"already rolled back", func(in *rollbackInput) { in.reconciliation.State = flinkv1beta1.ReconciliationStateRolledBack }, false, 0},
		{"a suspend is never rolled back", func(in *rollbackInput) {
			in.target = spec(flinkv1beta1.UpgradeModeSavepoint, flinkv1beta1.JobStateSuspended)
		}, false, 0},
		{"nothing to return to when the stable spec was suspended", func(in *rollbackInput) {
			in.stable = spec(flinkv1beta1.UpgradeModeSavepoint, flinkv1beta1.JobStateSuspended)
		}, false, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			g := NewWithT(t)
			in := base()
			tc.change(&in)
			due, wait := rollbackDue(in)
			g.Expect(due).To(Equal(tc.due))
			g.Expect(wait).To(Equal(tc.wait))
		})
	}
}

func TestParseParallelismOverrides(t *testing.T) {
	cases := []struct {
		value string
		want  map[string]int
		err   bool
	}{
		{"", map[string]int{}, false},
		{"bc764cd8ddf7a0cff126f51c16239658:4", map[string]int{"bc764cd8ddf7a0cff126f51c16239658": 4}, false},
		{" a:2 , b:3,", map[string]int{"a": 2, "b": 3}, false},
		{"a", nil, true},
		{"a:0", nil, true},
		{"a:two", nil, true},
		{":2", nil, true},
	}
	for _, tc := range cases {
		t.Run(tc.value, func(t *testing.T) {
			g := NewWithT(t)
			got, err := parseParallelismOverrides(tc.value)
			if tc.err {
				g.Expect(err).To(MatchError(ContainSubstring("pipeline.jobvertex-parallelism-overrides")))
				return
			}
			g.Expect(err).NotTo(HaveOccurred())
			g.Expect(got).To(Equal(tc.want))
		})
	}
}

func TestRescalesInPlace(t *testing.T) {
	adaptive := map[string]string{"jobmanager.scheduler": "Adaptive"}
	g := NewWithT(t)
	g.Expect(rescalesInPlace(flinkv1beta1.FlinkVersionV1_18, adaptive)).To(BeTrue())
	g.Expect(rescalesInPlace(flinkv1beta1.FlinkVersionV2_1, adaptive)).To(BeTrue())
	g.Expect(rescalesInPlace(flinkv1beta1.FlinkVersionV1_17, adaptive)).To(BeFalse(), "Flink 1.17 has no resource-requirements endpoint")
	g.Expect(rescalesInPlace(flinkv1beta1.FlinkVersionV1_20, map[string]string{})).To(BeFalse(), "the default scheduler cannot rescale")
	g.Expect(rescalesInPlace("", adaptive)).To(BeFalse(), "an unknown version is not assumed new enough")
}

func TestCheckpointProgressWindow(t *testing.T) {
	cases := []struct {
		name   string
		config map[string]string
		want   time.Duration
	}{
		{"checkpointing off", map[string]string{}, 0},
		{"interval below the default timeout", map[string]string{"execution.checkpointing.interval": "1 min"}, 20 * time.Minute},
		{"interval above the timeout", map[string]string{"execution.checkpointing.interval": "30 min", "execution.checkpointing.timeout": "5 min"}, time.Hour},
		{"tolerable failures widen it", map[string]string{"execution.checkpointing.interval": "10 s", "execution.checkpointing.timeout": "1 min",
			"execution.checkpointing.tolerable-failed-checkpoints": "3"}, 5 * time.Minute},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			NewWithT(t).Expect(checkpointProgressWindow(tc.config)).To(Equal(tc.want))
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
		want       checkpointAge
	}{
		{"no maximum", 0, oldJob, flink.CheckpointStatistics{}, checkpointRecent},
		{"a job started within the maximum", time.Minute, ago(30 * time.Second), flink.CheckpointStatistics{}, checkpointRecent},
		{"a recent checkpoint", time.Minute, oldJob, flink.CheckpointStatistics{Latest: flink.LatestCheckpoints{Completed: completed(ago(10 * time.Second))}}, checkpointRecent},
		{"an old checkpoint, nothing in progress", time.Minute, oldJob, flink.CheckpointStatistics{Latest: flink.LatestCheckpoints{Completed: completed(ago(5 * time.Minute))}}, checkpointTooOld},
		{"no checkpoint at all", time.Minute, oldJob, flink.CheckpointStatistics{}, checkpointTooOld},
		{"an old checkpoint, a recent one in progress", time.Minute, oldJob, flink.CheckpointStatistics{
			Latest: flink.LatestCheckpoints{Completed: completed(ago(5 * time.Minute))}, History: []flink.CheckpointHistoryEntry{inProgress(ago(5 * time.Second))}}, checkpointPending},
		{"an old checkpoint, an old one still in progress", time.Minute, oldJob, flink.CheckpointStatistics{
			Latest: flink.LatestCheckpoints{Completed: completed(ago(5 * time.Minute))}, History: []flink.CheckpointHistoryEntry{inProgress(ago(2 * time.Minute))}}, checkpointTooOld},
		{"a recent savepoint is not a checkpoint", time.Minute, oldJob, flink.CheckpointStatistics{
			Latest: flink.LatestCheckpoints{Completed: &flink.CompletedCheckpoint{ID: 9, IsSavepoint: true, LatestAckTimestamp: ago(time.Second)}}}, checkpointTooOld},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			g := NewWithT(t)
			g.Expect(checkpointAgeOf(now, tc.maxAge, tc.jobStart, tc.statistics)).To(Equal(tc.want))
		})
	}
}

func TestShutdownRemaining(t *testing.T) {
	g := NewWithT(t)
	finished := time.UnixMilli(1_000_000)
	g.Expect(shutdownRemaining(finished.Add(time.Hour), finished, 24*time.Hour)).To(Equal(23 * time.Hour))
	g.Expect(shutdownRemaining(finished.Add(25*time.Hour), finished, 24*time.Hour)).To(BeNumerically("<", 0))
}
