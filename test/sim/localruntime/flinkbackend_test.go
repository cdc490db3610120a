package localruntime

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	. "github.com/onsi/gomega"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
	"github.com/teal-flink/teal/internal/resources"
	"github.com/teal-flink/teal/test/sim/flinkdist"
)

// The standalone application pod Teal builds starts its job on real Flink, through the image's entrypoint:
// standalone-job with --job-classname, the program arguments and the jar on the user classpath. Before issue 13
// the pod ran a bare "standalone-job", which cannot find a job to run.
func TestStandaloneApplicationStartsOnRealFlink(t *testing.T) {
	g := NewWithT(t)
	if _, err := flinkdist.Locate(flinkdist.Flink1); err != nil {
		t.Fatal(err) // fail loudly, never skip, when Flink is missing
	}
	deployment := deploymentSpec(func(d *flinkv1beta1.FlinkDeployment) {
		d.Spec.Mode = flinkv1beta1.DeploymentModeStandalone
		d.Spec.Job.EntryClass = flinkdist.TopSpeedWindowingClass
		d.Spec.Job.Args = []string{"--output", "print"}
		d.Spec.Job.Parallelism = 1
	})
	run, launch, err := planFor(t, deployment, resources.ConfigOptions{}, nil)
	g.Expect(err).NotTo(HaveOccurred())
	backend := &FlinkBackend{Dir: t.TempDir()}
	cluster, err := backend.Start(context.Background(), ClusterSpec{Namespace: "streaming", Name: "topspeed",
		Config: launch.Config, Standalone: true, Pod: run, Launch: launch})
	g.Expect(err).NotTo(HaveOccurred())
	defer func() { g.Expect(cluster.Stop()).To(Succeed()) }()

	g.Eventually(func(g Gomega) {
		response, err := http.Get(cluster.URL() + "/jobs/overview")
		g.Expect(err).NotTo(HaveOccurred())
		defer response.Body.Close()
		var overview struct {
			Jobs []struct {
				ID    string `json:"jid"`
				Name  string `json:"name"`
				State string `json:"state"`
			} `json:"jobs"`
		}
		g.Expect(json.NewDecoder(response.Body).Decode(&overview)).To(Succeed())
		g.Expect(overview.Jobs).To(HaveLen(1))
		g.Expect(overview.Jobs[0].State).To(Equal("RUNNING"))
		g.Expect(overview.Jobs[0].ID).To(Equal(launch.Config[resources.KeyJobID]), "the job runs under the deployment's fixed job ID")
	}, 3*time.Minute, time.Second).Should(Succeed())
}
