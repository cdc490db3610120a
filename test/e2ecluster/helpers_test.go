package e2ecluster

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	. "github.com/onsi/gomega"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	apimeta "k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/cli-utils/pkg/kstatus/status"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
	"github.com/teal-flink/teal/internal/flink"
	"github.com/teal-flink/teal/internal/resources"
	"github.com/teal-flink/teal/test/testenv"
)

// flinkDataMount is where the scenarios' Flink pods see their state directory.
const flinkDataMount = "/flink-data"

// loadSample reads a FlinkDeployment from config/samples.
func loadSample(g Gomega, file string) *flinkv1beta1.FlinkDeployment {
	content, err := os.ReadFile(filepath.Join(testenv.RepoRoot(), "config", "samples", file))
	g.Expect(err).NotTo(HaveOccurred())
	deployment := &flinkv1beta1.FlinkDeployment{}
	g.Expect(yaml.UnmarshalStrict(content, deployment)).To(Succeed())
	return deployment
}

// stateDir makes the host directory of one scenario's Flink state, owned by the image's flink user, and
// returns it. It starts empty, so a scenario never restores what an earlier run left.
func stateDir(g Gomega, scenario string) string {
	dir := filepath.Join(dataDir, scenario)
	g.Expect(os.RemoveAll(dir)).To(Succeed())
	g.Expect(os.MkdirAll(dir, 0o755)).To(Succeed())
	g.Expect(os.Chown(dir, flinkUID, flinkUID)).To(Succeed())
	return dir
}

// hostPath maps a file: location Flink reported inside the pods to the host directory dir mounted there.
func hostPath(dir, location string) string {
	location = strings.TrimPrefix(strings.TrimPrefix(location, "file://"), "file:")
	return filepath.Join(dir, strings.TrimPrefix(location, flinkDataMount))
}

// withStateVolume mounts the host directory dir at /flink-data in every Flink pod through spec.podTemplate, the
// way a user gives JobManager and TaskManagers one shared file system.
func withStateVolume(deployment *flinkv1beta1.FlinkDeployment, dir string) {
	hostPathType := corev1.HostPathDirectory
	deployment.Spec.PodTemplate = &flinkv1beta1.Pod{Spec: corev1.PodSpec{
		Containers: []corev1.Container{{
			Name:         resources.MainContainerName,
			VolumeMounts: []corev1.VolumeMount{{Name: "flink-data", MountPath: flinkDataMount}},
		}},
		Volumes: []corev1.Volume{{Name: "flink-data", VolumeSource: corev1.VolumeSource{
			HostPath: &corev1.HostPathVolumeSource{Path: dir, Type: &hostPathType},
		}}},
	}}
}

// Each Flink pod of a scenario requests podCPU and podMemory: memory as much as Flink needs (Teal turns the
// request into jobmanager/taskmanager.memory.process.size, and 1 GiB is about Flink's smallest working size), CPU a
// small share, with the whole node as the limit so that a starting JVM is not throttled to its request. The
// suite runs -test.parallel scenarios at once, each with at most maxPodsPerScenario pods (a blue/green
// transition: two JobManagers and two TaskManagers); TestMain checks that so many pods fit the node's allocatable
// CPU and memory next to what is already running there (Teal, CoreDNS), so no pod waits for room.
const (
	podCPU             = "80m"
	podMemory          = "1Gi"
	maxPodsPerScenario = 4
)

// smallResources gives every pod of deployment the suite's requests (podCPU, podMemory).
func smallResources(deployment *flinkv1beta1.FlinkDeployment) {
	requirements := func() *corev1.ResourceRequirements {
		return &corev1.ResourceRequirements{
			Requests: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse(podCPU), corev1.ResourceMemory: resource.MustParse(podMemory)},
			Limits:   corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("2"), corev1.ResourceMemory: resource.MustParse(podMemory)},
		}
	}
	if deployment.Spec.JobManager == nil {
		deployment.Spec.JobManager = &flinkv1beta1.JobManagerSpec{}
	}
	deployment.Spec.JobManager.Resources = requirements()
	deployment.Spec.JobManager.Resource = nil
	if deployment.Spec.TaskManager != nil {
		deployment.Spec.TaskManager.Resources = requirements()
		deployment.Spec.TaskManager.Resource = nil
	}
}

// versionSuffix names a scenario's objects per Flink line ("120", "23"), so the lines run side by side.
func versionSuffix(name string) string {
	return strings.ReplaceAll(strings.TrimPrefix(name, "flink-"), ".", "")
}

// onVersion moves a 1.20 sample to another Flink line: its image and version, and on 2.x the renamed
// checkpoint and savepoint directory keys.
func onVersion(g Gomega, deployment *flinkv1beta1.FlinkDeployment, image string, version flinkv1beta1.FlinkVersion) {
	deployment.Spec.Image, deployment.Spec.FlinkVersion = image, version
	if version.IsEqualOrNewer(flinkv1beta1.FlinkVersionV2_0) {
		setConfig(g, deployment, map[string]string{"state.savepoints.dir": "", "state.checkpoints.dir": ""})
		setConfig(g, deployment, stateKeys(version))
	}
}

// stateKeys are the checkpoint and savepoint directory keys of a Flink line (2.x renamed them), under /flink-data.
func stateKeys(version flinkv1beta1.FlinkVersion) map[string]string {
	if version.IsEqualOrNewer(flinkv1beta1.FlinkVersionV2_0) {
		return map[string]string{
			"execution.checkpointing.dir":           "file://" + flinkDataMount + "/checkpoints",
			"execution.checkpointing.savepoint-dir": "file://" + flinkDataMount + "/savepoints",
		}
	}
	return map[string]string{
		"state.checkpoints.dir": "file://" + flinkDataMount + "/checkpoints",
		"state.savepoints.dir":  "file://" + flinkDataMount + "/savepoints",
	}
}

// setConfig sets Flink configuration keys; an empty value removes the key.
func setConfig(g Gomega, deployment *flinkv1beta1.FlinkDeployment, values map[string]string) {
	flat, err := deployment.Spec.FlinkConfiguration.Flatten()
	g.Expect(err).NotTo(HaveOccurred())
	if flat == nil {
		flat = map[string]string{}
	}
	for key, value := range values {
		if value == "" {
			delete(flat, key)
		} else {
			flat[key] = value
		}
	}
	deployment.Spec.FlinkConfiguration = flinkv1beta1.NewConfigObject(flat)
}

func get(g Gomega, deployment *flinkv1beta1.FlinkDeployment) *flinkv1beta1.FlinkDeployment {
	current := &flinkv1beta1.FlinkDeployment{}
	g.Expect(k8s.Get(context.Background(), client.ObjectKeyFromObject(deployment), current)).To(Succeed())
	return current
}

// update applies change to the latest version of the object, retrying on conflicts.
func update(g Gomega, deployment *flinkv1beta1.FlinkDeployment, change func(*flinkv1beta1.FlinkDeployment)) {
	g.Eventually(func() error {
		current := get(g, deployment)
		change(current)
		return k8s.Update(context.Background(), current)
	}, timeout, interval).Should(Succeed())
}

// eventuallyReady waits until the latest generation reached its terminal outcome with Ready=True (kstatus
// Current) and returns the object.
func eventuallyReady(g Gomega, deployment *flinkv1beta1.FlinkDeployment) *flinkv1beta1.FlinkDeployment {
	return eventuallyReadyWithin(g, deployment, timeout)
}

// eventuallyReadyWithin is eventuallyReady with its own bound.
func eventuallyReadyWithin(g Gomega, deployment *flinkv1beta1.FlinkDeployment, within time.Duration) *flinkv1beta1.FlinkDeployment {
	var current *flinkv1beta1.FlinkDeployment
	g.Eventually(func(g Gomega) {
		current = get(g, deployment)
		g.Expect(current.Status.ObservedGeneration).To(Equal(current.Generation), "conditions: %+v", current.Status.Conditions)
		ready := meta(current.Status.Conditions, flinkv1beta1.ConditionReady)
		g.Expect(ready).NotTo(BeNil())
		g.Expect(ready.Status).To(Equal(metav1.ConditionTrue), "Ready: %s", ready.Message)
		kstatus, err := testenv.KStatus(current)
		g.Expect(err).NotTo(HaveOccurred())
		g.Expect(kstatus).To(Equal(status.CurrentStatus))
	}, within, interval).Should(Succeed())
	return current
}

func meta(conditions []metav1.Condition, conditionType string) *metav1.Condition {
	for i := range conditions {
		if conditions[i].Type == conditionType {
			return &conditions[i]
		}
	}
	return nil
}

// restClient reaches the cluster's JobManager through its REST Service, by the Service's cluster IP: the test
// runs in the cluster's network namespace, but not with the cluster's DNS.
func restClient(g Gomega, name string) *flink.Client {
	service := &corev1.Service{}
	g.Expect(k8s.Get(context.Background(), client.ObjectKey{Namespace: namespace, Name: resources.RestServiceName(name)}, service)).To(Succeed())
	g.Expect(service.Spec.ClusterIP).NotTo(BeEmpty())
	port := int32(resources.DefaultRestPort)
	for _, servicePort := range service.Spec.Ports {
		if servicePort.Name == "rest" {
			port = servicePort.Port
		}
	}
	c, err := flink.New(fmt.Sprintf("http://%s:%d", service.Spec.ClusterIP, port), flink.Options{})
	g.Expect(err).NotTo(HaveOccurred())
	return c
}

// runningJob asks Flink for the cluster's one job and expects it RUNNING with every task RUNNING (a job whose
// TaskManager has not come up is RUNNING with its tasks still SCHEDULED). It returns the job's checkpoint
// statistics.
func runningJob(g Gomega, name string) (string, flink.CheckpointStatistics) {
	ctx := context.Background()
	c := restClient(g, name)
	jobs, err := c.ListJobs(ctx)
	g.Expect(err).NotTo(HaveOccurred())
	var active []flink.JobOverview
	for _, job := range jobs {
		if !job.State.IsGloballyTerminal() {
			active = append(active, job)
		}
	}
	g.Expect(active).To(HaveLen(1), "jobs: %+v", jobs)
	g.Expect(active[0].State).To(Equal(flink.JobRunning))
	details, err := c.JobDetails(ctx, active[0].ID)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(details.Vertices).NotTo(BeEmpty())
	for _, vertex := range details.Vertices {
		g.Expect(vertex.Status).To(Equal("RUNNING"), "vertex %s", vertex.Name)
	}
	statistics, err := c.CheckpointStatistics(ctx, active[0].ID)
	g.Expect(err).NotTo(HaveOccurred())
	return active[0].ID, statistics
}

// eventuallyRunning waits until runningJob holds and its checkpoint statistics satisfy check.
func eventuallyRunning(g Gomega, name string, check func(Gomega, flink.CheckpointStatistics)) (string, flink.CheckpointStatistics) {
	var (
		jobID      string
		statistics flink.CheckpointStatistics
	)
	g.Eventually(func(g Gomega) {
		jobID, statistics = runningJob(g, name)
		if check != nil {
			check(g, statistics)
		}
	}, timeout, interval).Should(Succeed())
	return jobID, statistics
}

// samePath compares Flink locations that may differ in the file: prefix form.
func samePath(a, b string) bool {
	trim := func(s string) string { return strings.TrimPrefix(strings.TrimPrefix(s, "file://"), "file:") }
	return trim(a) == trim(b)
}

// deleteAndExpectGone deletes the FlinkDeployment, waits until it is gone, and expects nothing of its cluster to
// be left: no Deployment, pod, Service or ConfigMap labelled with its name (Flink's HA ConfigMaps included).
func deleteAndExpectGone(g Gomega, deployment *flinkv1beta1.FlinkDeployment) {
	ctx := context.Background()
	g.Expect(client.IgnoreNotFound(k8s.Delete(ctx, deployment))).To(Succeed())
	g.Eventually(func() bool {
		return apierrors.IsNotFound(k8s.Get(ctx, client.ObjectKeyFromObject(deployment), &flinkv1beta1.FlinkDeployment{}))
	}, timeout, interval).Should(BeTrue())
	selector := client.MatchingLabels{resources.LabelApp: deployment.Name}
	g.Eventually(func(g Gomega) {
		for _, list := range []client.ObjectList{&appsv1.DeploymentList{}, &corev1.PodList{}, &corev1.ServiceList{}, &corev1.ConfigMapList{}} {
			g.Expect(k8s.List(ctx, list, client.InNamespace(namespace), selector)).To(Succeed())
			items, err := metaItems(list)
			g.Expect(err).NotTo(HaveOccurred())
			g.Expect(items).To(BeEmpty(), "left behind: %T", list)
		}
	}, timeout, interval).Should(Succeed())
}

func metaItems(list client.ObjectList) ([]string, error) {
	objects, err := apimeta.ExtractList(list)
	if err != nil {
		return nil, err
	}
	names := make([]string, 0, len(objects))
	for _, object := range objects {
		accessor, err := apimeta.Accessor(object)
		if err != nil {
			return nil, err
		}
		names = append(names, accessor.GetName())
	}
	return names, nil
}
