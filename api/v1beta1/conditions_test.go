package v1beta1

import (
	"testing"

	. "github.com/onsi/gomega"
)

// TestHealthCheckConditionIsAPI: the HealthCheck condition and its HealthSampleFailed reason are documented API
// (docs/flinkdeployment.md), so they live here with the other conditions and keep their values.
func TestHealthCheckConditionIsAPI(t *testing.T) {
	for _, tc := range []struct{ name, got, want string }{
		{name: "condition type", got: ConditionHealthCheck, want: "HealthCheck"},
		{name: "reason", got: ReasonHealthSampleFailed, want: "HealthSampleFailed"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := NewWithT(t)
			g.Expect(tc.got).To(Equal(tc.want))
		})
	}
}
