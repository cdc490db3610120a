package builders

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
)

// SnapshotOption changes a FlinkStateSnapshot under construction.
type SnapshotOption func(*flinkv1beta1.FlinkStateSnapshot)

// NewSavepoint returns a savepoint of the job of FlinkDeployment target in namespace, with every option applied.
func NewSavepoint(name, namespace, target string, options ...SnapshotOption) *flinkv1beta1.FlinkStateSnapshot {
	snapshot := &flinkv1beta1.FlinkStateSnapshot{
		TypeMeta:   metav1.TypeMeta{APIVersion: flinkv1beta1.GroupVersion.String(), Kind: "FlinkStateSnapshot"},
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: namespace},
		Spec: flinkv1beta1.FlinkStateSnapshotSpec{
			JobReference: &flinkv1beta1.JobReference{Kind: flinkv1beta1.JobKindFlinkDeployment, Name: target},
			Savepoint:    &flinkv1beta1.SavepointSpec{},
		},
	}
	for _, option := range options {
		option(snapshot)
	}
	return snapshot
}

// AsCheckpoint turns the snapshot into a checkpoint.
func AsCheckpoint() SnapshotOption {
	return func(s *flinkv1beta1.FlinkStateSnapshot) {
		s.Spec.Savepoint, s.Spec.Checkpoint = nil, &flinkv1beta1.CheckpointSpec{}
	}
}

// WithBackoffLimit sets backoffLimit.
func WithBackoffLimit(limit int32) SnapshotOption {
	return func(s *flinkv1beta1.FlinkStateSnapshot) { s.Spec.BackoffLimit = &limit }
}

// WithDisposeOnDelete sets savepoint.disposeOnDelete.
func WithDisposeOnDelete(dispose bool) SnapshotOption {
	return func(s *flinkv1beta1.FlinkStateSnapshot) { s.Spec.Savepoint.DisposeOnDelete = &dispose }
}

// AlreadyExistsAt records an existing savepoint at path.
func AlreadyExistsAt(path string) SnapshotOption {
	return func(s *flinkv1beta1.FlinkStateSnapshot) {
		exists := true
		s.Spec.Savepoint.AlreadyExists, s.Spec.Savepoint.Path = &exists, path
	}
}

// OfSessionJob points the snapshot at a FlinkSessionJob.
func OfSessionJob(name string) SnapshotOption {
	return func(s *flinkv1beta1.FlinkStateSnapshot) {
		s.Spec.JobReference = &flinkv1beta1.JobReference{Kind: flinkv1beta1.JobKindFlinkSessionJob, Name: name}
	}
}

// SessionJobOption changes a FlinkSessionJob under construction.
type SessionJobOption func(*flinkv1beta1.FlinkSessionJob)

// NewFlinkSessionJob returns a session job running jarURI on session cluster deployment, upgraded statelessly,
// with every option applied.
func NewFlinkSessionJob(name, namespace, deployment, jarURI string, options ...SessionJobOption) *flinkv1beta1.FlinkSessionJob {
	job := &flinkv1beta1.FlinkSessionJob{
		TypeMeta:   metav1.TypeMeta{APIVersion: flinkv1beta1.GroupVersion.String(), Kind: "FlinkSessionJob"},
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: namespace},
		Spec: flinkv1beta1.FlinkSessionJobSpec{
			DeploymentName: deployment,
			Job: &flinkv1beta1.JobSpec{JarURI: jarURI, Parallelism: 1, UpgradeMode: flinkv1beta1.UpgradeModeStateless,
				State: flinkv1beta1.JobStateRunning, EntryClass: "org.apache.flink.streaming.examples.windowing.TopSpeedWindowing"},
		},
	}
	for _, option := range options {
		option(job)
	}
	return job
}

// WithSessionJobUpgradeMode sets job.upgradeMode.
func WithSessionJobUpgradeMode(mode flinkv1beta1.UpgradeMode) SessionJobOption {
	return func(j *flinkv1beta1.FlinkSessionJob) { j.Spec.Job.UpgradeMode = mode }
}

// WithSessionJobConfig sets flinkConfiguration entries from key, value pairs.
func WithSessionJobConfig(keyValues ...string) SessionJobOption {
	return func(j *flinkv1beta1.FlinkSessionJob) {
		config := map[string]string{}
		if existing, err := j.Spec.FlinkConfiguration.Flatten(); err == nil {
			config = existing
		}
		for i := 0; i+1 < len(keyValues); i += 2 {
			config[keyValues[i]] = keyValues[i+1]
		}
		j.Spec.FlinkConfiguration = flinkv1beta1.NewConfigObject(config)
	}
}
