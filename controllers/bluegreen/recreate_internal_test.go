package bluegreen

import (
	"testing"

	. "github.com/onsi/gomega"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
)

func TestRecreatedChild(t *testing.T) {
	gone := child{}
	terminating := child{Terminating: true}
	applyGreen := decision{Effects: []effect{{Kind: effectApplyChild, Child: green}}}
	cases := []struct {
		name     string
		obs      observations
		active   string
		d        decision
		want     flinkv1beta1.BlueGreenDeploymentType
		starting bool
		ok       bool
	}{
		{"the active child deleted by hand: the re-creation starts", observations{State: flinkv1beta1.BlueGreenActiveGreen, Green: gone}, "x-green", applyGreen, green, true, true},
		{"the active child still terminating: the re-creation starts", observations{State: flinkv1beta1.BlueGreenActiveGreen, Green: terminating}, "x-green", applyGreen, green, true, true},
		{"the re-created child waits for the deleted one", observations{State: flinkv1beta1.BlueGreenTransitioningToGreen, Green: terminating}, "x-green", decision{}, green, false, true},
		{"a transition to the other child is no re-creation", observations{State: flinkv1beta1.BlueGreenTransitioningToGreen, Green: terminating}, "x-blue", decision{}, "", false, false},
		{"a suspended active child is not re-created", observations{State: flinkv1beta1.BlueGreenActiveGreen, Green: child{SpecSuspended: true}}, "x-green", decision{}, "", false, false},
		{"an active child that exists", observations{State: flinkv1beta1.BlueGreenActiveGreen, Green: ready}, "x-green", decision{}, "", false, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			g := NewWithT(t)
			got, starting, ok := recreatedChild(tc.obs, tc.active, "x-blue", "x-green", tc.d)
			g.Expect(ok).To(Equal(tc.ok))
			g.Expect(got).To(Equal(tc.want))
			g.Expect(starting).To(Equal(tc.starting))
		})
	}
}
