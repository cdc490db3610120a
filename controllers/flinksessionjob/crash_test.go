package flinksessionjob_test

import (
	"context"
	"os"
	"testing"

	. "github.com/onsi/gomega"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
	"github.com/teal-flink/teal/internal/manager"
	"github.com/teal-flink/teal/test/builders"
)

// TestOperatorKilledDuringSessionJobSavepointUpgrade kills the operator during a session job's savepoint
// upgrade: between recording the savepoint's trigger and calling Flink ("StopWithSavepoint/intent"), between
// the Flink call and recording what followed it, once the savepoint is recorded, once the new job's id is
// recorded ("Submit/intent") and once it is submitted. Every run must end with one running job, restored from
// the newest (the one) savepoint, and no second savepoint: the restarted operator polls or re-sends the recorded
// trigger instead of taking another.
func TestOperatorKilledDuringSessionJobSavepointUpgrade(t *testing.T) {
	stepIs := func(name string) func(*flinkv1beta1.FlinkSessionJob, string) bool {
		return func(_ *flinkv1beta1.FlinkSessionJob, step string) bool { return step == name }
	}
	cases := []struct {
		name string
		at   func(*flinkv1beta1.FlinkSessionJob, string) bool
	}{
		{"trigger recorded, Flink not asked", stepIs("StopWithSavepoint/intent")},
		{"Flink asked, its answer not recorded", stepIs("StopWithSavepoint")},
		{"savepoint recorded, new job not submitted", func(j *flinkv1beta1.FlinkSessionJob, step string) bool {
			info := j.Status.JobStatus.SavepointInfo
			return step == "AwaitSavepoint" && info != nil && info.TriggerID == "" && j.Status.JobStatus.UpgradeSavepointPath != ""
		}},
		{"new job's id recorded, not submitted", stepIs("Submit/intent")},
		{"new job submitted, not yet recorded", stepIs("Submit")},
	}
	defer stk.StepAside(t)()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			g := NewWithT(t)
			ctx := context.Background()
			jars := jarServer(t)
			first, err := stk.StartOperator()
			g.Expect(err).NotTo(HaveOccurred())
			session := newCluster(g, "crash", builders.WithSessionCluster())
			job := builders.NewFlinkSessionJob("crash", session.Namespace, session.Name, jars.URL+"/topspeed.jar",
				builders.WithSessionJobUpgradeMode(flinkv1beta1.UpgradeModeSavepoint))
			g.Expect(env.Client.Create(ctx, job)).To(Succeed())
			firstJob := eventuallyReady(g, job).Status.JobStatus.JobID
			g.Expect(first.Stop()).To(Succeed())

			fresh := stk.KillDuring(g, func(options *manager.Options, hang func(context.Context)) {
				options.OnSessionJobStep = func(ctx context.Context, j *flinkv1beta1.FlinkSessionJob, step string) {
					if j.Name == job.Name && j.Namespace == job.Namespace && tc.at(j, step) {
						hang(ctx)
					}
				}
			}, func() {
				update(g, job, func(j *flinkv1beta1.FlinkSessionJob) { j.Spec.Job.Parallelism = 2 })
			})
			defer func() { g.Expect(fresh.Stop()).To(Succeed()) }()

			restored, savepoint := expectOneJobFromTheSavepoint(g, job, session, firstJob)
			g.Expect(localPath(restored)).To(ContainSubstring(savepoint))
		})
	}
}

// expectOneJobFromTheSavepoint checks how a session job's savepoint upgrade ends, however often the operator
// died: generation 2 Ready with a new job, the only one active in the session cluster, restored from the one
// savepoint taken. It returns the restore path and the savepoint's directory name.
func expectOneJobFromTheSavepoint(g Gomega, job *flinkv1beta1.FlinkSessionJob, session *flinkv1beta1.FlinkDeployment, firstJob string) (string, string) {
	upgraded := eventuallyReady(g, job)
	g.Expect(upgraded.Generation).To(BeEquivalentTo(2))
	g.Expect(upgraded.Status.JobStatus.State).To(Equal(flinkv1beta1.JobStatusRunning))
	newJob := upgraded.Status.JobStatus.JobID
	g.Expect(newJob).NotTo(Equal(firstJob))
	flink := standin(g, session)
	var active []string
	for _, id := range flink.JobIDs() {
		if state, _ := flink.JobState(id); state != "FINISHED" && state != "CANCELED" && state != "FAILED" {
			active = append(active, id)
		}
	}
	g.Expect(active).To(Equal([]string{newJob}), "one job runs")
	savepoints, err := os.ReadDir(localPath(stk.StateConfig(session.Namespace)[1]))
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(savepoints).To(HaveLen(1), "exactly one savepoint was taken")
	restored := flink.RestoredFrom(newJob)
	g.Expect(restored).To(Equal(upgraded.Status.JobStatus.SavepointInfo.LastSavepoint.Location))
	g.Expect(restored).To(Equal(upgraded.Status.JobStatus.UpgradeSavepointPath))
	return restored, savepoints[0].Name()
}
