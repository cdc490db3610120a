package lifecycle

import (
	"testing"

	. "github.com/onsi/gomega"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
)

const (
	specA       = `{"spec":{"image":"a"},"resource_metadata":{"apiVersion":"flink.apache.org/v1beta1","firstDeployment":true}}`
	specAStable = `{"spec":{"image":"a"},"resource_metadata":{"apiVersion":"flink.apache.org/v1beta1","firstDeployment":false}}`
	specB       = `{"spec":{"image":"b"},"resource_metadata":{"apiVersion":"flink.apache.org/v1beta1","firstDeployment":false}}`
)

func TestDerive(t *testing.T) {
	deployed := flinkv1beta1.ReconciliationStatus{LastReconciledSpec: specB, LastStableSpec: specA, State: flinkv1beta1.ReconciliationStateDeployed}
	stable := flinkv1beta1.ReconciliationStatus{LastReconciledSpec: specA, LastStableSpec: specAStable, State: flinkv1beta1.ReconciliationStateDeployed}
	cases := []struct {
		name string
		obs  Observation
		want flinkv1beta1.ResourceLifecycleState
	}{
		{"new resource", Observation{}, flinkv1beta1.LifecycleStateCreated},
		{"failed before the first deployment", Observation{Error: "bad image"}, flinkv1beta1.LifecycleStateFailed},
		{"deleting sticks", Observation{Current: flinkv1beta1.LifecycleStateDeleting, Reconciliation: stable}, flinkv1beta1.LifecycleStateDeleting},
		{"upgrading", Observation{Reconciliation: flinkv1beta1.ReconciliationStatus{LastReconciledSpec: specB, State: flinkv1beta1.ReconciliationStateUpgrading}, JobState: flinkv1beta1.JobStatusFailed}, flinkv1beta1.LifecycleStateUpgrading},
		{"rolling back", Observation{Reconciliation: flinkv1beta1.ReconciliationStatus{LastReconciledSpec: specB, State: flinkv1beta1.ReconciliationStateRollingBack}}, flinkv1beta1.LifecycleStateRollingBack},
		{"suspended", Observation{Reconciliation: deployed, LastReconciledJobState: flinkv1beta1.JobStateSuspended}, flinkv1beta1.LifecycleStateSuspended},
		{"job failed", Observation{Reconciliation: stable, JobState: flinkv1beta1.JobStatusFailed}, flinkv1beta1.LifecycleStateFailed},
		{"manual restore needed", Observation{Reconciliation: stable, JobManager: flinkv1beta1.JobManagerDeploymentMissing, Error: "x. " + MsgManualRestoreRequired}, flinkv1beta1.LifecycleStateFailed},
		{"missing JM alone is not failed", Observation{Reconciliation: stable, JobManager: flinkv1beta1.JobManagerDeploymentMissing}, flinkv1beta1.LifecycleStateStable},
		{"rolled back", Observation{Reconciliation: flinkv1beta1.ReconciliationStatus{LastReconciledSpec: specA, LastStableSpec: specA, State: flinkv1beta1.ReconciliationStateRolledBack}}, flinkv1beta1.LifecycleStateRolledBack},
		{"stable ignores the first-deployment flag", Observation{Reconciliation: stable, JobState: flinkv1beta1.JobStatusRunning}, flinkv1beta1.LifecycleStateStable},
		{"deployed, not yet stable", Observation{Reconciliation: deployed, JobState: flinkv1beta1.JobStatusRunning}, flinkv1beta1.LifecycleStateDeployed},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			NewWithT(t).Expect(Derive(tc.obs)).To(Equal(tc.want))
		})
	}
}

func TestRecorded(t *testing.T) {
	cases := []struct {
		name         string
		state        flinkv1beta1.ResourceLifecycleState
		beingDeleted bool
		want         flinkv1beta1.ResourceLifecycleState
	}{
		{name: "DELETING written for a deleted object of the same name", state: flinkv1beta1.LifecycleStateDeleting, want: ""},
		{name: "DELETED written for a deleted object of the same name", state: flinkv1beta1.LifecycleStateDeleted, want: ""},
		{name: "DELETING while this object is being deleted", state: flinkv1beta1.LifecycleStateDeleting, beingDeleted: true, want: flinkv1beta1.LifecycleStateDeleting},
		{name: "any other state stands", state: flinkv1beta1.LifecycleStateStable, want: flinkv1beta1.LifecycleStateStable},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			g := NewWithT(t)
			g.Expect(Recorded(tc.state, tc.beingDeleted)).To(Equal(tc.want))
		})
	}
}
