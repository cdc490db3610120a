package flink_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	. "github.com/onsi/gomega"

	"github.com/teal-flink/teal/internal/flink"
	"github.com/teal-flink/teal/test/sim/flinkdist"
)

// contractBackend is a JobManager the contract suite runs against.
type contractBackend struct {
	// url is the REST endpoint.
	url string
	// jarPath is the TopSpeedWindowing jar (any .jar file for the stand-in).
	jarPath string
	// stateDir is a directory the backend can write savepoints into.
	stateDir string
	// waitTimeout bounds each wait for a state change; real JVMs on two cores need generous limits.
	waitTimeout time.Duration
	// pollInterval is the pause between polls.
	pollInterval time.Duration
	// httpClient, when set, sends the client's requests (the stand-in tests validate them against the spec).
	httpClient *http.Client
}

// assertJobMetrics checks a freshly running job's metrics: numRestarts is 0, an unknown name is left out, the
// wire shape is a bare array (not the specification's object), and an unknown job has no metrics (200, not 404).
// Real Flink serves job metrics from a store its metric fetcher refreshes at most every 10 s and answers [] until
// then, so a job that just reached RUNNING may briefly lack them: the first checks wait.
func assertJobMetrics(g *WithT, eventually func(any) AsyncAssertion, client *flink.Client, backend contractBackend,
	jobID string) {
	ctx := context.Background()
	eventually(func(g Gomega) {
		restarts, err := client.JobRestarts(ctx, jobID)
		g.Expect(err).NotTo(HaveOccurred())
		g.Expect(restarts).To(BeZero())
	}).Should(Succeed())
	values, err := client.JobMetrics(ctx, jobID, flink.MetricNumRestarts, "noSuchMetric")
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(values).To(Equal(map[string]string{flink.MetricNumRestarts: "0"}))
	g.Expect(rawGet(g, backend, "/jobs/"+jobID+"/metrics?get=numRestarts")).To(
		MatchRegexp(`^\[\{"id":"numRestarts","value":"0"\}\]\s*$`))

	unknownJob := "0123456789abcdef0123456789abcdef"
	g.Expect(client.JobMetrics(ctx, unknownJob, flink.MetricNumRestarts)).To(BeEmpty())
	_, err = client.JobRestarts(ctx, unknownJob)
	g.Expect(err).To(MatchError(flink.ErrMetricUnavailable))
}

// rawGet returns the body of a GET of path on the backend, bypassing the client's decoding.
func rawGet(g *WithT, backend contractBackend, path string) string {
	httpClient := backend.httpClient
	if httpClient == nil {
		httpClient = http.DefaultClient
	}
	response, err := httpClient.Get(backend.url + path)
	g.Expect(err).NotTo(HaveOccurred())
	body, err := io.ReadAll(response.Body)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(response.Body.Close()).To(Succeed())
	g.Expect(response.StatusCode).To(Equal(http.StatusOK), "GET %s: %s", path, body)
	return string(body)
}

// runContract is the one suite every backend must pass: what the operator relies on, asserted identically
// against the stand-in and real Flink, so neither can drift without a failing test.
func runContract(t *testing.T, backend contractBackend) {
	g := NewWithT(t)
	ctx := context.Background()
	client, err := flink.New(backend.url, flink.Options{HTTPClient: backend.httpClient, Timeout: 30 * time.Second})
	g.Expect(err).NotTo(HaveOccurred())
	eventually := func(actual any) AsyncAssertion {
		return g.Eventually(actual).WithTimeout(backend.waitTimeout).WithPolling(backend.pollInterval)
	}

	// The cluster: a version the client understands and a TaskManager with slots.
	version, err := client.ServerVersion(ctx)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(version.Major).To(BeElementOf(1, 2))
	overview, err := client.Overview(ctx)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(overview.FlinkVersion).To(Equal(version.Raw))
	g.Expect(overview.TaskManagers).To(BeNumerically(">=", 1))
	g.Expect(overview.SlotsTotal).To(BeNumerically(">=", 2))
	taskManagers, err := client.TaskManagers(ctx)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(taskManagers).NotTo(BeEmpty())
	g.Expect(taskManagers[0].SlotsNumber).To(BeNumerically(">=", 1))

	// Upload and run the job; it reaches RUNNING with every vertex running.
	jarID, err := client.UploadJar(ctx, backend.jarPath)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(jarID).To(HaveSuffix(".jar"))
	run := flink.RunJarRequest{EntryClass: flinkdist.TopSpeedWindowingClass, Parallelism: 1}
	firstJobID, err := client.RunJar(ctx, jarID, run)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(firstJobID).To(MatchRegexp(`^[0-9a-f]{32}$`))
	waitRunning := func(jobID string) flink.JobDetails {
		var details flink.JobDetails
		eventually(func(g Gomega) {
			details, err = client.JobDetails(ctx, jobID)
			g.Expect(err).NotTo(HaveOccurred())
			g.Expect(details.State).To(Equal(flink.JobRunning))
			g.Expect(details.Vertices).NotTo(BeEmpty())
			for _, vertex := range details.Vertices {
				g.Expect(vertex.Status).To(Equal("RUNNING"), "vertex %s", vertex.Name)
			}
		}).Should(Succeed())
		return details
	}
	firstDetails := waitRunning(firstJobID)
	g.Expect(firstDetails.ID).To(Equal(firstJobID))
	g.Expect(firstDetails.Timestamps[flink.JobRunning]).To(BeNumerically(">", 0))
	jobs, err := client.ListJobs(ctx)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(jobs).To(ContainElement(And(
		HaveField("ID", firstJobID), HaveField("State", flink.JobRunning))))
	// The overview counts the tasks by lower-case state and in total: with every vertex running, all run.
	for _, job := range jobs {
		if job.ID == firstJobID {
			g.Expect(job.Tasks["total"]).To(BeNumerically(">", 0))
			g.Expect(job.AllTasksRunningOrFinished()).To(BeTrue(), "tasks: %v", job.Tasks)
		}
	}
	exceptions, err := client.JobExceptions(ctx, firstJobID)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(exceptions.History).To(BeEmpty())
	assertJobMetrics(g, eventually, client, backend, firstJobID)
	running, err := client.ExecutionResult(ctx, firstJobID)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(running.Status).To(Equal(flink.OperationInProgress))

	// A savepoint with a deterministic trigger ID completes with a location that exists on disk.
	savepointDir := filepath.Join(backend.stateDir, "savepoints")
	savepointTrigger := flink.TriggerID("uid-1", "1", "contract-savepoint")
	triggerID, err := client.TriggerSavepoint(ctx, firstJobID, flink.SavepointRequest{
		TargetDirectory: savepointDir, TriggerID: savepointTrigger})
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(triggerID).To(Equal(savepointTrigger))
	savepoint := waitSavepoint(g, eventually, client, firstJobID, triggerID)
	g.Expect(savepoint.Err()).NotTo(HaveOccurred())
	g.Expect(savepoint.Location).To(HavePrefix("file:" + savepointDir + "/savepoint-"))
	g.Expect(filepath.Join(localPath(savepoint.Location), "_metadata")).To(BeARegularFile())
	g.Expect(dirEntries(t, savepointDir)).To(HaveLen(1))

	// The same trigger ID again: acknowledged, same result, no second savepoint.
	again, err := client.TriggerSavepoint(ctx, firstJobID, flink.SavepointRequest{
		TargetDirectory: savepointDir, TriggerID: savepointTrigger})
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(again).To(Equal(savepointTrigger))
	g.Expect(waitSavepoint(g, eventually, client, firstJobID, again).Location).To(Equal(savepoint.Location))
	g.Expect(dirEntries(t, savepointDir)).To(HaveLen(1))

	// A manual checkpoint completes with an ID.
	checkpointTrigger, err := client.TriggerCheckpoint(ctx, firstJobID, flink.CheckpointRequest{
		Type: flink.CheckpointFull, TriggerID: flink.TriggerID("uid-1", "1", "contract-checkpoint")})
	g.Expect(err).NotTo(HaveOccurred())
	var checkpoint flink.CheckpointResult
	eventually(func(g Gomega) {
		checkpoint, err = client.CheckpointStatus(ctx, firstJobID, checkpointTrigger)
		g.Expect(err).NotTo(HaveOccurred())
		g.Expect(checkpoint.Done()).To(BeTrue())
	}).Should(Succeed())
	g.Expect(checkpoint.Err()).NotTo(HaveOccurred())
	g.Expect(checkpoint.CheckpointID).To(BeNumerically(">", 0))

	// Stop with a savepoint in the format asked for: the job ends FINISHED and its statistics name the savepoint
	// and its format (the operator passes kubernetes.operator.savepoint.format.type on every savepoint).
	stopDir := filepath.Join(backend.stateDir, "stop")
	stopTrigger, err := client.StopWithSavepoint(ctx, firstJobID, flink.StopRequest{
		TargetDirectory: stopDir, TriggerID: flink.TriggerID("uid-1", "1", "contract-stop"), FormatType: flink.SavepointNative})
	g.Expect(err).NotTo(HaveOccurred())
	stopSavepoint := waitSavepoint(g, eventually, client, firstJobID, stopTrigger)
	g.Expect(stopSavepoint.Err()).NotTo(HaveOccurred())
	g.Expect(filepath.Join(localPath(stopSavepoint.Location), "_metadata")).To(BeARegularFile())
	eventually(func(g Gomega) {
		details, err := client.JobDetails(ctx, firstJobID)
		g.Expect(err).NotTo(HaveOccurred())
		g.Expect(details.State).To(Equal(flink.JobFinished))
	}).Should(Succeed())
	finished, err := client.ExecutionResult(ctx, firstJobID)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(finished.Status).To(Equal(flink.OperationCompleted))
	g.Expect(finished.ApplicationStatus).To(Equal(flink.ApplicationSucceeded))
	firstStatistics, err := client.CheckpointStatistics(ctx, firstJobID)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(firstStatistics.Latest.Savepoint).NotTo(BeNil())
	g.Expect(firstStatistics.Latest.Savepoint.ExternalPath).To(Equal(stopSavepoint.Location))
	g.Expect(firstStatistics.Latest.Savepoint.IsSavepoint).To(BeTrue())
	g.Expect(firstStatistics.Latest.Savepoint.SavepointFormat).To(Equal(flink.SavepointNative))
	g.Expect(firstStatistics.Latest.Savepoint.ID).To(BeNumerically(">", checkpoint.CheckpointID))
	g.Expect(firstStatistics.Latest.Restored).To(BeNil())

	// A new job restored from the stop savepoint runs and reports the restore; its checkpoints continue
	// the counter from the savepoint's ID: the state carried over.
	run.SavepointPath = stopSavepoint.Location
	secondJobID, err := client.RunJar(ctx, jarID, run)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(secondJobID).NotTo(Equal(firstJobID))
	secondDetails := waitRunning(secondJobID)
	g.Expect(vertexIDs(secondDetails)).To(Equal(vertexIDs(firstDetails)))
	var restored flink.CheckpointStatistics
	eventually(func(g Gomega) {
		restored, err = client.CheckpointStatistics(ctx, secondJobID)
		g.Expect(err).NotTo(HaveOccurred())
		g.Expect(restored.Latest.Restored).NotTo(BeNil())
	}).Should(Succeed())
	g.Expect(restored.Latest.Restored.ExternalPath).To(Equal(stopSavepoint.Location))
	g.Expect(restored.Latest.Restored.ID).To(Equal(firstStatistics.Latest.Savepoint.ID))
	g.Expect(restored.Latest.Restored.IsSavepoint).To(BeTrue())
	g.Expect(restored.Counts.Restored).To(BeEquivalentTo(1))
	continued, err := client.TriggerCheckpoint(ctx, secondJobID, flink.CheckpointRequest{
		TriggerID: flink.TriggerID("uid-1", "2", "contract-checkpoint")})
	g.Expect(err).NotTo(HaveOccurred())
	eventually(func(g Gomega) {
		checkpoint, err = client.CheckpointStatus(ctx, secondJobID, continued)
		g.Expect(err).NotTo(HaveOccurred())
		g.Expect(checkpoint.Done()).To(BeTrue())
	}).Should(Succeed())
	g.Expect(checkpoint.Err()).NotTo(HaveOccurred())
	g.Expect(checkpoint.CheckpointID).To(BeNumerically(">", restored.Latest.Restored.ID))

	// Cancel: the job ends CANCELED.
	g.Expect(client.CancelJob(ctx, secondJobID)).To(Succeed())
	eventually(func(g Gomega) {
		details, err := client.JobDetails(ctx, secondJobID)
		g.Expect(err).NotTo(HaveOccurred())
		g.Expect(details.State).To(Equal(flink.JobCanceled))
	}).Should(Succeed())
	eventually(func(g Gomega) {
		canceled, err := client.ExecutionResult(ctx, secondJobID)
		g.Expect(err).NotTo(HaveOccurred())
		g.Expect(canceled.ApplicationStatus).To(Equal(flink.ApplicationCanceled))
	}).Should(Succeed())

	// Errors: an unknown job is a 404, a savepoint without a directory on a cluster without
	// state.savepoints.dir a 400, an unknown trigger ID a not-found operation.
	unknownJob := strings.Repeat("0f", 16)
	_, err = client.JobDetails(ctx, unknownJob)
	var apiErr *flink.APIError
	g.Expect(errors.As(err, &apiErr)).To(BeTrue(), "want *APIError, got %v", err)
	g.Expect(apiErr.StatusCode).To(Equal(404))
	g.Expect(apiErr.Errors).NotTo(BeEmpty())
	g.Expect(apiErr.Endpoint).To(Equal("GET /jobs/:jobid"))
	g.Expect(flink.IsNotFound(err)).To(BeTrue())

	_, err = client.TriggerSavepoint(ctx, secondJobID, flink.SavepointRequest{
		TriggerID: flink.TriggerID("uid-1", "2", "no-directory")})
	g.Expect(flink.IsBadRequest(err)).To(BeTrue(), "want 400, got %v", err)
	// Since 1.20 Flink names execution.checkpointing.savepoint-dir (state.savepoints.dir is its fallback key).
	g.Expect(err.Error()).To(ContainSubstring("Config key [execution.checkpointing.savepoint-dir] is not set"))

	_, err = client.SavepointStatus(ctx, secondJobID, flink.TriggerID("uid-1", "2", "never-triggered"))
	g.Expect(errors.Is(err, flink.ErrOperationNotFound)).To(BeTrue(), "want ErrOperationNotFound, got %v", err)
	g.Expect(flink.IsNotFound(err)).To(BeTrue())

	g.Expect(client.DeleteJar(ctx, jarID)).To(Succeed())
}

// waitSavepoint polls a savepoint or stop-with-savepoint until it completed.
func waitSavepoint(g Gomega, eventually func(any) AsyncAssertion, client *flink.Client, jobID, triggerID string) flink.SavepointResult {
	var result flink.SavepointResult
	eventually(func(g Gomega) {
		var err error
		result, err = client.SavepointStatus(context.Background(), jobID, triggerID)
		g.Expect(err).NotTo(HaveOccurred())
		g.Expect(result.Done()).To(BeTrue())
	}).Should(Succeed())
	return result
}

func vertexIDs(details flink.JobDetails) []string {
	ids := make([]string, 0, len(details.Vertices))
	for _, vertex := range details.Vertices {
		ids = append(ids, vertex.ID)
	}
	return ids
}

// localPath strips Flink's file: scheme.
func localPath(location string) string {
	return strings.TrimPrefix(strings.TrimPrefix(location, "file://"), "file:")
}

func dirEntries(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatalf("reading %s: %v", dir, err)
	}
	names := make([]string, 0, len(entries))
	for _, entry := range entries {
		names = append(names, entry.Name())
	}
	return names
}
