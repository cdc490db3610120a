package flinkstatesnapshot

import (
	"testing"
	"time"

	. "github.com/onsi/gomega"
)

func TestRetryAfter(t *testing.T) {
	cases := []struct {
		name            string
		failures, limit int32
		retry           bool
		wait            time.Duration
	}{
		{"first failure, unlimited", 1, -1, true, 10 * time.Second},
		{"backoff doubles", 3, -1, true, 40 * time.Second},
		{"within the limit", 2, 2, true, 20 * time.Second},
		{"past the limit", 3, 2, false, 0},
		{"no retries", 1, 0, false, 0},
		{"the doubling is capped", 40, -1, true, 10 * time.Second * (1 << 16)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			g := NewWithT(t)
			retry, wait := retryAfter(tc.failures, tc.limit, 10*time.Second)
			g.Expect(retry).To(Equal(tc.retry))
			g.Expect(wait).To(Equal(tc.wait))
		})
	}
}
