package bluegreen_test

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/cli-utils/pkg/kstatus/status"
	"sigs.k8s.io/controller-runtime/pkg/client"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
)

// runGates plays the gates in the background until ctx ends: W once the stage is TRANSITIONING, then
// CLEAR_TO_TEARDOWN, each written conditionally as the gate writes it. (The gate reacts to a watch; this
// stand-in looks every few milliseconds, which is all the controller can tell apart.)
func runGates(ctx context.Context, bg *flinkv1beta1.FlinkBlueGreenDeployment) {
	ticker := time.NewTicker(20 * time.Millisecond)
	defer ticker.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
		}
		cm := &corev1.ConfigMap{}
		if err := env.Client.Get(ctx, client.ObjectKey{Namespace: bg.Namespace, Name: bg.Name + "-configmap"}, cm); err != nil {
			continue
		}
		if cm.Data["stage"] != "TRANSITIONING" || cm.Data["active-deployment-type"] != "GREEN" {
			continue
		}
		base := cm.DeepCopy()
		if cm.Data["watermark-stage"] != "WATERMARK_SET" {
			cm.Data["watermark-stage"], cm.Data["watermark-toggle-value"] = "WATERMARK_SET", "1700000000000"
		} else {
			cm.Data["stage"] = "CLEAR_TO_TEARDOWN"
		}
		_ = env.Client.Patch(ctx, cm, client.MergeFromWithOptions(base, client.MergeFromWithOptimisticLock{}))
	}
}

// TestOperatorKilledMidAdvancedTransition stops the operator right after each step of an ADVANCED blue→green
// transition, before the reconcile's final status patch, then starts a fresh one. Every run must end
// ACTIVE_GREEN with one child, the ConfigMap settled on green, two savepoints (the hand-over and blue's
// stop-with-savepoint), and green started once, from the hand-over savepoint.
func TestOperatorKilledMidAdvancedTransition(t *testing.T) {
	steps := []string{
		"Intent SAVEPOINTING_BLUE",
		"TriggerSavepoint(BLUE)",
		"Intent TRANSITIONING_TO_GREEN", // savepoint recorded, ConfigMap not yet prepared
		"WriteGate(INITIALIZING)",       // prepared, green not yet created
		"ApplyChild(GREEN)",
		"WriteGate(TRANSITIONING)",               // green runs, the gates now agree on W
		"Intent TRANSITIONING_TO_GREEN teardown", // CLEAR_TO_TEARDOWN seen, the teardown trigger id recorded, not yet sent
		"StopChild(BLUE)",                        // blue's stop-with-savepoint sent
		"SwitchIngress(GREEN)",
		"DeleteChild(BLUE)",
		"WriteGate(RUNNING)", // settled on green, ACTIVE_GREEN not yet recorded
	}
	NewWithT(t).Expect(stk.Operator.Stop()).To(Succeed())
	defer func() {
		var err error
		stk.Operator, err = startOperator()
		NewWithT(t).Expect(err).NotTo(HaveOccurred())
	}()
	for _, step := range steps {
		t.Run(step, func(t *testing.T) {
			g := NewWithT(t)
			first, err := startOperator()
			g.Expect(err).NotTo(HaveOccurred())
			bg := newAdvanced(g, "crash")
			g.Expect(first.Stop()).To(Succeed())
			ctx, stopGates := context.WithCancel(context.Background())
			defer stopGates()
			go runGates(ctx, bg)

			fresh := killAt(g, bg, step, func() {
				update(g, bg, func(b *flinkv1beta1.FlinkBlueGreenDeployment) { b.Spec.Template.Spec.Image = "flink:1.20.1" })
			})
			defer func() { g.Expect(fresh.Stop()).To(Succeed()) }()
			current := eventuallyIn(g, bg, flinkv1beta1.BlueGreenActiveGreen, status.CurrentStatus)
			g.Expect(current.Status.ActiveDeployment).To(Equal("crash-green"))
			g.Eventually(func(g Gomega) { g.Expect(children(g, bg)).To(HaveLen(1)) }, timeout, interval).Should(Succeed())
			g.Expect(children(g, bg)).To(HaveKey("crash-green"))
			g.Eventually(func(g Gomega) {
				data := fakeGate{bg: bg}.read(g).Data
				g.Expect(data).To(HaveKeyWithValue("active-deployment-type", "GREEN"))
				g.Expect(data).To(HaveKeyWithValue("stage", "RUNNING"))
			}, timeout, interval).Should(Succeed())

			savepoints, err := os.ReadDir(strings.TrimPrefix(stateConfig(bg.Namespace)[1], "file://"))
			g.Expect(err).NotTo(HaveOccurred())
			g.Expect(savepoints).To(HaveLen(2), "the hand-over savepoint and blue's stop-with-savepoint, once each")
			green := child(g, bg, "green")
			server, jobID := job(g, bg.Namespace, "crash-green")
			g.Expect(server.RestoredFrom(jobID)).To(Equal(green.Spec.Job.InitialSavepointPath))
			g.Expect(runtime.Starts(bg.Namespace, "crash-green")).To(Equal(1), "green's job started once")
		})
	}
}
