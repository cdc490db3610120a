package specdiff

import (
	"testing"

	. "github.com/onsi/gomega"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
)

func ptr[T any](v T) *T { return &v }

func baseSpec() *flinkv1beta1.FlinkDeploymentSpec {
	return &flinkv1beta1.FlinkDeploymentSpec{
		Image:              "flink:1.20",
		FlinkVersion:       flinkv1beta1.FlinkVersionV1_20,
		ServiceAccount:     "flink",
		FlinkConfiguration: flinkv1beta1.NewConfigObject(map[string]string{"taskmanager.numberOfTaskSlots": "2"}),
		JobManager:         &flinkv1beta1.JobManagerSpec{Resource: &flinkv1beta1.Resource{Memory: "1024m", CPU: ptr(1.0)}},
		TaskManager:        &flinkv1beta1.TaskManagerSpec{Resource: &flinkv1beta1.Resource{Memory: "1024m", CPU: ptr(1.0)}},
		Job: &flinkv1beta1.JobSpec{
			JarURI: "local:///opt/flink/job.jar", Parallelism: 2, UpgradeMode: flinkv1beta1.UpgradeModeSavepoint,
			State: flinkv1beta1.JobStateRunning,
		},
	}
}

func TestFlinkDeploymentDiff(t *testing.T) {
	cases := []struct {
		name   string
		change func(spec *flinkv1beta1.FlinkDeploymentSpec)
		want   Type
		paths  []string
	}{
		{name: "no change", change: func(*flinkv1beta1.FlinkDeploymentSpec) {}, want: Ignore},
		{name: "image", change: func(s *flinkv1beta1.FlinkDeploymentSpec) { s.Image = "flink:2.1" }, want: Upgrade, paths: []string{"spec.image"}},
		{name: "upgrade mode is ignorable", change: func(s *flinkv1beta1.FlinkDeploymentSpec) { s.Job.UpgradeMode = flinkv1beta1.UpgradeModeLastState }, want: Ignore, paths: []string{"spec.job.upgradeMode"}},
		{name: "savepoint nonce is ignorable", change: func(s *flinkv1beta1.FlinkDeploymentSpec) { s.Job.SavepointTriggerNonce = ptr(int64(3)) }, want: Ignore, paths: []string{"spec.job.savepointTriggerNonce"}},
		{name: "initial savepoint path is ignorable", change: func(s *flinkv1beta1.FlinkDeploymentSpec) { s.Job.InitialSavepointPath = "file:///sp" }, want: Ignore, paths: []string{"spec.job.initialSavepointPath"}},
		{name: "operator config is ignorable", change: func(s *flinkv1beta1.FlinkDeploymentSpec) {
			s.FlinkConfiguration = flinkv1beta1.NewConfigObject(map[string]string{"taskmanager.numberOfTaskSlots": "2", "kubernetes.operator.periodic.savepoint.interval": "1h"})
		}, want: Ignore, paths: []string{`spec.flinkConfiguration["kubernetes.operator.periodic.savepoint.interval"]`}},
		{name: "autoscaler config is ignorable", change: func(s *flinkv1beta1.FlinkDeploymentSpec) {
			s.FlinkConfiguration = flinkv1beta1.NewConfigObject(map[string]string{"taskmanager.numberOfTaskSlots": "2", "job.autoscaler.enabled": "true"})
		}, want: Ignore},
		{name: "flink config needs an upgrade", change: func(s *flinkv1beta1.FlinkDeploymentSpec) {
			s.FlinkConfiguration = flinkv1beta1.NewConfigObject(map[string]string{"taskmanager.numberOfTaskSlots": "4"})
		}, want: Upgrade, paths: []string{`spec.flinkConfiguration["taskmanager.numberOfTaskSlots"]`}},
		{name: "nested and flat config with the same meaning are equal", change: func(s *flinkv1beta1.FlinkDeploymentSpec) {
			s.FlinkConfiguration = &flinkv1beta1.ConfigObject{Raw: []byte(`{"taskmanager":{"numberOfTaskSlots":"2"}}`)}
		}, want: Ignore},
		{name: "vertex parallelism overrides scale in native mode", change: func(s *flinkv1beta1.FlinkDeploymentSpec) {
			s.FlinkConfiguration = flinkv1beta1.NewConfigObject(map[string]string{"taskmanager.numberOfTaskSlots": "2", "pipeline.jobvertex-parallelism-overrides": "a:2"})
		}, want: Scale},
		{name: "parallelism upgrades in native mode", change: func(s *flinkv1beta1.FlinkDeploymentSpec) { s.Job.Parallelism = 4 }, want: Upgrade},
		{name: "parallelism scales in standalone mode", change: func(s *flinkv1beta1.FlinkDeploymentSpec) {
			s.Mode = flinkv1beta1.DeploymentModeStandalone
			s.Job.Parallelism = 4
		}, want: Upgrade, paths: []string{"spec.mode", "spec.job.parallelism"}},
		{name: "task manager replicas upgrade in native mode", change: func(s *flinkv1beta1.FlinkDeploymentSpec) { s.TaskManager.Replicas = ptr(int32(3)) }, want: Upgrade},
		{name: "restart nonce", change: func(s *flinkv1beta1.FlinkDeploymentSpec) { s.RestartNonce = ptr(int64(1)) }, want: Upgrade},
		{name: "removing the restart nonce is ignored", change: func(s *flinkv1beta1.FlinkDeploymentSpec) {}, want: Ignore},
		{name: "savepoint redeploy", change: func(s *flinkv1beta1.FlinkDeploymentSpec) {
			s.Job.SavepointRedeployNonce = ptr(int64(1))
			s.Job.InitialSavepointPath = "file:///sp/1"
		}, want: SavepointRedeploy},
		{name: "suspend is an upgrade", change: func(s *flinkv1beta1.FlinkDeploymentSpec) { s.Job.State = flinkv1beta1.JobStateSuspended }, want: Upgrade, paths: []string{"spec.job.state"}},
		{name: "empty state means running", change: func(s *flinkv1beta1.FlinkDeploymentSpec) { s.Job.State = "" }, want: Ignore},
		{name: "JM replicas default to one", change: func(s *flinkv1beta1.FlinkDeploymentSpec) { s.JobManager.Replicas = ptr(int32(1)) }, want: Ignore},
		{name: "session to application", change: func(s *flinkv1beta1.FlinkDeploymentSpec) { s.Job = nil }, want: Upgrade, paths: []string{"spec.job"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			g := NewWithT(t)
			after := baseSpec()
			tc.change(after)
			result, err := FlinkDeployment(baseSpec(), after)
			g.Expect(err).NotTo(HaveOccurred())
			g.Expect(result.Type).To(Equal(tc.want), result.String())
			if tc.paths != nil {
				var paths []string
				for _, change := range result.Changes {
					paths = append(paths, change.Path)
				}
				g.Expect(paths).To(ConsistOf(tc.paths))
			}
		})
	}
}

func TestStandaloneScale(t *testing.T) {
	g := NewWithT(t)
	before := baseSpec()
	before.Mode = flinkv1beta1.DeploymentModeStandalone
	after := baseSpec()
	after.Mode = flinkv1beta1.DeploymentModeStandalone
	after.Job.Parallelism = 4
	after.TaskManager.Replicas = ptr(int32(2))
	result, err := FlinkDeployment(before, after)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(result.Type).To(Equal(Scale))
}

func TestSessionJobDiff(t *testing.T) {
	g := NewWithT(t)
	before := &flinkv1beta1.FlinkSessionJobSpec{DeploymentName: "session", Job: &flinkv1beta1.JobSpec{JarURI: "https://x/job.jar", Parallelism: 1}}
	after := before.DeepCopy()
	after.Job.Parallelism = 2
	result, err := FlinkSessionJob(before, after)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(result.Type).To(Equal(Upgrade))

	after = before.DeepCopy()
	after.Job.UpgradeMode = flinkv1beta1.UpgradeModeStateless
	result, err = FlinkSessionJob(before, after)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(result.Type).To(Equal(Ignore))
}

func TestDiffTypeNames(t *testing.T) {
	g := NewWithT(t)
	g.Expect([]string{Ignore.String(), Scale.String(), Upgrade.String(), SavepointRedeploy.String()}).
		To(Equal([]string{"IGNORE", "SCALE", "UPGRADE", "SAVEPOINT_REDEPLOY"}))
}
