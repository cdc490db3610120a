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

// TestSamplesFitATwoCPUNode: the pods of every sample in config/samples fit a node of 2 CPUs (make cluster's, or
// a small cloud node) beside the operator (100m) and CoreDNS (50m) — each sample at its peak, and all of them
// applied at once (test/e2ecluster TestSamplesOnTheNode runs them so). The samples asked for 1 CPU per
// JobManager and TaskManager, so the application sample's TaskManager and the ADVANCED blue/green sample stayed
// Pending on such a node. The JobManager's request is read from the Deployment Teal builds; native TaskManagers,
// which Flink creates, request spec.taskManager.resources, one per `slots` of parallelism; a blue/green
// deployment runs both colours during a transition. The FlinkSessionJob and FlinkStateSnapshot samples start no
// pods of their own (the session job's parallelism counts on its session cluster).
func TestSamplesFitATwoCPUNode(t *testing.T) {
	node, operatorAndDNS := resource.MustParse("2"), resource.MustParse("150m")
	maxCPU := node.DeepCopy()
	maxCPU.Sub(operatorAndDNS)
	maxMemory := resource.MustParse("16Gi")
	samples := filepath.Join(repoRoot(t), "config", "samples")
	sessionJob := &flinkv1beta1.FlinkSessionJob{}
	readSample(t, filepath.Join(samples, "flinksessionjob.yaml"), sessionJob)
	cases := []struct {
		file        string
		blueGreen   bool
		parallelism int32 // of the jobs on the cluster (a session cluster's from the session job sample)
	}{
		{file: "flinkdeployment-application.yaml"},
		{file: "flinkdeployment-standalone.yaml"},
		{file: "flinkdeployment-session.yaml", parallelism: sessionJob.Spec.Job.Parallelism},
		{file: "flinkbluegreendeployment.yaml", blueGreen: true},
		{file: "flinkbluegreendeployment-advanced.yaml", blueGreen: true},
	}
	// Every Teal resource sample is in the table or starts no pods.
	entries, err := os.ReadDir(samples)
	if err != nil {
		t.Fatal(err)
	}
	covered := map[string]bool{"flinksessionjob.yaml": true, "flinkstatesnapshot-savepoint.yaml": true, "flinkstatesnapshot-checkpoint.yaml": true}
	for _, tc := range cases {
		covered[tc.file] = true
	}
	for _, entry := range entries {
		if !entry.IsDir() && !covered[entry.Name()] {
			t.Errorf("sample %s is not covered: add it to the table", entry.Name())
		}
	}

	allCPU, allMemory := resource.Quantity{}, resource.Quantity{}
	for _, tc := range cases {
		t.Run(tc.file, func(t *testing.T) {
			g := NewWithT(t)
			deployment := &flinkv1beta1.FlinkDeployment{}
			if tc.blueGreen {
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
			// Applied at once, each sample runs one colour.
			allCPU.Add(cpu)
			allMemory.Add(memory)
			if tc.blueGreen {
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
	g := NewWithT(t)
	g.Expect(allCPU.Cmp(maxCPU)).To(BeNumerically("<=", 0), "CPU requested by every sample at once: %s of %s", allCPU.String(), maxCPU.String())
	g.Expect(allMemory.Cmp(maxMemory)).To(BeNumerically("<=", 0), "memory requested by every sample at once: %s", allMemory.String())
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
