package resources

import (
	"testing"

	. "github.com/onsi/gomega"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
)

// TestTaskManagerReplicasGiveTheParallelism covers upstream's rule: in native mode a job without
// job.parallelism runs with taskManager.replicas × taskmanager.numberOfTaskSlots.
func TestTaskManagerReplicasGiveTheParallelism(t *testing.T) {
	cases := []struct {
		name        string
		parallelism int32
		replicas    *int32
		mode        flinkv1beta1.KubernetesDeploymentMode
		want        string
	}{
		{name: "replicas times slots when job.parallelism is unset", replicas: ptr(int32(3)), want: "6"},
		{name: "job.parallelism wins", parallelism: 5, replicas: ptr(int32(3)), want: "5"},
		{name: "no replicas: Flink's default", want: ""},
		{name: "standalone sizes TaskManagers itself", replicas: ptr(int32(3)), mode: flinkv1beta1.DeploymentModeStandalone, want: ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			g := NewWithT(t)
			deployment := application()
			deployment.Spec.Job.Parallelism = tc.parallelism
			deployment.Spec.TaskManager.Replicas = tc.replicas
			deployment.Spec.Mode = tc.mode
			config, err := EffectiveConfig(deployment, ConfigOptions{})
			g.Expect(err).NotTo(HaveOccurred())
			if tc.want == "" {
				g.Expect(config).NotTo(HaveKey(KeyParallelism))
				return
			}
			g.Expect(config).To(HaveKeyWithValue(KeyParallelism, tc.want))
		})
	}
}
