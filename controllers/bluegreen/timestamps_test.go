package bluegreen

import (
	"testing"
	"time"

	. "github.com/onsi/gomega"
)

func TestTimestampsRoundTripInUpstreamFormat(t *testing.T) {
	g := NewWithT(t)
	t0 := time.Date(2025, 1, 1, 12, 0, 0, 0, time.UTC)
	g.Expect(formatTimestamp(time.Time{})).To(Equal("1970-01-01T00:00:00Z"))
	g.Expect(parseTimestamp("1970-01-01T00:00:00Z").IsZero()).To(BeTrue())
	g.Expect(parseTimestamp(formatTimestamp(t0)).Equal(t0)).To(BeTrue())
	g.Expect(parseTimestamp("1735732800000").Equal(t0)).To(BeTrue())
}
