package snapshots

import (
	"context"
	"errors"
	"testing"
	"time"

	. "github.com/onsi/gomega"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
	"github.com/teal-flink/teal/internal/flink"
	"github.com/teal-flink/teal/internal/flinkapi"
	"github.com/teal-flink/teal/internal/operatorconfig"
)

// disposingAPI fails the disposal of the paths in failing and records the others.
type disposingAPI struct {
	flinkapi.API
	failing  map[string]error
	disposed []string
}

func (a *disposingAPI) DisposeSavepoint(_ context.Context, path string) (string, error) {
	if err := a.failing[path]; err != nil {
		return "", err
	}
	a.disposed = append(a.disposed, path)
	return "disposal-" + path, nil
}

// Defect 9: a savepoint whose disposal fails stays in savepointHistory (to be retried) instead of being dropped
// and orphaned; one that no longer exists is dropped.
func TestSavepointDisposalFailureKeepsTheHistoryEntry(t *testing.T) {
	now := time.UnixMilli(1_700_000_000_000)
	history := func() []flinkv1beta1.Savepoint {
		return []flinkv1beta1.Savepoint{{Location: "sp-1", TimeStamp: now.UnixMilli() - 3},
			{Location: "sp-2", TimeStamp: now.UnixMilli() - 2}, {Location: "sp-3", TimeStamp: now.UnixMilli() - 1}}
	}
	cases := []struct {
		name     string
		failing  map[string]error
		disposed []string
		kept     []string
	}{
		{"every disposal succeeds", nil, []string{"sp-1", "sp-2"}, []string{"sp-3"}},
		{"a failed disposal keeps its entry and stops the pass", map[string]error{"sp-1": errors.New("HTTP 503")},
			nil, []string{"sp-1", "sp-2", "sp-3"}},
		{"a savepoint already gone is dropped", map[string]error{
			"sp-1": errors.New("java.io.FileNotFoundException: Cannot find checkpoint or savepoint file/directory 'sp-1'")},
			[]string{"sp-2"}, []string{"sp-3"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			g := NewWithT(t)
			jobStatus := &flinkv1beta1.JobStatus{SavepointInfo: &flinkv1beta1.SavepointInfo{SavepointHistory: history()}}
			api := &disposingAPI{failing: tc.failing}
			var warnings []string
			Legacy{
				Owner: Owner{JobStatus: jobStatus, Config: operatorconfig.New(map[string]string{
					operatorconfig.KeySavepointCleanupEnabled: "true", operatorconfig.KeySavepointHistoryMaxCount: "1"})},
				API: api, Now: func() time.Time { return now },
				Event: func(eventType, _, message string) {
					if eventType == "Warning" {
						warnings = append(warnings, message)
					}
				},
			}.pruneHistory(context.Background())
			g.Expect(api.disposed).To(Equal(tc.disposed))
			var kept []string
			for _, savepoint := range jobStatus.SavepointInfo.SavepointHistory {
				kept = append(kept, savepoint.Location)
			}
			g.Expect(kept).To(Equal(tc.kept))
			if len(tc.kept) > 1 {
				g.Expect(warnings).To(ContainElement(ContainSubstring("kept in savepointHistory")))
			}
		})
	}
}

// triggeringAPI answers savepoint triggers with triggerErr and polls with pollErr, recording what it was asked.
type triggeringAPI struct {
	flinkapi.API
	triggerErr, pollErr error
	triggered, polled   []string
}

func (a *triggeringAPI) TriggerSavepoint(_ context.Context, _ string, request flink.SavepointRequest) (string, error) {
	a.triggered = append(a.triggered, request.TriggerID)
	return request.TriggerID, a.triggerErr
}

func (a *triggeringAPI) SavepointStatus(_ context.Context, _, triggerID string) (flink.SavepointResult, error) {
	a.polled = append(a.polled, triggerID)
	return flink.SavepointResult{Status: flink.OperationInProgress}, a.pollErr
}

// Defect 5 (REST errors): a savepoint trigger whose answer is a transient REST error (a 503, a timeout) may
// have started the savepoint in Flink. The recorded trigger is kept, so the next pass polls it instead of
// taking a second savepoint under a new id; only a definitive refusal (a 4xx) drops it.
func TestTransientRESTErrorKeepsRecordedTrigger(t *testing.T) {
	unavailable := &flink.APIError{StatusCode: 503, Endpoint: "POST /jobs/:jobid/savepoints"}
	refused := &flink.APIError{StatusCode: 400, Endpoint: "POST /jobs/:jobid/savepoints"}
	cases := []struct {
		name       string
		triggerErr error
		kept       bool
	}{
		{"a 503 keeps the trigger", unavailable, true},
		{"a lost answer keeps the trigger", context.DeadlineExceeded, true},
		{"a 400 drops it", refused, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			g := NewWithT(t)
			now := time.UnixMilli(1_700_000_000_000)
			nonce := int64(1)
			jobStatus := &flinkv1beta1.JobStatus{}
			api := &triggeringAPI{triggerErr: tc.triggerErr}
			legacy := Legacy{
				Owner: Owner{JobStatus: jobStatus, Desired: &flinkv1beta1.JobSpec{SavepointTriggerNonce: &nonce},
					Config: operatorconfig.New(map[string]string{})},
				API: api, JobID: "job", JobRunning: true, UID: "uid", Subject: "1",
				Now:    func() time.Time { return now },
				Event:  func(string, string, string) {},
				Record: func(context.Context, *int64) error { return nil },
			}
			_, err := legacy.Reconcile(context.Background())
			g.Expect(err).To(HaveOccurred())
			g.Expect(api.triggered).To(HaveLen(1))
			if !tc.kept {
				g.Expect(jobStatus.SavepointInfo.TriggerID).To(BeEmpty())
				return
			}
			g.Expect(jobStatus.SavepointInfo.TriggerID).To(Equal(api.triggered[0]))

			// The next pass polls the recorded trigger rather than starting another savepoint.
			now = now.Add(time.Second)
			api.triggerErr = nil
			outcome, err := legacy.Reconcile(context.Background())
			g.Expect(err).NotTo(HaveOccurred())
			g.Expect(outcome.InFlight).To(BeTrue())
			g.Expect(api.triggered).To(HaveLen(1), "no second savepoint")
			g.Expect(api.polled).To(Equal([]string{api.triggered[0]}))
		})
	}
}
