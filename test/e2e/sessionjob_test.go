package e2e

import (
	"context"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	. "github.com/onsi/gomega"
	"sigs.k8s.io/cli-utils/pkg/kstatus/status"
	"sigs.k8s.io/controller-runtime/pkg/client"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
	"github.com/teal-flink/teal/internal/flink"
	"github.com/teal-flink/teal/test/builders"
	"github.com/teal-flink/teal/test/sim/flinkdist"
)

// serveJar serves the TopSpeedWindowing jar of a distribution over loopback HTTP, as an artifact repository would.
func serveJar(t *testing.T, version string) string {
	dist, err := flinkdist.Locate(version)
	if err != nil {
		t.Fatal(err)
	}
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	server := &http.Server{Handler: http.FileServer(http.Dir(filepath.Dir(dist.TopSpeedWindowingJar())))}
	go func() { _ = server.Serve(listener) }()
	t.Cleanup(func() { _ = server.Close() })
	return "http://" + listener.Addr().String() + "/" + filepath.Base(dist.TopSpeedWindowingJar())
}

// TestSessionJobOnRealFlink: a session cluster, a FlinkSessionJob whose jar the operator downloads and uploads
// through Flink's REST API, and a savepoint of it taken through a FlinkStateSnapshot.
func TestSessionJobOnRealFlink(t *testing.T) {
	for _, flinkVersion := range flinkVersions {
		t.Run(flinkVersion.name, func(t *testing.T) {
			t.Parallel()
			g := NewWithT(t)
			ctx := context.Background()
			namespace := newNamespace(g)
			version := flinkdist.Flink1
			if flinkVersion.version.IsEqualOrNewer(flinkv1beta1.FlinkVersionV2_0) {
				version = flinkdist.Flink2
			}
			jarURI := serveJar(t, version)

			session := builders.NewFlinkDeployment("session", builders.InNamespace(namespace), builders.WithSessionCluster(),
				builders.WithImage(flinkVersion.image), builders.WithFlinkVersion(flinkVersion.version),
				builders.WithConfig(stateDirs(namespace, flinkVersion.version)...))
			g.Expect(env.Client.Create(ctx, session)).To(Succeed())
			eventuallyReady(g, session)

			parallelism := int32(1)
			job := &flinkv1beta1.FlinkSessionJob{}
			job.Namespace, job.Name = namespace, "topspeed-job"
			job.Spec = flinkv1beta1.FlinkSessionJobSpec{DeploymentName: "session", Job: &flinkv1beta1.JobSpec{
				JarURI: jarURI, EntryClass: flinkdist.TopSpeedWindowingClass, Parallelism: parallelism,
				UpgradeMode: flinkv1beta1.UpgradeModeSavepoint, State: flinkv1beta1.JobStateRunning,
			}}
			g.Expect(env.Client.Create(ctx, job)).To(Succeed())
			g.Eventually(func(g Gomega) {
				current := &flinkv1beta1.FlinkSessionJob{}
				g.Expect(env.Client.Get(ctx, client.ObjectKeyFromObject(job), current)).To(Succeed())
				g.Expect(current.Status.ObservedGeneration).To(Equal(current.Generation))
				g.Expect(kstatus(g, current)).To(Equal(status.CurrentStatus), "status: %+v", current.Status)
				g.Expect(current.Status.JobStatus.State).To(Equal(flinkv1beta1.JobStatusRunning))
			}, timeout, interval).Should(Succeed())

			// The job runs on the session cluster, submitted through REST.
			cluster := runtime.Cluster(namespace, "session")
			g.Expect(cluster).NotTo(BeNil())
			rest, err := flink.New(cluster.URL(), flink.Options{})
			g.Expect(err).NotTo(HaveOccurred())
			jobs, err := rest.ListJobs(ctx)
			g.Expect(err).NotTo(HaveOccurred())
			g.Expect(jobs).To(ContainElement(HaveField("State", BeEquivalentTo("RUNNING"))))

			snapshot := &flinkv1beta1.FlinkStateSnapshot{}
			snapshot.Namespace, snapshot.Name = namespace, "topspeed-job-savepoint"
			snapshot.Spec = flinkv1beta1.FlinkStateSnapshotSpec{
				JobReference: &flinkv1beta1.JobReference{Kind: flinkv1beta1.JobKindFlinkSessionJob, Name: "topspeed-job"},
				Savepoint:    &flinkv1beta1.SavepointSpec{},
			}
			g.Expect(env.Client.Create(ctx, snapshot)).To(Succeed())
			var path string
			g.Eventually(func(g Gomega) {
				current := &flinkv1beta1.FlinkStateSnapshot{}
				g.Expect(env.Client.Get(ctx, client.ObjectKeyFromObject(snapshot), current)).To(Succeed())
				g.Expect(current.Status.State).To(Equal(flinkv1beta1.SnapshotStateCompleted), "status: %+v", current.Status)
				path = current.Status.Path
			}, timeout, interval).Should(Succeed())
			_, err = os.Stat(filepath.Join(strings.TrimPrefix(strings.TrimPrefix(path, "file://"), "file:"), "_metadata"))
			g.Expect(err).NotTo(HaveOccurred(), "Flink wrote the savepoint at %s", path)
		})
	}
}
