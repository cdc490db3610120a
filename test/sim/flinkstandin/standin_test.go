package flinkstandin_test

import (
	"context"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	. "github.com/onsi/gomega"

	"github.com/teal-flink/teal/internal/flink"
	"github.com/teal-flink/teal/test/sim/flinkstandin"
	"github.com/teal-flink/teal/test/sim/flinkstandin/openapi"
)

var ctx = context.Background()

// harness is a stand-in with a client whose every exchange is validated against the spec of the served line.
type harness struct {
	server   *flinkstandin.Server
	client   *flink.Client
	clock    *flinkstandin.ManualClock
	stateDir string
}

func newHarness(t *testing.T, opts flinkstandin.Options) *harness {
	t.Helper()
	h := &harness{clock: flinkstandin.NewManualClock(time.Unix(1_700_000_000, 0)), stateDir: t.TempDir()}
	if opts.Clock == nil {
		opts.Clock = h.clock
	}
	opts.UploadDir = filepath.Join(h.stateDir, "upload")
	server, err := flinkstandin.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(server.Close)
	h.server = server
	h.client = validatedClient(t, server.URL(), opts.FlinkVersion, flink.Options{RetryBackoff: time.Millisecond})
	return h
}

// validatedClient checks every exchange against the OpenAPI spec and fails the test at cleanup on any drift.
func validatedClient(t *testing.T, url, version string, opts flink.Options) *flink.Client {
	t.Helper()
	dir, err := openapi.SpecDir()
	if err != nil {
		t.Fatal(err)
	}
	file := "rest_v1_dispatcher-1.20.yml"
	if len(version) > 0 && version[0] == '2' {
		file = "rest_v1_dispatcher-2.1.yml"
	}
	spec, err := openapi.Load(filepath.Join(dir, file))
	if err != nil {
		t.Fatal(err)
	}
	recorder := &openapi.Recorder{}
	transport := http.DefaultTransport.(*http.Transport).Clone()
	opts.HTTPClient = &http.Client{Transport: openapi.Transport(spec, transport, recorder)}
	client, err := flink.New(url, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		for _, failure := range recorder.Failures() {
			t.Errorf("spec violation: %v", failure)
		}
	})
	return client
}

func (h *harness) submit(t *testing.T, spec flinkstandin.JobSpec) string {
	t.Helper()
	jobID, err := h.server.Submit(spec)
	if err != nil {
		t.Fatal(err)
	}
	return jobID
}

func (h *harness) state(t *testing.T, jobID string) flink.JobState {
	t.Helper()
	details, err := h.client.JobDetails(ctx, jobID)
	if err != nil {
		t.Fatal(err)
	}
	return details.State
}

func TestJobLifecycleFollowsTheClock(t *testing.T) {
	g := NewWithT(t)
	h := newHarness(t, flinkstandin.Options{StartDelay: 10 * time.Second, CheckpointInterval: time.Second})
	jobID := h.submit(t, flinkstandin.JobSpec{EntryClass: "x.Job"})

	g.Expect(h.state(t, jobID)).To(Equal(flink.JobCreated))
	h.clock.Step(9 * time.Second)
	g.Expect(h.state(t, jobID)).To(Equal(flink.JobCreated))
	h.clock.Step(time.Second)
	g.Expect(h.state(t, jobID)).To(Equal(flink.JobRunning))

	h.clock.Step(5 * time.Second)
	counter, _ := h.server.CheckpointCounter(jobID)
	g.Expect(counter).To(BeEquivalentTo(5))
	statistics, err := h.client.CheckpointStatistics(ctx, jobID)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(statistics.Latest.Completed.ID).To(BeEquivalentTo(5))
	g.Expect(statistics.Counts.Completed).To(BeEquivalentTo(5))
}

func TestJobMetricsCountRestarts(t *testing.T) {
	t.Run("healthy job", func(t *testing.T) {
		g := NewWithT(t)
		h := newHarness(t, flinkstandin.Options{RestartAttempts: 3})
		jobID := h.submit(t, flinkstandin.JobSpec{})
		g.Expect(h.state(t, jobID)).To(Equal(flink.JobRunning))
		h.clock.Step(time.Hour)
		restarts, err := h.client.JobRestarts(ctx, jobID)
		g.Expect(err).NotTo(HaveOccurred())
		g.Expect(restarts).To(BeZero(), "a job that never failed has not restarted")
	})
	t.Run("injected failures", func(t *testing.T) {
		g := NewWithT(t)
		h := newHarness(t, flinkstandin.Options{RestartAttempts: 2, Instant: true})
		jobID := h.submit(t, flinkstandin.JobSpec{})
		for restart := 1; restart <= 2; restart++ {
			g.Expect(h.server.FailJob(jobID, "boom")).To(Succeed())
			g.Expect(h.state(t, jobID)).To(Equal(flink.JobRunning))
			g.Expect(h.client.JobRestarts(ctx, jobID)).To(BeEquivalentTo(restart))
		}
		g.Expect(h.server.FailJob(jobID, "boom")).To(Succeed())
		g.Expect(h.state(t, jobID)).To(Equal(flink.JobFailed))
		g.Expect(h.client.JobRestarts(ctx, jobID)).To(BeEquivalentTo(2), "the final failure is no restart")
	})
	t.Run("unknown job", func(t *testing.T) {
		g := NewWithT(t)
		h := newHarness(t, flinkstandin.Options{})
		unknownJob := "0123456789abcdef0123456789abcdef"
		g.Expect(h.client.JobMetrics(ctx, unknownJob, "numRestarts")).To(BeEmpty(), "Flink answers [], not 404")
		_, err := h.client.JobRestarts(ctx, unknownJob)
		g.Expect(err).To(MatchError(flink.ErrMetricUnavailable))
	})
}

func TestInjectedJobFaults(t *testing.T) {
	t.Run("fails on start", func(t *testing.T) {
		g := NewWithT(t)
		h := newHarness(t, flinkstandin.Options{Faults: flinkstandin.Faults{FailOnStart: true}, RestartAttempts: 3})
		jobID := h.submit(t, flinkstandin.JobSpec{})
		g.Expect(h.state(t, jobID)).To(Equal(flink.JobFailed))
		result, err := h.client.ExecutionResult(ctx, jobID)
		g.Expect(err).NotTo(HaveOccurred())
		g.Expect(result.ApplicationStatus).To(Equal(flink.ApplicationFailed))
		g.Expect(result.Failure.Summary()).To(ContainSubstring("failed on start"))
		exceptions, err := h.client.JobExceptions(ctx, jobID)
		g.Expect(err).NotTo(HaveOccurred())
		g.Expect(exceptions.RootException).To(ContainSubstring("failed on start"))
	})
	t.Run("crash loop restarts forever", func(t *testing.T) {
		g := NewWithT(t)
		h := newHarness(t, flinkstandin.Options{FlinkVersion: "2.1.0", RestartDelay: 10 * time.Second,
			Faults: flinkstandin.Faults{CrashLoop: true, CrashAfter: 5 * time.Second}})
		jobID := h.submit(t, flinkstandin.JobSpec{})
		g.Expect(h.state(t, jobID)).To(Equal(flink.JobRunning))
		restarts, err := h.client.JobRestarts(ctx, jobID)
		g.Expect(err).NotTo(HaveOccurred())
		g.Expect(restarts).To(BeZero())
		for restart := 1; restart <= 3; restart++ {
			h.clock.Step(5 * time.Second)
			g.Expect(h.state(t, jobID)).To(Equal(flink.JobRestarting))
			h.clock.Step(10 * time.Second)
			g.Expect(h.state(t, jobID)).To(Equal(flink.JobRunning))
			restarts, err := h.client.JobRestarts(ctx, jobID)
			g.Expect(err).NotTo(HaveOccurred())
			g.Expect(restarts).To(BeEquivalentTo(restart), "numRestarts counts every restart")
		}
		unknown, err := h.client.JobMetrics(ctx, jobID, "noSuchMetric")
		g.Expect(err).NotTo(HaveOccurred())
		g.Expect(unknown).To(BeEmpty(), "unknown metrics are left out, as Flink does")
		exceptions, err := h.client.JobExceptions(ctx, jobID)
		g.Expect(err).NotTo(HaveOccurred())
		g.Expect(exceptions.History).To(HaveLen(3))
		g.Expect(exceptions.RootException).To(ContainSubstring("crashed"))
	})
	t.Run("fail job restarts then fails", func(t *testing.T) {
		g := NewWithT(t)
		h := newHarness(t, flinkstandin.Options{RestartAttempts: 1, Instant: true})
		jobID := h.submit(t, flinkstandin.JobSpec{})
		g.Expect(h.server.FailJob(jobID, "boom")).To(Succeed())
		g.Expect(h.state(t, jobID)).To(Equal(flink.JobRunning), "restarted with zero delay")
		g.Expect(h.server.FailJob(jobID, "boom again")).To(Succeed())
		g.Expect(h.state(t, jobID)).To(Equal(flink.JobFailed))
	})
}

func TestSavepointFaultsAndExpiry(t *testing.T) {
	cases := []struct {
		name        string
		faults      flinkstandin.Faults
		wantDone    bool
		wantFailure bool
	}{
		{name: "completes", wantDone: true},
		{name: "fails", faults: flinkstandin.Faults{SavepointFailure: "disk full"}, wantDone: true, wantFailure: true},
		{name: "never completes", faults: flinkstandin.Faults{SavepointNeverCompletes: true}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			g := NewWithT(t)
			h := newHarness(t, flinkstandin.Options{OperationDuration: 3 * time.Second, StoreDuration: time.Minute,
				Faults: tc.faults})
			jobID := h.submit(t, flinkstandin.JobSpec{})
			triggerID, err := h.client.TriggerSavepoint(ctx, jobID, flink.SavepointRequest{
				TargetDirectory: h.stateDir, TriggerID: flink.TriggerID("u", "1", "sp")})
			g.Expect(err).NotTo(HaveOccurred())
			result, err := h.client.SavepointStatus(ctx, jobID, triggerID)
			g.Expect(err).NotTo(HaveOccurred())
			g.Expect(result.Done()).To(BeFalse())

			h.clock.Step(3 * time.Second)
			result, err = h.client.SavepointStatus(ctx, jobID, triggerID)
			g.Expect(err).NotTo(HaveOccurred())
			g.Expect(result.Done()).To(Equal(tc.wantDone))
			if !tc.wantDone {
				h.clock.Step(time.Hour)
				result, err = h.client.SavepointStatus(ctx, jobID, triggerID)
				g.Expect(err).NotTo(HaveOccurred())
				g.Expect(result.Done()).To(BeFalse(), "an in-progress operation never expires")
				return
			}
			if tc.wantFailure {
				g.Expect(result.Err()).To(MatchError(ContainSubstring("disk full")))
				g.Expect(errors.Is(result.Err(), flink.ErrOperationFailed)).To(BeTrue())
				g.Expect(h.state(t, jobID)).To(Equal(flink.JobRunning))
			} else {
				g.Expect(filepath.Join(result.Location[len("file:"):], "_metadata")).To(BeARegularFile())
			}
			h.clock.Step(time.Minute + time.Second)
			_, err = h.client.SavepointStatus(ctx, jobID, triggerID)
			g.Expect(errors.Is(err, flink.ErrOperationNotFound)).To(BeTrue(), "expired after the store duration: %v", err)
		})
	}
}

func TestRESTFaults(t *testing.T) {
	g := NewWithT(t)
	h := newHarness(t, flinkstandin.Options{Instant: true})
	h.server.SetFaults(flinkstandin.Faults{RESTStatus: http.StatusServiceUnavailable})
	_, err := h.client.Overview(ctx)
	g.Expect(flink.IsServerError(err)).To(BeTrue())

	h.server.SetFaults(flinkstandin.Faults{RESTHang: true})
	hanging, err := flink.New(h.server.URL(), flink.Options{Timeout: 50 * time.Millisecond, MaxRetries: -1})
	g.Expect(err).NotTo(HaveOccurred())
	_, err = hanging.Overview(ctx)
	g.Expect(errors.Is(err, context.DeadlineExceeded)).To(BeTrue(), "got %v", err)
	h.server.SetFaults(flinkstandin.Faults{})

	jobID := h.submit(t, flinkstandin.JobSpec{})
	triggerID, err := h.client.TriggerSavepoint(ctx, jobID, flink.SavepointRequest{TargetDirectory: h.stateDir})
	g.Expect(err).NotTo(HaveOccurred())
	h.server.GoAway()
	_, err = h.client.Overview(ctx)
	g.Expect(errors.Is(err, syscall.ECONNREFUSED)).To(BeTrue(), "JobManager gone: %v", err)
	g.Expect(h.server.ComeBack()).To(Succeed())
	g.Expect(h.state(t, jobID)).To(Equal(flink.JobRunning))
	_, err = h.client.SavepointStatus(ctx, jobID, triggerID)
	g.Expect(errors.Is(err, flink.ErrOperationNotFound)).To(BeTrue(), "a failover loses async results: %v", err)
}

func TestApplicationModeRestoresState(t *testing.T) {
	g := NewWithT(t)
	h := newHarness(t, flinkstandin.Options{Instant: true, SavepointDir: filepath.Join(t.TempDir(), "default")})
	first := h.submit(t, flinkstandin.JobSpec{EntryClass: "x.Job"})
	for range 4 {
		_, err := h.client.TriggerCheckpoint(ctx, first, flink.CheckpointRequest{})
		g.Expect(err).NotTo(HaveOccurred())
	}
	stop, err := h.client.StopWithSavepoint(ctx, first, flink.StopRequest{Drain: true})
	g.Expect(err).NotTo(HaveOccurred())
	savepoint, err := h.client.SavepointStatus(ctx, first, stop)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(savepoint.Err()).NotTo(HaveOccurred())
	g.Expect(savepoint.Location).To(ContainSubstring("/default/savepoint-"))
	counter, _ := h.server.CheckpointCounter(first)
	g.Expect(counter).To(BeEquivalentTo(5), "four checkpoints and the savepoint")

	app, jobID, err := flinkstandin.NewApplication(flinkstandin.Options{Instant: true, FlinkVersion: "2.1.0"},
		flinkstandin.JobSpec{JarPath: "/opt/job.jar", EntryClass: "x.Job", Parallelism: 2, SavepointPath: savepoint.Location})
	g.Expect(err).NotTo(HaveOccurred())
	t.Cleanup(app.Close)
	client := validatedClient(t, app.URL(), "2.1.0", flink.Options{})
	jobs, err := client.ListJobs(ctx)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(jobs).To(ConsistOf(HaveField("ID", jobID)))
	g.Expect(jobs[0].State).To(Equal(flink.JobRunning))
	statistics, err := client.CheckpointStatistics(ctx, jobID)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(statistics.Latest.Restored.ExternalPath).To(Equal(savepoint.Location))
	g.Expect(statistics.Latest.Restored.ID).To(BeEquivalentTo(5))
	g.Expect(app.RestoredFrom(jobID)).To(Equal(savepoint.Location))
	next, err := client.TriggerCheckpoint(ctx, jobID, flink.CheckpointRequest{})
	g.Expect(err).NotTo(HaveOccurred())
	checkpoint, err := client.CheckpointStatus(ctx, jobID, next)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(checkpoint.CheckpointID).To(BeEquivalentTo(6), "the counter continues from the savepoint")
}

func TestRestoreFromMissingSavepointFailsTheJob(t *testing.T) {
	g := NewWithT(t)
	h := newHarness(t, flinkstandin.Options{Instant: true})
	jobID := h.submit(t, flinkstandin.JobSpec{SavepointPath: "file:/nonexistent/savepoint-1"})
	g.Expect(h.state(t, jobID)).To(Equal(flink.JobFailed))
}

func TestSavepointDisposal(t *testing.T) {
	g := NewWithT(t)
	h := newHarness(t, flinkstandin.Options{Instant: true})
	jobID := h.submit(t, flinkstandin.JobSpec{})
	triggerID, err := h.client.TriggerSavepoint(ctx, jobID, flink.SavepointRequest{TargetDirectory: h.stateDir})
	g.Expect(err).NotTo(HaveOccurred())
	savepoint, err := h.client.SavepointStatus(ctx, jobID, triggerID)
	g.Expect(err).NotTo(HaveOccurred())
	disposal, err := h.client.DisposeSavepoint(ctx, savepoint.Location)
	g.Expect(err).NotTo(HaveOccurred())
	result, err := h.client.DisposalStatus(ctx, disposal)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(result.Done()).To(BeTrue())
	g.Expect(result.Err()).NotTo(HaveOccurred())
	_, statErr := os.Stat(savepoint.Location[len("file:"):])
	g.Expect(os.IsNotExist(statErr)).To(BeTrue())
}

func TestResourceRequirements(t *testing.T) {
	g := NewWithT(t)
	h := newHarness(t, flinkstandin.Options{Instant: true})
	jobID := h.submit(t, flinkstandin.JobSpec{Parallelism: 2})
	requirements, err := h.client.ResourceRequirements(ctx, jobID)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(requirements).To(HaveLen(2))
	for vertexID := range requirements {
		requirements[vertexID] = flink.VertexResourceRequirements{Parallelism: flink.ParallelismBounds{LowerBound: 1, UpperBound: 4}}
	}
	g.Expect(h.client.UpdateResourceRequirements(ctx, jobID, requirements)).To(Succeed())
	updated, err := h.client.ResourceRequirements(ctx, jobID)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(updated).To(Equal(requirements))
	err = h.client.UpdateResourceRequirements(ctx, jobID, flink.ResourceRequirements{
		"00000000000000000000000000000000": {Parallelism: flink.ParallelismBounds{LowerBound: 1, UpperBound: 1}}})
	g.Expect(flink.IsBadRequest(err)).To(BeTrue())
}
