package bluegreen

import (
	"testing"

	. "github.com/onsi/gomega"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
	"github.com/teal-flink/teal/internal/bluegreenstate"
)

func TestRecreatedChild(t *testing.T) {
	green := flinkv1beta1.BlueGreenTypeGreen
	ready := bluegreenstate.Child{Exists: true, Ready: true}
	gone := bluegreenstate.Child{}
	terminating := bluegreenstate.Child{Terminating: true}
	applyGreen := bluegreenstate.Decision{Effects: []bluegreenstate.Effect{{Kind: bluegreenstate.EffectApplyChild, Child: green}}}
	cases := []struct {
		name     string
		obs      bluegreenstate.Observations
		active   string
		d        bluegreenstate.Decision
		want     flinkv1beta1.BlueGreenDeploymentType
		starting bool
		ok       bool
	}{
		{"the active child deleted by hand: the re-creation starts", bluegreenstate.Observations{State: flinkv1beta1.BlueGreenActiveGreen, Green: gone}, "x-green", applyGreen, green, true, true},
		{"the active child still terminating: the re-creation starts", bluegreenstate.Observations{State: flinkv1beta1.BlueGreenActiveGreen, Green: terminating}, "x-green", applyGreen, green, true, true},
		{"the re-created child waits for the deleted one", bluegreenstate.Observations{State: flinkv1beta1.BlueGreenTransitioningToGreen, Green: terminating}, "x-green", bluegreenstate.Decision{}, green, false, true},
		{"a transition to the other child is no re-creation", bluegreenstate.Observations{State: flinkv1beta1.BlueGreenTransitioningToGreen, Green: terminating}, "x-blue", bluegreenstate.Decision{}, "", false, false},
		{"a suspended active child is not re-created", bluegreenstate.Observations{State: flinkv1beta1.BlueGreenActiveGreen, Green: bluegreenstate.Child{SpecSuspended: true}}, "x-green", bluegreenstate.Decision{}, "", false, false},
		{"an active child that exists", bluegreenstate.Observations{State: flinkv1beta1.BlueGreenActiveGreen, Green: ready}, "x-green", bluegreenstate.Decision{}, "", false, false},
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
