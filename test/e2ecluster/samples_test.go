package e2ecluster

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
	"github.com/teal-flink/teal/internal/resources"
	"github.com/teal-flink/teal/test/sim/flinkdist"
	"github.com/teal-flink/teal/test/testenv"
)

// samplesStartTimeout bounds the first outcome of each sample: every sample's JVMs start at once.
const samplesStartTimeout = 2 * timeout

// The samples in config/samples, as a user applies them: every Flink resource sample (cmd/teal-demo has no
// manifests of its own: it applies flinkbluegreendeployment.yaml). The Flux and policy samples are not Teal
// resources.
var (
	// deploymentSamples run Flink clusters; together they fit the two-CPU node (TestSamplesFitATwoCPUNode).
	deploymentSamples = []string{
		"flinkdeployment-application.yaml",
		"flinkdeployment-session.yaml",
		"flinkdeployment-standalone.yaml",
		"flinkbluegreendeployment.yaml",
		"flinkbluegreendeployment-advanced.yaml",
		"flinksessionjob.yaml",
	}
	// snapshotSamples take a savepoint and a checkpoint of jobs of deploymentSamples, so they go once those run.
	snapshotSamples = []string{
		"flinkstatesnapshot-savepoint.yaml",
		"flinkstatesnapshot-checkpoint.yaml",
	}
)

// TestSamplesOnTheNode applies every sample in config/samples with kubectl, exactly as shipped (the session job's
// jarURI points at artifacts.example.com, which this cluster cannot reach: it is the one change, to a server the
// test runs on the node), and expects the API server to answer without a single warning (a deprecated field, an
// unknown key) and each sample to reach its goal on the real node: FlinkDeployments and the FlinkSessionJob Ready
// with their jobs RUNNING in Flink (a session cluster Ready), both FlinkBlueGreenDeployments ACTIVE_BLUE with the
// job RUNNING, the savepoint and checkpoint FlinkStateSnapshots COMPLETED. Then kubectl delete removes them all and
// no pod of theirs is left.
//
// It runs alone, before the parallel scenarios: the samples request what a user's small node offers, the whole
// node at once. Eleven JVMs then start together on two cores, so the first outcomes get samplesStartTimeout.
func TestSamplesOnTheNode(t *testing.T) {
	keepOnFailure(t)
	g := NewWithT(t)
	ctx := context.Background()
	jarURI, downloads := serveJar(t, flinkdist.Flink1)
	samples := filepath.Join(testenv.RepoRoot(), "config", "samples")
	manifest := func(file string) []byte {
		content, err := os.ReadFile(filepath.Join(samples, file))
		g.Expect(err).NotTo(HaveOccurred())
		if file == "flinksessionjob.yaml" {
			job := &flinkv1beta1.FlinkSessionJob{}
			g.Expect(yaml.UnmarshalStrict(content, job)).To(Succeed())
			g.Expect(bytes.Count(content, []byte(job.Spec.Job.JarURI))).To(Equal(1))
			content = bytes.ReplaceAll(content, []byte(job.Spec.Job.JarURI), []byte(jarURI))
		}
		return content
	}
	t.Cleanup(func() {
		for _, file := range append(append([]string{}, snapshotSamples...), deploymentSamples...) {
			_, _, _ = kubectl(manifest(file), "delete", "--ignore-not-found", "--wait=false", "-f", "-")
		}
	})

	for _, file := range deploymentSamples {
		expectAppliedWithoutWarnings(g, file, manifest(file))
	}
	application, session, standalone := loadSample(g, deploymentSamples[0]), loadSample(g, deploymentSamples[1]), loadSample(g, deploymentSamples[2])
	for _, deployment := range []*flinkv1beta1.FlinkDeployment{application, session, standalone} {
		deployment.Namespace = namespace
		ready := eventuallyReadyWithin(g, deployment, samplesStartTimeout)
		if deployment.Spec.Job != nil {
			jobID, _ := eventuallyRunning(g, deployment.Name, nil)
			g.Expect(ready.Status.JobStatus.JobID).To(Equal(jobID), "%s: the job Flink runs is the one the status reports", deployment.Name)
		}
	}
	for _, file := range deploymentSamples[3:5] {
		blueGreen := &flinkv1beta1.FlinkBlueGreenDeployment{}
		g.Expect(yaml.UnmarshalStrict(manifest(file), blueGreen)).To(Succeed())
		active := eventuallyBlueGreenCurrent(g, client.ObjectKey{Namespace: namespace, Name: blueGreen.Name}, samplesStartTimeout)
		g.Expect(active.Status.BlueGreenState).To(Equal(flinkv1beta1.BlueGreenActiveBlue), "%s", file)
		eventuallyRunning(g, blueGreen.Name+"-blue", nil)
	}
	sessionJob := &flinkv1beta1.FlinkSessionJob{}
	g.Expect(yaml.UnmarshalStrict(manifest(deploymentSamples[5]), sessionJob)).To(Succeed())
	sessionJob.Namespace = namespace
	sessionJobID := eventuallySessionJobReady(g, sessionJob).Status.JobStatus.JobID
	runningID, _ := eventuallyRunning(g, session.Name, nil)
	g.Expect(runningID).To(Equal(sessionJobID))
	g.Expect(downloads.Load()).To(BeNumerically(">=", 1), "Teal fetched the session job's jar")

	for _, file := range snapshotSamples {
		expectAppliedWithoutWarnings(g, file, manifest(file))
		snapshot := &flinkv1beta1.FlinkStateSnapshot{}
		g.Expect(yaml.UnmarshalStrict(manifest(file), snapshot)).To(Succeed())
		snapshot.Namespace = namespace
		eventuallySnapshotCompleted(g, snapshot)
	}

	// The snapshots first, while their clusters still run (the savepoint sample's disposeOnDelete asks its
	// cluster to dispose of the savepoint), then everything else.
	for _, file := range snapshotSamples {
		_, stderr, err := kubectl(manifest(file), "delete", "--timeout="+timeout.String(), "-f", "-")
		g.Expect(err).NotTo(HaveOccurred(), "kubectl delete %s: %s", file, stderr)
	}
	for _, file := range deploymentSamples {
		_, stderr, err := kubectl(manifest(file), "delete", "--wait=false", "-f", "-")
		g.Expect(err).NotTo(HaveOccurred(), "kubectl delete %s: %s", file, stderr)
	}
	g.Eventually(func(g Gomega) {
		pods := &corev1.PodList{}
		g.Expect(k8s.List(ctx, pods, client.InNamespace(namespace))).To(Succeed())
		var left []string
		for _, pod := range pods.Items {
			switch app := pod.Labels[resources.LabelApp]; app {
			case application.Name, session.Name, standalone.Name, "topspeed-bg-blue", "topspeed-bg-green",
				"topspeed-exactly-once-blue", "topspeed-exactly-once-green":
				left = append(left, pod.Name)
			}
		}
		g.Expect(left).To(BeEmpty(), "the samples' pods are gone")
		for _, list := range []client.ObjectList{&flinkv1beta1.FlinkDeploymentList{}, &flinkv1beta1.FlinkBlueGreenDeploymentList{},
			&flinkv1beta1.FlinkSessionJobList{}, &flinkv1beta1.FlinkStateSnapshotList{}} {
			g.Expect(k8s.List(ctx, list, client.InNamespace(namespace))).To(Succeed())
			names, err := metaItems(list)
			g.Expect(err).NotTo(HaveOccurred())
			g.Expect(names).To(BeEmpty(), "left behind: %T", list)
		}
	}, timeout, interval).Should(Succeed())
}

// expectAppliedWithoutWarnings applies a manifest with kubectl in the suite's namespace and expects it accepted
// with nothing on stderr: kubectl prints every warning the API server returns there ("Warning: …").
func expectAppliedWithoutWarnings(g Gomega, file string, manifest []byte) {
	stdout, stderr, err := kubectl(manifest, "apply", "-f", "-")
	g.Expect(err).NotTo(HaveOccurred(), "kubectl apply %s: %s", file, stderr)
	g.Expect(stderr).To(BeEmpty(), "kubectl apply %s: the API server warned", file)
	g.Expect(stdout).To(ContainSubstring("created"), "kubectl apply %s", file)
}

// kubectl runs kubectl in the suite's namespace with stdin, returning its stdout and stderr.
func kubectl(stdin []byte, args ...string) (string, string, error) {
	var stdout, stderr bytes.Buffer
	command := exec.Command("kubectl", append([]string{"-n", namespace}, args...)...)
	command.Stdin, command.Stdout, command.Stderr = bytes.NewReader(stdin), &stdout, &stderr
	err := command.Run()
	return stdout.String(), strings.TrimSpace(stderr.String()), err
}
