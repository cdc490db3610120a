package flinkdeployment

import (
	"context"
	"errors"
	"testing"
	"time"

	. "github.com/onsi/gomega"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
	"github.com/teal-flink/teal/internal/operatorconfig"
)

// disposingAPI fails the disposal of the paths in failing and records the others.
type disposingAPI struct {
	LegacyAPI
	failing  map[string]error
	disposed []string
}

func (a *disposingAPI) DisposeSavepoint(_ context.Context, path string) error {
	if err := a.failing[path]; err != nil {
		return err
	}
	a.disposed = append(a.disposed, path)
	return nil
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
			LegacySavepoints{
				Owner: SnapshotOwner{JobStatus: jobStatus, Config: operatorconfig.New(map[string]string{
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
