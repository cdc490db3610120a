package flink_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	. "github.com/onsi/gomega"

	"github.com/teal-flink/teal/internal/flink"
	"github.com/teal-flink/teal/test/sim/flinkdist"
)

// runStateContract proves the behaviours of Flink that decide whether a job's state survives an operator's
// actions, identically on every backend: which checkpoints Flink deletes (subsumed ones, and every retained one
// when a job is cancelled under the default retention), that it says so (discarded), that RETAIN_ON_CANCELLATION
// keeps them, that a restore from a deleted path fails (a session cluster rejects the submission), that an async result is cached per trigger id
// (failures included), that a bounded job ends FINISHED and that a cancel from outside the operator ends the
// job CANCELED.
func runStateContract(t *testing.T, backend contractBackend) {
	g := NewWithT(t)
	ctx := context.Background()
	client, err := flink.New(backend.url, flink.Options{HTTPClient: backend.httpClient, Timeout: 30 * time.Second})
	g.Expect(err).NotTo(HaveOccurred())
	eventually := func(actual any) AsyncAssertion {
		return g.Eventually(actual).WithTimeout(backend.waitTimeout).WithPolling(backend.pollInterval)
	}
	jarID, err := client.UploadJar(ctx, backend.jarPath)
	g.Expect(err).NotTo(HaveOccurred())
	// Only the checkpoints the test triggers happen: Flink starts periodic checkpoints after a random delay
	// between min-pause and the interval, so an interval of an hour alone may checkpoint within the test (and
	// subsume the checkpoint it asserts on); min-pause of an hour too puts the first one an hour after the start.
	jobConfig := func(extra map[string]string) map[string]string {
		config := map[string]string{"execution.checkpointing.interval": "1h",
			"execution.checkpointing.min-pause": "1h"}
		for key, value := range extra {
			config[key] = value
		}
		return config
	}
	runJob := func(run flink.RunJarRequest) string {
		run.EntryClass, run.Parallelism = flinkdist.TopSpeedWindowingClass, 1
		jobID, err := client.RunJar(ctx, jarID, run)
		g.Expect(err).NotTo(HaveOccurred())
		return jobID
	}
	waitState := func(jobID string, state flink.JobState) {
		eventually(func(g Gomega) {
			details, err := client.JobDetails(ctx, jobID)
			g.Expect(err).NotTo(HaveOccurred())
			g.Expect(details.State).To(Equal(state))
		}).Should(Succeed())
	}
	checkpoint := func(jobID, purpose string) int64 {
		var id int64
		eventually(func(g Gomega) {
			// A checkpoint triggered before every task runs fails: trigger again under a new id until one completes.
			trigger, err := client.TriggerCheckpoint(ctx, jobID, flink.CheckpointRequest{Type: flink.CheckpointFull,
				TriggerID: flink.TriggerID("state", purpose, time.Now().String())})
			g.Expect(err).NotTo(HaveOccurred())
			var result flink.CheckpointResult
			g.Eventually(func(g Gomega) {
				result, err = client.CheckpointStatus(ctx, jobID, trigger)
				g.Expect(err).NotTo(HaveOccurred())
				g.Expect(result.Done()).To(BeTrue())
			}).WithTimeout(backend.waitTimeout).WithPolling(backend.pollInterval).Should(Succeed())
			g.Expect(result.Err()).NotTo(HaveOccurred())
			id = result.CheckpointID
		}).Should(Succeed())
		return id
	}
	// retained waits until the statistics list checkpoint id and returns its entry.
	historyEntry := func(g Gomega, jobID string, id int64) flink.CheckpointHistoryEntry {
		statistics, err := client.CheckpointStatistics(ctx, jobID)
		g.Expect(err).NotTo(HaveOccurred())
		for _, entry := range statistics.History {
			if entry.ID == id {
				return entry
			}
		}
		g.Expect(statistics.History).To(ContainElement(HaveField("CompletedCheckpoint.ID", id)))
		return flink.CheckpointHistoryEntry{}
	}

	// Default retention (NO_EXTERNALIZED_CHECKPOINTS), one retained checkpoint: a newer checkpoint subsumes the
	// older one, which Flink deletes and reports discarded; the newest is the latest retained checkpoint.
	defaultJob := runJob(flink.RunJarRequest{FlinkConfiguration: jobConfig(nil)})
	waitState(defaultJob, flink.JobRunning)
	first := checkpoint(defaultJob, "first")
	var firstPath string
	eventually(func(g Gomega) {
		entry := historyEntry(g, defaultJob, first)
		g.Expect(entry.ExternalPath).NotTo(BeEmpty())
		firstPath = entry.ExternalPath
	}).Should(Succeed())
	g.Expect(filepath.Join(localPath(firstPath), "_metadata")).To(BeARegularFile())
	beforeSecond := time.Now().UnixMilli()
	second := checkpoint(defaultJob, "second")
	g.Expect(second).To(BeNumerically(">", first))
	var secondPath string
	eventually(func(g Gomega) {
		g.Expect(historyEntry(g, defaultJob, first).Discarded).To(BeTrue(), "a subsumed checkpoint is discarded")
		entry := historyEntry(g, defaultJob, second)
		g.Expect(entry.Discarded).To(BeFalse())
		// What kubernetes.operator.job.upgrade.last-state.max.allowed.checkpoint.age is judged by: when the
		// checkpoint was triggered and last acknowledged, in epoch milliseconds of the same clock (1 s slack).
		g.Expect(entry.TriggerTimestamp).To(BeNumerically(">=", beforeSecond-1000))
		g.Expect(entry.LatestAckTimestamp).To(BeNumerically(">=", entry.TriggerTimestamp))
		g.Expect(entry.LatestAckTimestamp).To(BeNumerically("<=", time.Now().UnixMilli()+1000))
		secondPath = entry.ExternalPath
		statistics, err := client.CheckpointStatistics(ctx, defaultJob)
		g.Expect(err).NotTo(HaveOccurred())
		g.Expect(statistics.LatestRetainedCheckpoint()).To(HaveField("ID", second))
	}).Should(Succeed())
	eventually(func() string { return localPath(firstPath) }).ShouldNot(BeAnExistingFile())
	g.Expect(filepath.Join(localPath(secondPath), "_metadata")).To(BeARegularFile())

	// Cancelled under the default retention: the retained checkpoint is deleted with the job.
	g.Expect(client.CancelJob(ctx, defaultJob)).To(Succeed())
	waitState(defaultJob, flink.JobCanceled)
	eventually(func() string { return localPath(secondPath) }).ShouldNot(BeAnExistingFile())

	// A session cluster rejects a restore from the deleted checkpoint (400): its JobMaster cannot start, and the
	// job is left behind FAILED.
	jobsBefore, err := client.ListJobs(ctx)
	g.Expect(err).NotTo(HaveOccurred())
	_, err = client.RunJar(ctx, jarID, flink.RunJarRequest{EntryClass: flinkdist.TopSpeedWindowingClass,
		Parallelism: 1, SavepointPath: secondPath, FlinkConfiguration: jobConfig(nil)})
	g.Expect(flink.IsBadRequest(err)).To(BeTrue(), "want 400, got %v", err)
	var apiErr *flink.APIError
	g.Expect(errors.As(err, &apiErr)).To(BeTrue())
	g.Expect(strings.Join(apiErr.Errors, "\n")).To(ContainSubstring("Cannot find checkpoint or savepoint"))
	eventually(func(g Gomega) {
		jobsAfter, err := client.ListJobs(ctx)
		g.Expect(err).NotTo(HaveOccurred())
		g.Expect(jobsAfter).To(HaveLen(len(jobsBefore) + 1))
		for _, job := range jobsAfter {
			if !containsJob(jobsBefore, job.ID) {
				g.Expect(job.State).To(Equal(flink.JobFailed))
			}
		}
	}).Should(Succeed())

	// RETAIN_ON_CANCELLATION: the checkpoint survives the cancel, and a new job restores from it.
	retainedJob := runJob(flink.RunJarRequest{FlinkConfiguration: jobConfig(map[string]string{
		"execution.checkpointing.externalized-checkpoint-retention": "RETAIN_ON_CANCELLATION"})})
	waitState(retainedJob, flink.JobRunning)
	kept := checkpoint(retainedJob, "kept")
	var keptPath string
	eventually(func(g Gomega) {
		entry := historyEntry(g, retainedJob, kept)
		g.Expect(entry.ExternalPath).NotTo(BeEmpty())
		keptPath = entry.ExternalPath
	}).Should(Succeed())
	g.Expect(client.CancelJob(ctx, retainedJob)).To(Succeed())
	waitState(retainedJob, flink.JobCanceled)
	g.Expect(filepath.Join(localPath(keptPath), "_metadata")).To(BeARegularFile())
	restoredJob := runJob(flink.RunJarRequest{SavepointPath: keptPath, FlinkConfiguration: jobConfig(nil)})
	waitState(restoredJob, flink.JobRunning)
	eventually(func(g Gomega) {
		statistics, err := client.CheckpointStatistics(ctx, restoredJob)
		g.Expect(err).NotTo(HaveOccurred())
		g.Expect(statistics.Latest.Restored).NotTo(BeNil())
		g.Expect(statistics.Latest.Restored.ID).To(Equal(kept))
		// Flink counts any restore through savepointPath as a savepoint restore, a retained checkpoint too.
		g.Expect(statistics.Latest.Restored.IsSavepoint).To(BeTrue())
	}).Should(Succeed())

	// An async result is cached per trigger id, failures included: a savepoint that cannot be written fails,
	// the same id again is acknowledged with the same failure and starts nothing; only a new id tries again.
	failingTrigger := flink.TriggerID("state", "savepoint", "unwritable")
	unwritable := "file:///dev/null/savepoints"
	triggered, err := client.TriggerSavepoint(ctx, restoredJob, flink.SavepointRequest{
		TargetDirectory: unwritable, TriggerID: failingTrigger})
	g.Expect(err).NotTo(HaveOccurred())
	failed := waitSavepoint(g, eventually, client, restoredJob, triggered)
	g.Expect(failed.Err()).To(MatchError(flink.ErrOperationFailed))
	waitState(restoredJob, flink.JobRunning)
	savepointDir := filepath.Join(backend.stateDir, "state-savepoints")
	again, err := client.TriggerSavepoint(ctx, restoredJob, flink.SavepointRequest{
		TargetDirectory: savepointDir, TriggerID: failingTrigger})
	g.Expect(err).NotTo(HaveOccurred())
	cached := waitSavepoint(g, eventually, client, restoredJob, again)
	g.Expect(cached.Err()).To(MatchError(flink.ErrOperationFailed), "the cached failure, not a new savepoint")
	g.Expect(savepointDir).NotTo(BeADirectory())
	// A new id is a new attempt. (Flink 2.x may fail over the job after the failed savepoint: an attempt made
	// before every task runs again fails too, and the next one, under a newer id, succeeds.)
	eventually(func(g Gomega) {
		fresh, err := client.TriggerSavepoint(ctx, restoredJob, flink.SavepointRequest{
			TargetDirectory: savepointDir, TriggerID: flink.TriggerID("state", "savepoint", time.Now().String())})
		g.Expect(err).NotTo(HaveOccurred())
		var result flink.SavepointResult
		g.Eventually(func(g Gomega) {
			result, err = client.SavepointStatus(ctx, restoredJob, fresh)
			g.Expect(err).NotTo(HaveOccurred())
			g.Expect(result.Done()).To(BeTrue())
		}).WithTimeout(backend.waitTimeout).WithPolling(backend.pollInterval).Should(Succeed())
		g.Expect(result.Err()).NotTo(HaveOccurred())
	}).Should(Succeed())
	waitState(restoredJob, flink.JobRunning)

	// Cancelled from outside the operator (the web UI or the CLI send the same request): CANCELED, and the
	// execution result says so.
	g.Expect(client.CancelJob(ctx, restoredJob)).To(Succeed())
	waitState(restoredJob, flink.JobCanceled)
	eventually(func(g Gomega) {
		result, err := client.ExecutionResult(ctx, restoredJob)
		g.Expect(err).NotTo(HaveOccurred())
		g.Expect(result.ApplicationStatus).To(Equal(flink.ApplicationCanceled))
	}).Should(Succeed())

	// A bounded job (the example reading a finite file) ends FINISHED and SUCCEEDED.
	input := filepath.Join(backend.stateDir, "cars.txt")
	var lines strings.Builder
	for i := 0; i < 50; i++ {
		fmt.Fprintf(&lines, "(%d,%d,%d.0,%d)\n", i%2, 50+i, i*10, 1424951918630+int64(i)*100)
	}
	g.Expect(os.WriteFile(input, []byte(lines.String()), 0o644)).To(Succeed())
	boundedJob := runJob(flink.RunJarRequest{ProgramArgs: []string{"--input", input},
		FlinkConfiguration: jobConfig(nil)})
	waitState(boundedJob, flink.JobFinished)
	eventually(func(g Gomega) {
		result, err := client.ExecutionResult(ctx, boundedJob)
		g.Expect(err).NotTo(HaveOccurred())
		g.Expect(result.ApplicationStatus).To(Equal(flink.ApplicationSucceeded))
	}).Should(Succeed())

	// A cancel of a job that already ended otherwise is refused with a 409 (the operator takes it as "already
	// terminal": jobops.CancelResult).
	err = client.CancelJob(ctx, boundedJob)
	g.Expect(flink.IsConflict(err)).To(BeTrue(), "cancel of a FINISHED job: %v", err)
}

func containsJob(jobs []flink.JobOverview, id string) bool {
	for _, job := range jobs {
		if job.ID == id {
			return true
		}
	}
	return false
}
