package jobops

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"testing"
	"time"

	. "github.com/onsi/gomega"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
	"github.com/teal-flink/teal/internal/flink"
)

// The one trigger-id policy: a trigger recorded for the same purpose is asked for again under its id (an
// operator restarted between recording it and calling Flink, or whose answer was lost); no trigger, one
// dropped after a failed or expired attempt, or one of another type is a new attempt under a new id.
func TestTriggerIDPolicy(t *testing.T) {
	at := time.UnixMilli(1_700_000_000_000)
	attempt := Attempt{UID: "uid", Subject: "3", Purpose: "upgrade", Type: flinkv1beta1.SnapshotTriggerUpgrade,
		Format: flinkv1beta1.SavepointFormatNative, At: at}
	recorded := TriggerID("uid", "3", "upgrade", at.Add(-time.Minute))
	cases := []struct {
		name   string
		info   *flinkv1beta1.SavepointInfo
		reuses bool
	}{
		{name: "nothing recorded: a new attempt"},
		{name: "a trigger recorded for the upgrade: asked for again", info: &flinkv1beta1.SavepointInfo{
			TriggerID: recorded, TriggerType: flinkv1beta1.SnapshotTriggerUpgrade}, reuses: true},
		{name: "the trigger was dropped after a failure: a new attempt", info: &flinkv1beta1.SavepointInfo{
			TriggerType: flinkv1beta1.SnapshotTriggerUpgrade}},
		{name: "a periodic savepoint in flight is not the upgrade's", info: &flinkv1beta1.SavepointInfo{
			TriggerID: recorded, TriggerType: flinkv1beta1.SnapshotTriggerPeriodic}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			g := NewWithT(t)
			g.Expect(ReusesRecordedTrigger(tc.info, attempt.Type)).To(Equal(tc.reuses))
			jobStatus := &flinkv1beta1.JobStatus{SavepointInfo: tc.info}
			info := RecordIntent(jobStatus, attempt)
			g.Expect(info).To(BeIdenticalTo(jobStatus.SavepointInfo))
			g.Expect(info.TriggerType).To(Equal(flinkv1beta1.SnapshotTriggerUpgrade))
			if tc.reuses {
				g.Expect(info.TriggerID).To(Equal(recorded))
				return
			}
			g.Expect(info.TriggerID).To(Equal(TriggerID("uid", "3", "upgrade", at)))
			g.Expect(info.TriggerID).NotTo(Equal(recorded))
			g.Expect(*info.TriggerTimestamp).To(Equal(at.UnixMilli()))
			g.Expect(info.FormatType).To(Equal(flinkv1beta1.SavepointFormatNative))
		})
	}
}

// A failed attempt, then a retry: the retry runs under a new id, so Flink's cached failure of the first id
// (kept for rest.async.store-duration) cannot answer it.
func TestRetryAfterFailedTriggerGetsNewID(t *testing.T) {
	g := NewWithT(t)
	at := time.UnixMilli(1_700_000_000_000)
	jobStatus := &flinkv1beta1.JobStatus{}
	first := RecordIntent(jobStatus, Attempt{UID: "uid", Subject: "job", Purpose: "upgrade", Type: flinkv1beta1.SnapshotTriggerUpgrade, At: at}).TriggerID
	next := AfterPoll(Poll{Outcome: PollFailed, Failure: "disk full"}, flinkv1beta1.JobStatusRunning)
	g.Expect(next).To(Equal(NextRetry))
	g.Expect(next.DropsTrigger()).To(BeTrue())
	Settle(jobStatus.SavepointInfo, next)
	g.Expect(jobStatus.SavepointInfo.TriggerID).To(BeEmpty())
	retry := RecordIntent(jobStatus, Attempt{UID: "uid", Subject: "job", Purpose: "upgrade", Type: flinkv1beta1.SnapshotTriggerUpgrade, At: at.Add(time.Second)}).TriggerID
	g.Expect(retry).NotTo(Equal(first))
}

func TestAfterPoll(t *testing.T) {
	cases := []struct {
		name  string
		poll  Poll
		state flinkv1beta1.JobStatusState
		want  Next
		drops bool
	}{
		{"in progress: wait", Poll{Outcome: PollInProgress}, flinkv1beta1.JobStatusRunning, NextWait, false},
		{"no answer from Flink: back off, keep the trigger", Poll{Outcome: PollUnreachable}, flinkv1beta1.JobStatusRunning, NextBackOff, false},
		{"no answer and no job observed: still keep it", Poll{Outcome: PollUnreachable}, "", NextBackOff, false},
		{"unknown to Flink while the job runs: send again under the id", Poll{Outcome: PollUnknown}, flinkv1beta1.JobStatusRunning, NextResend, false},
		{"unknown to Flink, job ended: a person decides", Poll{Outcome: PollUnknown}, flinkv1beta1.JobStatusFinished, NextStall, true},
		{"unknown to Flink, job not observed: a person decides", Poll{Outcome: PollUnknown}, "", NextStall, true},
		{"failed while the job runs: retry under a new id", Poll{Outcome: PollFailed}, flinkv1beta1.JobStatusRunning, NextRetry, true},
		{"failed while the job restarts: stall", Poll{Outcome: PollFailed}, flinkv1beta1.JobStatusRestarting, NextStall, true},
		{"failed, job not observed: retry", Poll{Outcome: PollFailed}, "", NextRetry, true},
		{"completed: record it", Poll{Outcome: PollCompleted, Location: "sp"}, flinkv1beta1.JobStatusFinished, NextRecord, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			g := NewWithT(t)
			next := AfterPoll(tc.poll, tc.state)
			g.Expect(next).To(Equal(tc.want))
			g.Expect(next.DropsTrigger()).To(Equal(tc.drops))
			info := &flinkv1beta1.SavepointInfo{TriggerID: "recorded"}
			Settle(info, next)
			g.Expect(info.TriggerID == "").To(Equal(tc.drops && next != NextRecord), "settled")
		})
	}
}

func TestClassifyPoll(t *testing.T) {
	completed := flink.SavepointResult{Status: flink.OperationCompleted, Location: "file:/sp/1"}
	failed := flink.SavepointResult{Status: flink.OperationCompleted, Failure: &flink.SerializedThrowable{Class: "java.io.IOException", StackTrace: "java.io.IOException: disk full"}}
	cases := []struct {
		name   string
		result flink.SavepointResult
		err    error
		want   PollOutcome
	}{
		{"in progress", flink.SavepointResult{Status: flink.OperationInProgress}, nil, PollInProgress},
		{"completed", completed, nil, PollCompleted},
		{"failed", failed, nil, PollFailed},
		{"expired trigger", flink.SavepointResult{}, flink.ErrOperationNotFound, PollUnknown},
		{"a 404", flink.SavepointResult{}, &flink.APIError{StatusCode: http.StatusNotFound}, PollUnknown},
		{"a 503", flink.SavepointResult{}, &flink.APIError{StatusCode: http.StatusServiceUnavailable}, PollUnreachable},
		{"a 400 refusal", flink.SavepointResult{}, &flink.APIError{StatusCode: http.StatusBadRequest}, PollFailed},
		{"a 409 refusal", flink.SavepointResult{}, &flink.APIError{StatusCode: http.StatusConflict}, PollFailed},
		{"a wrapped 400", flink.SavepointResult{}, fmt.Errorf("polling: %w", &flink.APIError{StatusCode: http.StatusBadRequest}), PollFailed},
		{"a 408", flink.SavepointResult{}, &flink.APIError{StatusCode: http.StatusRequestTimeout}, PollUnreachable},
		{"a 429", flink.SavepointResult{}, &flink.APIError{StatusCode: http.StatusTooManyRequests}, PollUnreachable},
		{"a timeout", flink.SavepointResult{}, context.DeadlineExceeded, PollUnreachable},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			g := NewWithT(t)
			g.Expect(ClassifyPoll(tc.result, tc.err).Outcome).To(Equal(tc.want))
		})
	}
}

func TestIsDefinitive(t *testing.T) {
	cases := []struct {
		name string
		err  error
		want bool
	}{
		{"no error", nil, false},
		{"a refused connection", errors.New("dial tcp: connection refused"), false},
		{"a timeout", context.DeadlineExceeded, false},
		{"a 500", &flink.APIError{StatusCode: http.StatusInternalServerError}, false},
		{"a 503", &flink.APIError{StatusCode: http.StatusServiceUnavailable}, false},
		{"a 408", &flink.APIError{StatusCode: http.StatusRequestTimeout}, false},
		{"a 429", &flink.APIError{StatusCode: http.StatusTooManyRequests}, false},
		{"a 400", &flink.APIError{StatusCode: http.StatusBadRequest}, true},
		{"a 404", &flink.APIError{StatusCode: http.StatusNotFound}, true},
		{"a 409", &flink.APIError{StatusCode: http.StatusConflict}, true},
		{"an expired operation", flink.ErrOperationNotFound, true},
		{"wrapped", errors.Join(errors.New("triggering"), &flink.APIError{StatusCode: http.StatusBadRequest}), true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			g := NewWithT(t)
			g.Expect(IsDefinitive(tc.err)).To(Equal(tc.want))
		})
	}
}

func TestRestorePoint(t *testing.T) {
	cases := []struct {
		name    string
		restore Restore
		want    string
	}{
		{"a session cluster has no job", Restore{FirstDeployment: true, Initial: "sp-0"}, ""},
		{"first deployment: the initial savepoint", Restore{HasJob: true, FirstDeployment: true, Initial: "sp-0"}, "sp-0"},
		{"first deployment, nothing to restore", Restore{HasJob: true, FirstDeployment: true}, ""},
		{"first deployment restarted: its recorded latest state", Restore{HasJob: true, FirstDeployment: true, Restarted: true, Recorded: "chk-5", Initial: "sp-0"}, "chk-5"},
		{"first deployment restarted without a recorded state: the initial one", Restore{HasJob: true, FirstDeployment: true, Restarted: true, Initial: "sp-0"}, "sp-0"},
		{"an upgrade: the state the old job handed over", Restore{HasJob: true, Recorded: "sp-7", Initial: "sp-0"}, "sp-7"},
		{"a stateless upgrade: nothing recorded, starts empty", Restore{HasJob: true, Initial: "sp-0"}, ""},
		{"a rollback of the first deployment: what the failed upgrade started from", Restore{HasJob: true, FirstDeployment: true, RollingBack: true, Recorded: "sp-7", Initial: "sp-0"}, "sp-7"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			g := NewWithT(t)
			g.Expect(RestorePoint(tc.restore)).To(Equal(tc.want))
		})
	}
}

func TestCancelResult(t *testing.T) {
	cases := []struct {
		name    string
		err     error
		want    CancelOutcome
		wantErr bool
	}{
		{"accepted", nil, CancelRequested, false},
		{"a 409: the job already ended otherwise", &flink.APIError{StatusCode: http.StatusConflict}, CancelAlreadyTerminal, false},
		{"a 503: retried", &flink.APIError{StatusCode: http.StatusServiceUnavailable}, CancelRequested, true},
		{"a 404: an error", &flink.APIError{StatusCode: http.StatusNotFound}, CancelRequested, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			g := NewWithT(t)
			outcome, err := CancelResult(tc.err)
			g.Expect(outcome).To(Equal(tc.want))
			g.Expect(err != nil).To(Equal(tc.wantErr))
		})
	}
}

func TestUpgradeInFlight(t *testing.T) {
	g := NewWithT(t)
	g.Expect(UpgradeInFlight(flinkv1beta1.JobStatus{})).To(BeFalse())
	upgrade := flinkv1beta1.JobStatus{SavepointInfo: &flinkv1beta1.SavepointInfo{TriggerID: "t", TriggerType: flinkv1beta1.SnapshotTriggerUpgrade}}
	g.Expect(UpgradeInFlight(upgrade)).To(BeTrue())
	upgrade.SavepointInfo.TriggerID = ""
	g.Expect(UpgradeInFlight(upgrade)).To(BeFalse(), "completed")
	manual := flinkv1beta1.JobStatus{SavepointInfo: &flinkv1beta1.SavepointInfo{TriggerID: "t", TriggerType: flinkv1beta1.SnapshotTriggerManual}}
	g.Expect(UpgradeInFlight(manual)).To(BeFalse(), "a manual savepoint is not the upgrade's")
}
