package flinkdeployment

import (
	"testing"

	. "github.com/onsi/gomega"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
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
	cases := []struct {
		name string
		obs  observation
		want step
	}{
		{"first deployment", observation{desired: savepoint}, stepBeginUpgrade},
		{"in sync", observation{target: savepoint, reconciliation: deployed, clusterExists: true, job: running}, stepNone},
		{"ignorable change is recorded without a restart", observation{target: savepoint, reconciliation: deployed, specChanged: true, diff: specdiff.Ignore, clusterExists: true}, stepRecordIgnorable},
		{"scale", observation{target: savepoint, reconciliation: deployed, specChanged: true, diff: specdiff.Scale, clusterExists: true}, stepScale},
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
		{"lost JobManager with HA is recovered", observation{target: savepoint, reconciliation: deployed, recoveryEnabled: true, highAvailability: true}, stepRecoverJobManager},
		{"lost JobManager of a stateful job without HA needs a person", observation{target: savepoint, reconciliation: deployed, recoveryEnabled: true}, stepManualRestore},
		{"lost session cluster is recovered", observation{target: &flinkv1beta1.FlinkDeploymentSpec{}, reconciliation: deployed, recoveryEnabled: true}, stepRecoverJobManager},
		{"recovery disabled", observation{target: spec(flinkv1beta1.UpgradeModeStateless, ""), reconciliation: deployed}, stepManualRestore},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			g := NewWithT(t)
			g.Expect(nextStep(tc.obs).String()).To(Equal(tc.want.String()))
		})
	}
}
