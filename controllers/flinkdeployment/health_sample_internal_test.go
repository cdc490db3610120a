package flinkdeployment

import (
	"context"
	"errors"
	"testing"
	"time"

	. "github.com/onsi/gomega"
	"k8s.io/client-go/tools/events"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
	"github.com/teal-flink/teal/internal/conditions"
	"github.com/teal-flink/teal/internal/flink"
	"github.com/teal-flink/teal/internal/flinkapi"
	"github.com/teal-flink/teal/internal/operatorconfig"
)

// samplingAPI answers the health check's samples with err, or with a healthy sample when err is nil; every
// other call is a programming error here.
type samplingAPI struct {
	flinkapi.API
	err     error
	samples int
}

func (a *samplingAPI) JobRestarts(context.Context, string) (int64, error) {
	a.samples++
	return 0, a.err
}

func (a *samplingAPI) CheckpointStatistics(context.Context, string) (flink.CheckpointStatistics, error) {
	var statistics flink.CheckpointStatistics
	statistics.Counts.Completed = 1
	return statistics, nil
}

// Defect 9: errors while sampling the job's health are not ignored. One failure is tolerated; once sampling
// has failed for the reconcile interval, a HealthCheck condition (False, HealthSampleFailed) names the error
// and one Warning event says the health check cannot restart the job meanwhile. A good sample clears both.
func TestDefect9HealthSampleErrorsAreReported(t *testing.T) {
	g := NewWithT(t)
	now := time.UnixMilli(1_700_000_000_000)
	recorder := events.NewFakeRecorder(10)
	r := &Reconciler{Now: func() time.Time { return now }, Recorder: recorder}
	target := spec(flinkv1beta1.UpgradeModeLastState, flinkv1beta1.JobStateRunning)
	deployment := &flinkv1beta1.FlinkDeployment{}
	deployment.Status.ReconciliationStatus.State = flinkv1beta1.ReconciliationStateDeployed
	api := &samplingAPI{err: errors.New("GET /jobs/j: HTTP 503")}
	config := operatorconfig.New(map[string]string{operatorconfig.KeyHealthCheckEnabled: "true",
		operatorconfig.KeyReconcileInterval: "1 min"})
	observe := func() {
		s := &scope{deployment: deployment, config: config, target: target, flink: api,
			job: &JobInfo{ID: "j", State: flinkv1beta1.JobStatusRunning}}
		_, err := r.observeHealth(context.Background(), s)
		g.Expect(err).NotTo(HaveOccurred())
	}

	observe()
	g.Expect(api.samples).To(Equal(1), "the health check sampled the job")
	g.Expect(conditions.Has(deployment, flinkv1beta1.ConditionHealthCheck)).To(BeFalse(), "one failed sample is tolerated")
	g.Expect(recorder.Events).To(BeEmpty())
	recorded := deployment.Status.ClusterHealth.Samples
	g.Expect(recorded).To(ContainSubstring("HTTP 503"), "the failure is remembered across reconciles")

	now = now.Add(30 * time.Second)
	observe()
	g.Expect(api.samples).To(Equal(2))
	g.Expect(conditions.Has(deployment, flinkv1beta1.ConditionHealthCheck)).To(BeFalse(), "not yet for a reconcile interval")
	g.Expect(deployment.Status.ClusterHealth.Samples).To(Equal(recorded), "a repeated failure does not rewrite status")

	now = now.Add(30 * time.Second)
	observe()
	g.Expect(conditions.IsFalse(deployment, flinkv1beta1.ConditionHealthCheck)).To(BeTrue())
	g.Expect(conditions.GetReason(deployment, flinkv1beta1.ConditionHealthCheck)).To(Equal(flinkv1beta1.ReasonHealthSampleFailed))
	g.Expect(conditions.GetMessage(deployment, flinkv1beta1.ConditionHealthCheck)).To(And(ContainSubstring("HTTP 503"), ContainSubstring("job j")))
	g.Expect(recorder.Events).To(Receive(And(ContainSubstring("Warning"), ContainSubstring(flinkv1beta1.ReasonHealthSampleFailed))))

	now = now.Add(time.Minute)
	observe()
	g.Expect(recorder.Events).To(BeEmpty(), "one Warning event per run of failures")

	api.err = nil
	observe()
	g.Expect(conditions.Has(deployment, flinkv1beta1.ConditionHealthCheck)).To(BeFalse(), "a good sample clears the condition")
	g.Expect(deployment.Status.ClusterHealth.Samples).NotTo(ContainSubstring("HTTP 503"))
}
