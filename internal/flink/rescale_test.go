package flink_test

import (
	"context"
	"net/http"
	"path/filepath"
	"testing"
	"time"

	. "github.com/onsi/gomega"

	"github.com/teal-flink/teal/internal/flink"
	"github.com/teal-flink/teal/test/sim/flinkdist"
	"github.com/teal-flink/teal/test/sim/flinkstandin"
)

// runRescale checks what in-place scaling relies on: with the adaptive scheduler, PUT resource-requirements
// changes a running job's vertex parallelism without a new job.
func runRescale(t *testing.T, url, jarPath string, httpClient *http.Client, wait time.Duration) {
	g := NewWithT(t)
	ctx := context.Background()
	client, err := flink.New(url, flink.Options{HTTPClient: httpClient, Timeout: 30 * time.Second})
	g.Expect(err).NotTo(HaveOccurred())
	jarID, err := client.UploadJar(ctx, jarPath)
	g.Expect(err).NotTo(HaveOccurred())
	jobID, err := client.RunJar(ctx, jarID, flink.RunJarRequest{EntryClass: flinkdist.TopSpeedWindowingClass, Parallelism: 1})
	g.Expect(err).NotTo(HaveOccurred())
	var details flink.JobDetails
	g.Eventually(func(g Gomega) {
		details, err = client.JobDetails(ctx, jobID)
		g.Expect(err).NotTo(HaveOccurred())
		g.Expect(details.State).To(Equal(flink.JobRunning))
		g.Expect(details.Vertices).NotTo(BeEmpty())
	}).WithTimeout(wait).WithPolling(200 * time.Millisecond).Should(Succeed())

	requirements, err := client.ResourceRequirements(ctx, jobID)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(requirements).To(HaveLen(len(details.Vertices)))
	for id, requirement := range requirements {
		g.Expect(requirement.Parallelism.UpperBound).To(Equal(1), "vertex %s", id)
		requirement.Parallelism.UpperBound = 2
		requirements[id] = requirement
	}
	started := time.Now()
	g.Expect(client.UpdateResourceRequirements(ctx, jobID, requirements)).To(Succeed())

	g.Eventually(func(g Gomega) {
		details, err := client.JobDetails(ctx, jobID)
		g.Expect(err).NotTo(HaveOccurred())
		g.Expect(details.State).To(Equal(flink.JobRunning))
		for _, vertex := range details.Vertices {
			g.Expect(vertex.Parallelism).To(Equal(2), "vertex %s", vertex.Name)
		}
	}).WithTimeout(wait).WithPolling(200 * time.Millisecond).Should(Succeed())
	t.Logf("every vertex at parallelism 2 %s after the PUT (polled every 200 ms)", time.Since(started).Round(time.Millisecond))
	jobs, err := client.ListJobs(ctx)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(jobs).To(HaveLen(1), "the same job, rescaled in place")
	g.Expect(client.CancelJob(ctx, jobID)).To(Succeed())
}

func TestRescaleInPlaceStandIn(t *testing.T) {
	server, jar, httpClient, recorder := startStandIn(t, t.TempDir(), flinkstandin.Options{FlinkVersion: flinkdist.Flink1, TaskSlots: 4})
	runRescale(t, server.URL(), jar, httpClient, 5*time.Second)
	if failures := recorder.Failures(); len(failures) > 0 {
		t.Fatalf("requests or responses outside the specification: %v", failures)
	}
}

// TestRescaleInPlaceFlink runs it against real Flink with jobmanager.scheduler: adaptive.
func TestRescaleInPlaceFlink(t *testing.T) {
	for _, version := range []string{flinkdist.Flink1, flinkdist.Flink2} {
		t.Run(version, func(t *testing.T) {
			t.Parallel()
			session := flinkdist.StartSessionForTest(t, version, flinkdist.SessionOptions{
				Dir: filepath.Join(t.TempDir(), "cluster"), TaskSlots: 4,
				// No cool-down between rescales (1.20 name, then 2.x name), so the test need not wait 30 s.
				Config: map[string]string{"jobmanager.scheduler": "adaptive", "jobmanager.adaptive-scheduler.scaling-interval.min": "0 s",
					"jobmanager.adaptive-scheduler.executing.cooldown-after-rescaling": "0 s"}})
			runRescale(t, session.RESTURL, flinkdist.Require(t, version).TopSpeedWindowingJar(), nil, 2*time.Minute)
		})
	}
}
