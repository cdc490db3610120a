package clusterhealth

import (
	"errors"
	"testing"
	"time"

	. "github.com/onsi/gomega"
)

func TestStoredSampleFailures(t *testing.T) {
	start := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name string
		// failures are the offsets from start at which sampling fails in a row.
		failures      []time.Duration
		expectMessage string
	}{
		{name: "one failure is tolerated", failures: []time.Duration{0}},
		{name: "failing for less than the interval", failures: []time.Duration{0, 30 * time.Second}},
		{name: "failing for the interval: reported with the first error and since when",
			failures:      []time.Duration{0, 30 * time.Second, time.Minute},
			expectMessage: "the cluster health check cannot sample job j since 2026-01-01T12:00:00Z: HTTP 503 #0; meanwhile it cannot restart the job when it is unhealthy"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := NewWithT(t)
			stored := Decode("")
			message := ""
			for i, offset := range tc.failures {
				message = stored.SampleFailed("j", errors.New("HTTP 503 #"+string(rune('0'+i))), start.Add(offset), time.Minute)
				// Round-trip through status between observations, as the controller does.
				encoded, err := stored.Encode()
				g.Expect(err).NotTo(HaveOccurred())
				stored = Decode(encoded)
			}
			g.Expect(message).To(Equal(tc.expectMessage))
			g.Expect(stored.SampleError).To(Equal("HTTP 503 #0"), "the first failure of the run is kept")
			stored.Sampled()
			g.Expect(stored.SampleFailingSince).To(BeNil())
			g.Expect(stored.SampleError).To(BeEmpty())
		})
	}
}

func TestDecodeStartsAfreshOnGarbage(t *testing.T) {
	g := NewWithT(t)
	g.Expect(Decode("{not json")).To(Equal(Stored{}))
	stored := Stored{Record: Record{JobID: "j"}}
	encoded, err := stored.Encode()
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(Decode(encoded).JobID).To(Equal("j"))
}
