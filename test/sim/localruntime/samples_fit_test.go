package localruntime

import (
	"os"
	"path/filepath"
	"testing"

	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	"sigs.k8s.io/yaml"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
	"github.com/teal-flink/teal/internal/resources"
)

// TestSamplesFitATwoCPUNode: what each sample's pods request at their peak fits a node of 2 CPUs (make
// cluster's, or a small cloud node) beside the operator and CoreDNS: at most 1.5 CPU and 6 GiB. The samples
// asked for 1 CPU per JobManager and TaskManager, so the application sample's TaskManager (and any blue/green
// transition) stayed Pending on such a node. The JobManager's request is read from the Deployment Teal builds;
// native TaskManagers, which Flink creates, request spec.taskManager.resources, one per `slots` of parallelism;
// a blue/green deployment runs both colours during a transition.
func TestSamplesFitATwoCPUNode(t *testing.T) {
	maxCPU, maxMemory := resource.MustParse("1500m"), resource.MustParse("6Gi")
	samples := filepath.Join(repoRoot(t), "config", "samples")
	sessionJob := &flinkv1beta1.FlinkSessionJob{}
	readSample(t, filepath.Join(samples, "flinksessionjob.yaml"), sessionJob)
	cases := []struct {
		file        string
		colours     int   // deployments running at once at the peak
		parallelism int32 // of the jobs on the cluster (a session cluster's from the session job sample)
	}{
		{file: "flinkdeployment-application.yaml", colours: 1},
		{file: "flinkdeployment-standalone.yaml", colours: 1},
		{file: "flinkdeployment-session.yaml", colours: 1, parallelism: sessionJob.Spec.Job.Parallelism},
		{file: "flinkbluegreendeployment.yaml", colours: 2},
	}
	for _, tc := range cases {
		t.Run(tc.file, func(t *testing.T) {
			g := NewWithT(t)
			deployment := &flinkv1beta1.FlinkDeployment{}
			if tc.file == "flinkbluegreendeployment.yaml" {
				blueGreen := &flinkv1beta1.FlinkBlueGreenDeployment{}
				readSample(t, filepath.Join(samples, tc.file), blueGreen)
				deployment.Name, deployment.Spec = blueGreen.Name+"-blue", *blueGreen.Spec.Template.Spec.DeepCopy()
			} else {
				readSample(t, filepath.Join(samples, tc.file), deployment)
			}
			deployment.Namespace = "streaming"
			cluster, err := resources.Build(deployment, resources.ConfigOptions{})
			g.Expect(err).NotTo(HaveOccurred())
			cpu, memory := podRequests(cluster.JobManager.Spec.Template.Spec, *cluster.JobManager.Spec.Replicas)
			if cluster.TaskManager != nil {
				tmCPU, tmMemory := podRequests(cluster.TaskManager.Spec.Template.Spec, *cluster.TaskManager.Spec.Replicas)
				cpu.Add(tmCPU)
				memory.Add(tmMemory)
			} else {
				parallelism := tc.parallelism
				if deployment.Spec.Job != nil {
					parallelism = deployment.Spec.Job.Parallelism
				}
				slots := int32(1)
				if value := cluster.Config[resources.KeyTaskSlots]; value != "" {
					g.Expect(yaml.Unmarshal([]byte(value), &slots)).To(Succeed())
				}
				requests := deployment.Spec.TaskManager.Resources.Requests
				for range (parallelism + slots - 1) / slots {
					cpu.Add(*requests.Cpu())
					memory.Add(*requests.Memory())
				}
			}
			for range tc.colours - 1 {
				cpu.Add(cpu.DeepCopy())
				memory.Add(memory.DeepCopy())
			}
			g.Expect(cpu.Cmp(maxCPU)).To(BeNumerically("<=", 0), "CPU requested at the peak: %s", cpu.String())
			g.Expect(memory.Cmp(maxMemory)).To(BeNumerically("<=", 0), "memory requested at the peak: %s", memory.String())
			for _, container := range cluster.JobManager.Spec.Template.Spec.Containers {
				g.Expect(container.Resources.Requests.Cpu().MilliValue()).To(BeNumerically("<", 1000), "a fractional CPU request")
			}
		})
	}
}

func readSample(t *testing.T, path string, into any) {
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.UnmarshalStrict(raw, into); err != nil {
		t.Fatal(err)
	}
}

// podRequests is what replicas pods of spec request, in all.
func podRequests(spec corev1.PodSpec, replicas int32) (resource.Quantity, resource.Quantity) {
	cpu, memory := resource.Quantity{}, resource.Quantity{}
	for range replicas {
		for _, container := range spec.Containers {
			cpu.Add(*container.Resources.Requests.Cpu())
			memory.Add(*container.Resources.Requests.Memory())
		}
	}
	return cpu, memory
}
