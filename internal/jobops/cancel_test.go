package jobops_test

import (
	"context"
	"testing"

	. "github.com/onsi/gomega"

	"github.com/teal-flink/teal/internal/flink"
	"github.com/teal-flink/teal/internal/jobops"
	"github.com/teal-flink/teal/test/sim/flinkstandin"
)

// Defect 5 (409 on cancel): Flink refuses to cancel a job that already ended otherwise (FINISHED, FAILED) with
// a 409. That is what the cancel asked for — the job no longer runs — so every controller takes it as the
// named success CancelAlreadyTerminal instead of an error retried forever. Runs against the stand-in, whose
// answers the contract suite checks against real Flink.
func TestCancelConflictIsTerminal(t *testing.T) {
	g := NewWithT(t)
	ctx := context.Background()
	server, err := flinkstandin.New(flinkstandin.Options{Instant: true, UploadDir: t.TempDir()})
	g.Expect(err).NotTo(HaveOccurred())
	t.Cleanup(server.Close)
	client, err := flink.New(server.URL(), flink.Options{})
	g.Expect(err).NotTo(HaveOccurred())

	server.SetFaults(flinkstandin.Faults{Bounded: true})
	finished, err := server.Submit(flinkstandin.JobSpec{JarPath: "bounded.jar"})
	g.Expect(err).NotTo(HaveOccurred())
	g.Eventually(func(g Gomega) {
		details, err := client.JobDetails(ctx, finished)
		g.Expect(err).NotTo(HaveOccurred())
		g.Expect(details.State).To(Equal(flink.JobFinished))
	}).Should(Succeed())
	g.Expect(flink.IsConflict(client.CancelJob(ctx, finished))).To(BeTrue(), "Flink answers 409")
	outcome, err := jobops.Cancel(ctx, client, finished)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(outcome).To(Equal(jobops.CancelAlreadyTerminal))

	server.SetFaults(flinkstandin.Faults{})
	running, err := server.Submit(flinkstandin.JobSpec{JarPath: "unbounded.jar"})
	g.Expect(err).NotTo(HaveOccurred())
	outcome, err = jobops.Cancel(ctx, client, running)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(outcome).To(Equal(jobops.CancelRequested))
}
