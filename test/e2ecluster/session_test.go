package e2ecluster

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/cli-utils/pkg/kstatus/status"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
	"github.com/teal-flink/teal/internal/resources"
	"github.com/teal-flink/teal/test/sim/flinkdist"
	"github.com/teal-flink/teal/test/testenv"
)

// nodeAddress is the node's address inside the cluster's network namespace (hack/cluster/lib.sh): pods reach a
// server the test runs there.
const nodeAddress = "198.18.0.2"

// serveJar serves the TopSpeedWindowing jar of a Flink distribution over HTTP on the node's address, as an
// artifact repository would, and returns its URL and the count of jar downloads.
func serveJar(t *testing.T, version string) (string, *atomic.Int64) {
	dist, err := flinkdist.Locate(version)
	if err != nil {
		t.Fatal(err)
	}
	listener, err := net.Listen("tcp", nodeAddress+":0")
	if err != nil {
		t.Fatal(err)
	}
	downloads := &atomic.Int64{}
	files := http.FileServer(http.Dir(filepath.Dir(dist.TopSpeedWindowingJar())))
	server := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		downloads.Add(1)
		files.ServeHTTP(w, r)
	})}
	go func() { _ = server.Serve(listener) }()
	t.Cleanup(func() { _ = server.Close() })
	return fmt.Sprintf("http://%s/%s", listener.Addr(), filepath.Base(dist.TopSpeedWindowingJar())), downloads
}

// TestNativeSessionJob runs the shipped native session sample and a FlinkSessionJob whose jar Teal fetches over
// HTTP and uploads through Flink's REST API, on each Flink line: both Ready, the job RUNNING in Flink under the id
// the status reports; a FlinkStateSnapshot savepoint of the session job COMPLETED, its _metadata on disk; deleting
// them leaves nothing behind. The session also carries a taskManager.podTemplate (an env var and a volume): Flink
// creates the TaskManager pods in native mode, and they must have both, seen inside the TaskManager container.
func TestNativeSessionJob(t *testing.T) {
	t.Parallel()
	for _, flinkVersion := range flinkVersions {
		t.Run(flinkVersion.name, func(t *testing.T) {
			t.Parallel()
			keepOnFailure(t)
			g := NewWithT(t)
			ctx := context.Background()
			name := "session-" + versionSuffix(flinkVersion.name)
			dir := stateDir(g, name)
			distribution := flinkdist.Flink1
			if flinkVersion.version.IsEqualOrNewer(flinkv1beta1.FlinkVersionV2_0) {
				distribution = flinkdist.Flink2
			}
			jarURI, downloads := serveJar(t, distribution)

			session := loadSample(g, "flinkdeployment-session.yaml")
			sampleName := session.Name
			session.Name, session.Namespace = name, namespace
			onVersion(g, session, flinkVersion.image, flinkVersion.version)
			smallResources(session)
			withStateVolume(session, dir)
			// Pod template arrays merge by position unless merge-arrays-by-name is set (as upstream): by position, the
			// TaskManager template's volume would be merged into spec.podTemplate's state volume (an invalid pod).
			setConfig(g, session, map[string]string{"kubernetes.operator.pod-template.merge-arrays-by-name": "true"})
			session.Spec.TaskManager.PodTemplate = &flinkv1beta1.Pod{Spec: corev1.PodSpec{
				Containers: []corev1.Container{{
					Name:         resources.MainContainerName,
					Env:          []corev1.EnvVar{{Name: "E2E_TASKMANAGER_MARKER", Value: "from-the-pod-template"}},
					VolumeMounts: []corev1.VolumeMount{{Name: "scratch", MountPath: "/e2e-scratch"}},
				}},
				Volumes: []corev1.Volume{{Name: "scratch", VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{}}}},
			}}
			t.Cleanup(func() { _ = client.IgnoreNotFound(k8s.Delete(ctx, session)) })
			g.Expect(k8s.Create(ctx, session)).To(Succeed())
			g.Expect(meta(eventuallyReady(g, session).Status.Conditions, flinkv1beta1.ConditionReady).Message).To(Equal("session cluster running"))

			job := &flinkv1beta1.FlinkSessionJob{}
			content, err := os.ReadFile(filepath.Join(testenv.RepoRoot(), "config", "samples", "flinksessionjob.yaml"))
			g.Expect(err).NotTo(HaveOccurred())
			g.Expect(yaml.UnmarshalStrict(content, job)).To(Succeed())
			g.Expect(job.Spec.DeploymentName).To(Equal(sampleName))
			job.Name, job.Namespace, job.Spec.DeploymentName = name+"-job", namespace, name
			job.Spec.Job.JarURI = jarURI
			job.Spec.Job.EntryClass = flinkdist.TopSpeedWindowingClass
			t.Cleanup(func() { _ = client.IgnoreNotFound(k8s.Delete(ctx, job)) })
			g.Expect(k8s.Create(ctx, job)).To(Succeed())
			jobID := eventuallySessionJobReady(g, job).Status.JobStatus.JobID

			runningID, _ := eventuallyRunning(g, name, nil)
			g.Expect(runningID).To(Equal(jobID), "the job Flink runs is the one the status reports")
			expectTaskManagerTemplate(g, name)
			g.Expect(downloads.Load()).To(BeNumerically(">=", 1), "Teal fetched the jar")
			details, err := restClient(g, name).JobDetails(ctx, runningID)
			g.Expect(err).NotTo(HaveOccurred())
			g.Expect(details.Name).To(Equal("CarTopSpeedWindowingExample"), "Flink runs the uploaded jar's program")

			// A savepoint of the session job through a FlinkStateSnapshot: COMPLETED, and Flink wrote it where the
			// status says.
			snapshot := &flinkv1beta1.FlinkStateSnapshot{
				ObjectMeta: metav1.ObjectMeta{Namespace: namespace, Name: name + "-savepoint"},
				Spec: flinkv1beta1.FlinkStateSnapshotSpec{
					JobReference: &flinkv1beta1.JobReference{Kind: flinkv1beta1.JobKindFlinkSessionJob, Name: job.Name},
					Savepoint:    &flinkv1beta1.SavepointSpec{},
				},
			}
			t.Cleanup(func() { _ = client.IgnoreNotFound(k8s.Delete(ctx, snapshot)) })
			g.Expect(k8s.Create(ctx, snapshot)).To(Succeed())
			path := eventuallySnapshotCompleted(g, snapshot).Status.Path
			g.Expect(filepath.Join(hostPath(dir, path), "_metadata")).To(BeAnExistingFile(), "Flink wrote the savepoint at %s", path)
			g.Expect(k8s.Delete(ctx, snapshot)).To(Succeed())

			g.Expect(k8s.Delete(ctx, job)).To(Succeed())
			g.Eventually(func() error { return k8s.Get(ctx, client.ObjectKeyFromObject(job), &flinkv1beta1.FlinkSessionJob{}) },
				timeout, interval).Should(MatchError(ContainSubstring("not found")))
			deleteAndExpectGone(g, session)
		})
	}
}

// eventuallySessionJobReady waits until the session job's latest generation is Ready (kstatus Current) and
// returns it.
func eventuallySessionJobReady(g Gomega, job *flinkv1beta1.FlinkSessionJob) *flinkv1beta1.FlinkSessionJob {
	current := &flinkv1beta1.FlinkSessionJob{}
	g.Eventually(func(g Gomega) {
		g.Expect(k8s.Get(context.Background(), client.ObjectKeyFromObject(job), current)).To(Succeed())
		g.Expect(current.Status.ObservedGeneration).To(Equal(current.Generation))
		ready := meta(current.Status.Conditions, flinkv1beta1.ConditionReady)
		g.Expect(ready).NotTo(BeNil())
		g.Expect(ready.Status).To(Equal(metav1.ConditionTrue), "Ready: %s", ready.Message)
		kstatus, err := testenv.KStatus(current)
		g.Expect(err).NotTo(HaveOccurred())
		g.Expect(kstatus).To(Equal(status.CurrentStatus))
		g.Expect(current.Status.JobStatus.State).To(Equal(flinkv1beta1.JobStatusRunning))
	}, timeout, interval).Should(Succeed())
	return current
}

// eventuallySnapshotCompleted waits until the snapshot is COMPLETED with a path and returns it.
func eventuallySnapshotCompleted(g Gomega, snapshot *flinkv1beta1.FlinkStateSnapshot) *flinkv1beta1.FlinkStateSnapshot {
	current := &flinkv1beta1.FlinkStateSnapshot{}
	g.Eventually(func(g Gomega) {
		g.Expect(k8s.Get(context.Background(), client.ObjectKeyFromObject(snapshot), current)).To(Succeed())
		g.Expect(current.Status.State).To(Equal(flinkv1beta1.SnapshotStateCompleted), "status: %+v", current.Status)
		g.Expect(current.Status.Path).NotTo(BeEmpty())
	}, timeout, interval).Should(Succeed())
	return current
}

// expectTaskManagerTemplate checks, inside every TaskManager container, the env var and the volume of the
// session's taskManager.podTemplate (kubectl exec, run in the cluster's network namespace), and the volume of
// spec.podTemplate merged with it.
func expectTaskManagerTemplate(g Gomega, name string) {
	pods := &corev1.PodList{}
	g.Expect(k8s.List(context.Background(), pods, client.InNamespace(namespace),
		client.MatchingLabels{resources.LabelApp: name, resources.LabelComponent: resources.ComponentTaskManager})).To(Succeed())
	g.Expect(pods.Items).NotTo(BeEmpty())
	for _, pod := range pods.Items {
		out, err := exec.Command("kubectl", "-n", namespace, "exec", pod.Name, "-c", resources.MainContainerName, "--",
			"sh", "-c", `printf '%s\n' "$E2E_TASKMANAGER_MARKER"; test -d /e2e-scratch && echo scratch; test -d `+flinkDataMount+` && echo data; stat -c %u /proc/1`).CombinedOutput()
		g.Expect(err).NotTo(HaveOccurred(), "kubectl exec: %s", out)
		g.Expect(strings.Fields(string(out))).To(Equal([]string{"from-the-pod-template", "scratch", "data", "9999"}),
			"TaskManager pod %s: the template's env var and volumes, and Flink (pid 1) running as the user flink", pod.Name)
	}
}
