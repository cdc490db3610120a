package validators_test

import (
	"testing"

	. "github.com/onsi/gomega"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
	"github.com/teal-flink/teal/validators"
)

func TestValidateFlinkStateSnapshot(t *testing.T) {
	cases := []struct {
		name     string
		mutate   func(*flinkv1beta1.FlinkStateSnapshot)
		noTarget bool
		want     []string
	}{
		{name: "savepoint of an existing deployment"},
		{name: "checkpoint", mutate: func(s *flinkv1beta1.FlinkStateSnapshot) {
			s.Spec.Savepoint, s.Spec.Checkpoint = nil, &flinkv1beta1.CheckpointSpec{}
		}},
		{name: "both savepoint and checkpoint", mutate: func(s *flinkv1beta1.FlinkStateSnapshot) {
			s.Spec.Checkpoint = &flinkv1beta1.CheckpointSpec{}
		}, want: []string{"spec.checkpoint"}},
		{name: "neither savepoint nor checkpoint", mutate: func(s *flinkv1beta1.FlinkStateSnapshot) { s.Spec.Savepoint = nil },
			want: []string{"spec.savepoint"}},
		{name: "no job reference", mutate: func(s *flinkv1beta1.FlinkStateSnapshot) { s.Spec.JobReference = nil },
			want: []string{"spec.jobReference"}},
		{name: "existing savepoint needs no job", mutate: func(s *flinkv1beta1.FlinkStateSnapshot) {
			s.Spec.JobReference, s.Spec.Savepoint.AlreadyExists = nil, ptr(true)
		}, noTarget: true},
		{name: "missing target", noTarget: true, want: []string{"spec.jobReference.name"}},
		{name: "missing target after trigger", mutate: func(s *flinkv1beta1.FlinkStateSnapshot) {
			s.Status.State = flinkv1beta1.SnapshotStateCompleted
		}, noTarget: true},
		{name: "missing target while trigger pending", mutate: func(s *flinkv1beta1.FlinkStateSnapshot) {
			s.Status.State = flinkv1beta1.SnapshotStateTriggerPending
		}, noTarget: true, want: []string{"spec.jobReference.name"}},
		{name: "reference without name", mutate: func(s *flinkv1beta1.FlinkStateSnapshot) { s.Spec.JobReference.Name = "" },
			want: []string{"spec.jobReference.name"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			g := NewWithT(t)
			snapshot := &flinkv1beta1.FlinkStateSnapshot{
				ObjectMeta: metav1.ObjectMeta{Name: "snap", Namespace: "flink"},
				Spec: flinkv1beta1.FlinkStateSnapshotSpec{
					JobReference: &flinkv1beta1.JobReference{Kind: flinkv1beta1.JobKindFlinkDeployment, Name: "test-cluster"},
					Savepoint:    &flinkv1beta1.SavepointSpec{AlreadyExists: ptr(false)},
				},
			}
			if tc.mutate != nil {
				tc.mutate(snapshot)
			}
			errs := validators.ValidateFlinkStateSnapshot(snapshot, nil, !tc.noTarget, testOptions)
			g.Expect(fieldPaths(errs)).To(Equal(orEmpty(tc.want)), "errors: %v", errs)
		})
	}
}
