package validators_test

import (
	"net/netip"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
	"github.com/teal-flink/teal/internal/reconciled"
	"github.com/teal-flink/teal/validators"
)

// testOptions resolve a fixed table of hosts, so jarURI checks never touch DNS.
var testOptions = validators.Options{Resolver: validators.StaticResolver{
	"repo.example.com": {netip.MustParseAddr("93.184.216.34")},
	"localhost":        {netip.MustParseAddr("127.0.0.1")},
	"internal.corp":    {netip.MustParseAddr("10.1.2.3")},
}}

func baseConfig() map[string]string {
	return map[string]string{
		"taskmanager.numberOfTaskSlots": "2",
		"high-availability.type":        "kubernetes",
		"high-availability.storageDir":  "file:///flink-data/ha",
		"state.savepoints.dir":          "file:///flink-data/savepoints",
		"state.checkpoints.dir":         "file:///flink-data/checkpoints",
	}
}

func resources(memory string) *corev1.ResourceRequirements {
	return &corev1.ResourceRequirements{Requests: corev1.ResourceList{
		corev1.ResourceCPU: resource.MustParse("1"), corev1.ResourceMemory: resource.MustParse(memory)}}
}

// sessionCluster mirrors upstream's TestUtils.buildSessionCluster.
func sessionCluster() *flinkv1beta1.FlinkDeployment {
	return &flinkv1beta1.FlinkDeployment{
		ObjectMeta: metav1.ObjectMeta{Name: "test-cluster", Namespace: "flink"},
		Spec: flinkv1beta1.FlinkDeploymentSpec{
			Image: "flink:1.20", ServiceAccount: "flink", FlinkVersion: flinkv1beta1.FlinkVersionV1_20,
			FlinkConfiguration: flinkv1beta1.NewConfigObject(baseConfig()),
			JobManager:         &flinkv1beta1.JobManagerSpec{Resources: resources("2048m"), Replicas: ptr(int32(1))},
			TaskManager:        &flinkv1beta1.TaskManagerSpec{Resources: resources("2048m")},
		},
	}
}

// applicationCluster mirrors upstream's TestUtils.buildApplicationCluster.
func applicationCluster() *flinkv1beta1.FlinkDeployment {
	d := sessionCluster()
	d.Spec.Job = &flinkv1beta1.JobSpec{JarURI: "local:///opt/flink/examples/streaming/StateMachineExample.jar",
		Parallelism: 1, UpgradeMode: flinkv1beta1.UpgradeModeStateless, State: flinkv1beta1.JobStateRunning}
	return d
}

func sessionJob() *flinkv1beta1.FlinkSessionJob {
	return &flinkv1beta1.FlinkSessionJob{
		ObjectMeta: metav1.ObjectMeta{Name: "test-job", Namespace: "flink"},
		Spec: flinkv1beta1.FlinkSessionJobSpec{DeploymentName: "test-cluster", Job: &flinkv1beta1.JobSpec{
			JarURI: "https://repo.example.com/job.jar", Parallelism: 1, UpgradeMode: flinkv1beta1.UpgradeModeStateless}},
	}
}

func withConfig(d *flinkv1beta1.FlinkDeployment, mutate func(map[string]string)) {
	flat, _ := d.Spec.FlinkConfiguration.Flatten()
	mutate(flat)
	d.Spec.FlinkConfiguration = flinkv1beta1.NewConfigObject(flat)
}

// deployed records spec as the last reconciled spec, as the controller does after a deployment.
func deployed(d *flinkv1beta1.FlinkDeployment, spec flinkv1beta1.FlinkDeploymentSpec) {
	record, err := reconciled.Serialize(spec, false)
	if err != nil {
		panic(err)
	}
	d.Status.ReconciliationStatus.LastReconciledSpec = record
}

func ptr[T any](v T) *T { return &v }

// fieldPaths lists the field paths of errs, in order.
func fieldPaths(errs field.ErrorList) []string {
	out := make([]string, 0, len(errs))
	for _, e := range errs {
		out = append(out, e.Field)
	}
	return out
}
