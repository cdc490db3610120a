package bluegreen_test

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/fluxcd/pkg/runtime/conditions"
	. "github.com/onsi/gomega"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/cli-utils/pkg/kstatus/status"
	"sigs.k8s.io/controller-runtime/pkg/client"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
	"github.com/teal-flink/teal/test/builders"
)

// fakeGate plays the Java gate of the jobs (gate/): it reads the coordination ConfigMap and writes the gate keys
// as the gate does, with merge patches conditional on the resourceVersion it read.
type fakeGate struct {
	bg *flinkv1beta1.FlinkBlueGreenDeployment
}

func (f fakeGate) read(g Gomega) *corev1.ConfigMap {
	cm := &corev1.ConfigMap{}
	g.Expect(env.Client.Get(context.Background(), client.ObjectKey{Namespace: f.bg.Namespace, Name: f.bg.Name + "-configmap"}, cm)).To(Succeed())
	return cm
}

// write sets keys once the ConfigMap satisfies when (retrying on conflicts, as the gate's store does).
func (f fakeGate) write(g Gomega, when func(data map[string]string) bool, keyValues ...string) {
	g.Eventually(func(g Gomega) {
		cm := f.read(g)
		g.Expect(when(cm.Data)).To(BeTrue(), "ConfigMap: %v", cm.Data)
		base := cm.DeepCopy()
		for i := 0; i+1 < len(keyValues); i += 2 {
			cm.Data[keyValues[i]] = keyValues[i+1]
		}
		g.Expect(env.Client.Patch(context.Background(), cm, client.MergeFromWithOptions(base, client.MergeFromWithOptimisticLock{}))).To(Succeed())
	}, timeout, interval).Should(Succeed())
}

// agreeOnW is the gates agreeing on W during TRANSITIONING (the incoming gate's WAITING_FOR_WATERMARK first).
func (f fakeGate) agreeOnW(g Gomega, w string) {
	transitioning := func(data map[string]string) bool { return data["stage"] == "TRANSITIONING" }
	f.write(g, transitioning, "watermark-stage", "WAITING_FOR_WATERMARK")
	f.write(g, transitioning, "watermark-stage", "WATERMARK_SET", "watermark-toggle-value", w)
}

// clearToTeardown is the outgoing gates' last write, once their watermark passed W.
func (f fakeGate) clearToTeardown(g Gomega) {
	f.write(g, func(data map[string]string) bool { return data["watermark-stage"] == "WATERMARK_SET" }, "stage", "CLEAR_TO_TEARDOWN")
}

func withAdvancedMode(bg *flinkv1beta1.FlinkBlueGreenDeployment) {
	bg.Spec.TransitionMode = flinkv1beta1.TransitionModeAdvanced
}

// newAdvanced creates an ADVANCED blue/green deployment and waits until blue serves.
func newAdvanced(g Gomega, name string, options ...builders.BlueGreenOption) *flinkv1beta1.FlinkBlueGreenDeployment {
	bg := newBlueGreen(g, name, []builders.DeploymentOption{builders.WithUpgradeMode(flinkv1beta1.UpgradeModeSavepoint),
		builders.WithConfig("bluegreen.gate.strategy", "WATERMARK", "bluegreen.gate.watermark.field-path", "eventTime")},
		append([]builders.BlueGreenOption{withAdvancedMode}, options...)...)
	eventuallyIn(g, bg, flinkv1beta1.BlueGreenActiveBlue, status.CurrentStatus)
	return bg
}

func readyReason(g Gomega, bg *flinkv1beta1.FlinkBlueGreenDeployment) string {
	return conditions.GetReason(get(g, bg), flinkv1beta1.ConditionReconciling)
}

func TestAdvancedTransitionFollowsTheGates(t *testing.T) {
	g := NewWithT(t)
	bg := newAdvanced(g, "adv")
	gates := fakeGate{bg: bg}

	// The first deployment: the ConfigMap is owned, blue is the sole emitter, and blue carries the gate.
	cm := gates.read(g)
	g.Expect(cm.OwnerReferences).To(ContainElement(HaveField("UID", get(g, bg).UID)))
	g.Expect(cm.Data).To(HaveKeyWithValue("is-first-deployment", "true"))
	g.Expect(cm.Data).To(HaveKeyWithValue("active-deployment-type", "BLUE"))
	g.Expect(cm.Data).To(HaveKeyWithValue("stage", "RUNNING"))
	flat, err := child(g, bg, "blue").Spec.FlinkConfiguration.Flatten()
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(flat).To(HaveKeyWithValue("bluegreen.active-deployment-type", "BLUE"))
	g.Expect(flat).To(HaveKeyWithValue("bluegreen.configmap.name", "adv-configmap"))
	g.Expect(flat).To(HaveKeyWithValue("bluegreen.gate.injection.enabled", "true"))
	g.Expect(flat["env.java.opts.jobmanager"]).To(ContainSubstring("-javaagent:"))
	g.Expect(flat["env.java.opts.taskmanager"]).To(ContainSubstring("-javaagent:"))
	// The gate reached the pod: the init container copied the operator image's jar into the volume that
	// -javaagent names.
	jobManager := &appsv1.Deployment{}
	g.Expect(env.Client.Get(context.Background(), client.ObjectKey{Namespace: bg.Namespace, Name: "adv-blue"}, jobManager)).To(Succeed())
	g.Expect(jobManager.Spec.Template.Spec.InitContainers).To(ContainElement(And(HaveField("Name", "teal-gate"),
		HaveField("Image", "ghcr.io/teal-flink/teal:test"))))
	jar, mounted := runtime.PodPath(bg.Namespace, "adv-blue", "/opt/flink/teal-gate/teal-bluegreen-gate.jar")
	g.Expect(mounted).To(BeTrue())
	content, err := os.ReadFile(jar)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(string(content)).To(Equal(gateJarContent))
	g.Expect(flat["env.java.opts.jobmanager"]).To(ContainSubstring("-javaagent:/opt/flink/teal-gate/teal-bluegreen-gate.jar"))
	// A W left from an earlier transition must not survive into the next one.
	gates.write(g, func(map[string]string) bool { return true }, "watermark-stage", "WATERMARK_SET", "watermark-toggle-value", "1")

	update(g, bg, func(b *flinkv1beta1.FlinkBlueGreenDeployment) { b.Spec.Template.Spec.Image = "flink:1.20.1" })
	// Green runs: TRANSITIONING, the old W is gone, both children run.
	g.Eventually(func(g Gomega) {
		data := gates.read(g).Data
		g.Expect(data).To(HaveKeyWithValue("stage", "TRANSITIONING"))
		g.Expect(data).To(HaveKeyWithValue("active-deployment-type", "GREEN"))
		g.Expect(data).To(HaveKeyWithValue("is-first-deployment", "false"))
		g.Expect(data).To(HaveKeyWithValue("watermark-stage", "WATERMARK_NOT_SET"))
		g.Expect(data).NotTo(HaveKey("watermark-toggle-value"))
		g.Expect(readyReason(g, bg)).To(Equal(flinkv1beta1.ReasonWaitingForWatermark))
	}, timeout, interval).Should(Succeed())
	g.Expect(children(g, bg)).To(HaveLen(2))
	green := child(g, bg, "green")
	g.Expect(green.Status.JobStatus.State).To(Equal(flinkv1beta1.JobStatusRunning))
	flat, _ = green.Spec.FlinkConfiguration.Flatten()
	g.Expect(flat).To(HaveKeyWithValue("bluegreen.active-deployment-type", "GREEN"))

	// W: the controller reports the cut-over (the evidence it saw the gates' write) ...
	gates.agreeOnW(g, "1700000000000")
	g.Eventually(func(g Gomega) {
		g.Expect(readyReason(g, bg)).To(Equal(flinkv1beta1.ReasonCutOverAtWatermark))
		g.Expect(conditions.GetMessage(get(g, bg), flinkv1beta1.ConditionReconciling)).To(ContainSubstring("W=1700000000000"))
	}, timeout, interval).Should(Succeed())
	// ... and keeps blue until CLEAR_TO_TEARDOWN.
	blueServer, blueJob := job(g, bg.Namespace, "adv-blue")
	g.Consistently(func(g Gomega) {
		g.Expect(children(g, bg)).To(HaveKey("adv-blue"))
		state, _ := blueServer.JobState(blueJob)
		g.Expect(state).To(Equal("RUNNING"))
		g.Expect(get(g, bg).Status.BlueGreenState).To(Equal(flinkv1beta1.BlueGreenTransitioningToGreen))
	}, "2s", interval).Should(Succeed())

	gates.clearToTeardown(g)
	eventuallyIn(g, bg, flinkv1beta1.BlueGreenActiveGreen, status.CurrentStatus)
	g.Eventually(func(g Gomega) { g.Expect(children(g, bg)).To(HaveLen(1)) }, timeout, interval).Should(Succeed())
	g.Eventually(func(g Gomega) {
		data := gates.read(g).Data
		g.Expect(data).To(HaveKeyWithValue("stage", "RUNNING"))
		g.Expect(data).To(HaveKeyWithValue("active-deployment-type", "GREEN"))
		g.Expect(data).To(HaveKeyWithValue("watermark-toggle-value", "1700000000000"))
	}, timeout, interval).Should(Succeed())
	// Blue was stopped with a savepoint, not deleted under its job: the hand-over savepoint and blue's final one.
	savepoints, err := os.ReadDir(strings.TrimPrefix(stateConfig(bg.Namespace)[1], "file://"))
	g.Expect(err).NotTo(HaveOccurred())
	blueState, _ := blueServer.JobState(blueJob)
	g.Expect(blueState).To(Equal("FINISHED"))
	g.Expect(savepoints).To(HaveLen(2))
	g.Expect(eventsList{}.reasons(g, bg)).To(ContainElements(flinkv1beta1.ReasonWaitingForWatermark,
		flinkv1beta1.ReasonCutOverAtWatermark, flinkv1beta1.ReasonClearToTeardown))
}

func TestAdvancedDeadlineAbortsBeforeW(t *testing.T) {
	g := NewWithT(t)
	bg := newAdvanced(g, "deadline", builders.WithBlueGreenConfig("kubernetes.operator.bluegreen.advanced.transition-deadline", "2 s"))
	gates := fakeGate{bg: bg}
	update(g, bg, func(b *flinkv1beta1.FlinkBlueGreenDeployment) { b.Spec.Template.Spec.Image = "flink:1.20.1" })

	// No gate ever agrees on W (a stuck source): back to blue, which kept emitting; green is suspended.
	current := eventuallyIn(g, bg, flinkv1beta1.BlueGreenActiveBlue, status.FailedStatus)
	g.Expect(conditions.GetReason(current, flinkv1beta1.ConditionStalled)).To(Equal(flinkv1beta1.ReasonTransitionAborted))
	g.Expect(conditions.GetMessage(current, flinkv1beta1.ConditionStalled)).To(ContainSubstring("transition deadline"))
	// The ConfigMap names blue active once green no longer runs (TestAdvancedAbortKeepsTheIncomingGateHolding).
	g.Eventually(func(g Gomega) {
		data := gates.read(g).Data
		g.Expect(data).To(HaveKeyWithValue("active-deployment-type", "BLUE"))
		g.Expect(data).To(HaveKeyWithValue("stage", "RUNNING"))
		g.Expect(data).To(HaveKeyWithValue("watermark-stage", "WATERMARK_NOT_SET"))
		g.Expect(data).NotTo(HaveKey("watermark-toggle-value"))
	}, timeout, interval).Should(Succeed())
	g.Expect(child(g, bg, "blue").Status.JobStatus.State).To(Equal(flinkv1beta1.JobStatusRunning))
	g.Expect(child(g, bg, "green").Spec.Job.State).To(Equal(flinkv1beta1.JobStateSuspended))

	// A retry with a longer deadline, with gates that agree, completes.
	update(g, bg, func(b *flinkv1beta1.FlinkBlueGreenDeployment) {
		b.Spec.Configuration["kubernetes.operator.bluegreen.advanced.transition-deadline"] = "1 min"
		b.Annotations = map[string]string{"teal.flink.apache.org/retry": "1"}
	})
	gates.agreeOnW(g, "1700000000000")
	gates.clearToTeardown(g)
	eventuallyIn(g, bg, flinkv1beta1.BlueGreenActiveGreen, status.CurrentStatus)
	g.Eventually(func(g Gomega) { g.Expect(children(g, bg)).To(HaveLen(1)) }, timeout, interval).Should(Succeed())
}

func TestAdvancedStalledAfterWUntilTheGatesClear(t *testing.T) {
	g := NewWithT(t)
	bg := newAdvanced(g, "stuck")
	gates := fakeGate{bg: bg}
	update(g, bg, func(b *flinkv1beta1.FlinkBlueGreenDeployment) { b.Spec.Template.Spec.Image = "flink:1.20.1" })
	gates.agreeOnW(g, "1700000000000")
	g.Eventually(func(g Gomega) { g.Expect(readyReason(g, bg)).To(Equal(flinkv1beta1.ReasonCutOverAtWatermark)) }, timeout, interval).Should(Succeed())

	// The deadline passes after W: aborting would lose records, so the deployment stalls with both children.
	update(g, bg, func(b *flinkv1beta1.FlinkBlueGreenDeployment) {
		b.Spec.Configuration["kubernetes.operator.bluegreen.advanced.transition-deadline"] = "1 ms"
	})
	current := eventuallyIn(g, bg, flinkv1beta1.BlueGreenTransitioningToGreen, status.FailedStatus)
	g.Expect(conditions.GetReason(current, flinkv1beta1.ConditionStalled)).To(Equal(flinkv1beta1.ReasonCutOverStalled))
	g.Expect(children(g, bg)).To(HaveLen(2))
	g.Expect(gates.read(g).Data).To(HaveKeyWithValue("active-deployment-type", "GREEN"))

	// The outgoing watermark passes W at last: the watch on the ConfigMap finishes the transition.
	gates.clearToTeardown(g)
	eventuallyIn(g, bg, flinkv1beta1.BlueGreenActiveGreen, status.CurrentStatus)
	g.Eventually(func(g Gomega) { g.Expect(children(g, bg)).To(HaveLen(1)) }, timeout, interval).Should(Succeed())
}

func TestAdvancedSuspendAndResume(t *testing.T) {
	g := NewWithT(t)
	bg := newAdvanced(g, "pause")
	gates := fakeGate{bg: bg}
	update(g, bg, func(b *flinkv1beta1.FlinkBlueGreenDeployment) {
		b.Spec.Template.Spec.Job.State = flinkv1beta1.JobStateSuspended
	})
	current := eventuallyIn(g, bg, flinkv1beta1.BlueGreenActiveBlue, status.CurrentStatus)
	g.Expect(conditions.GetReason(current, flinkv1beta1.ConditionReady)).To(Equal(flinkv1beta1.ReasonSuspended))
	g.Expect(children(g, bg)).To(HaveLen(1))
	// Suspended in place: the ConfigMap still names blue the sole emitter, so the resumed job emits at once.
	g.Expect(gates.read(g).Data).To(And(HaveKeyWithValue("active-deployment-type", "BLUE"), HaveKeyWithValue("stage", "RUNNING")))

	update(g, bg, func(b *flinkv1beta1.FlinkBlueGreenDeployment) {
		b.Spec.Template.Spec.Job.State = flinkv1beta1.JobStateRunning
	})
	current = eventuallyIn(g, bg, flinkv1beta1.BlueGreenActiveBlue, status.CurrentStatus)
	g.Expect(conditions.GetReason(current, flinkv1beta1.ConditionReady)).To(Equal(flinkv1beta1.ReasonSucceeded))
	g.Expect(gates.read(g).Data).To(And(HaveKeyWithValue("active-deployment-type", "BLUE"), HaveKeyWithValue("stage", "RUNNING")))

	// And the next transition still hands over through the gates.
	update(g, bg, func(b *flinkv1beta1.FlinkBlueGreenDeployment) { b.Spec.Template.Spec.Image = "flink:1.20.1" })
	gates.agreeOnW(g, "1700000000000")
	gates.clearToTeardown(g)
	eventuallyIn(g, bg, flinkv1beta1.BlueGreenActiveGreen, status.CurrentStatus)
}

func TestAdvancedModeChangeBypassingTheWebhookStalls(t *testing.T) {
	g := NewWithT(t)
	bg := newAdvanced(g, "mode")
	// This suite runs without the webhooks: the controller itself refuses the change, and does not revert it.
	update(g, bg, func(b *flinkv1beta1.FlinkBlueGreenDeployment) {
		b.Spec.TransitionMode = flinkv1beta1.TransitionModeBasic
	})
	current := eventuallyIn(g, bg, flinkv1beta1.BlueGreenActiveBlue, status.FailedStatus)
	g.Expect(conditions.GetReason(current, flinkv1beta1.ConditionStalled)).To(Equal(flinkv1beta1.ReasonValidationError))
	g.Expect(conditions.GetMessage(current, flinkv1beta1.ConditionStalled)).To(ContainSubstring("spec.transitionMode"))
	g.Expect(current.Spec.TransitionMode).To(Equal(flinkv1beta1.TransitionModeBasic))
	g.Expect(children(g, bg)).To(HaveLen(1))
}

func TestAdvancedIncomingThatNeverRunsAbortsLosslessly(t *testing.T) {
	g := NewWithT(t)
	bg := newAdvanced(g, "broken", builders.WithBlueGreenConfig("kubernetes.operator.bluegreen.abort.grace-period", "2 s"))
	gates := fakeGate{bg: bg}
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	recorder := &revisionRecorder{}
	recorder.record(g, ctx, bg)
	update(g, bg, func(b *flinkv1beta1.FlinkBlueGreenDeployment) { b.Spec.Template.Spec.Image = brokenImage })
	g.Eventually(func(g Gomega) {
		g.Expect(readyReason(g, bg)).To(Equal(flinkv1beta1.ReasonWaitingForIncomingJob))
	}, timeout, interval).Should(Succeed())

	current := eventuallyIn(g, bg, flinkv1beta1.BlueGreenActiveBlue, status.FailedStatus)
	g.Expect(conditions.GetReason(current, flinkv1beta1.ConditionStalled)).To(Equal(flinkv1beta1.ReasonTransitionAborted))
	g.Eventually(func(g Gomega) {
		data := gates.read(g).Data
		g.Expect(data).To(HaveKeyWithValue("active-deployment-type", "BLUE"))
		g.Expect(data).To(HaveKeyWithValue("stage", "RUNNING"))
		g.Expect(data).To(HaveKeyWithValue("watermark-stage", "WATERMARK_NOT_SET"))
		g.Expect(recorder.lastConfigMap()).To(HaveKeyWithValue("active-deployment-type", "BLUE"))
	}, timeout, interval).Should(Succeed())
	g.Expect(child(g, bg, "green").Spec.Job.State).To(Equal(flinkv1beta1.JobStateSuspended))
	violations, _ := recorder.greenNamedNonActiveWhileRunning()
	g.Expect(violations).To(BeEmpty(), "ConfigMap revisions naming blue active while green still ran")
}

func TestAdvancedConfigMapDeletedByHandIsRecreated(t *testing.T) {
	g := NewWithT(t)
	bg := newAdvanced(g, "lost")
	gates := fakeGate{bg: bg}
	cm := gates.read(g)
	g.Expect(env.Client.Delete(context.Background(), cm)).To(Succeed())
	// Without its ConfigMap a gate holds everything: the watch on it brings it back, naming blue the emitter.
	g.Eventually(func(g Gomega) {
		recreated := gates.read(g)
		g.Expect(recreated.UID).NotTo(Equal(cm.UID))
		g.Expect(recreated.Data).To(HaveKeyWithValue("active-deployment-type", "BLUE"))
		g.Expect(recreated.Data).To(HaveKeyWithValue("stage", "RUNNING"))
		g.Expect(recreated.OwnerReferences).To(ContainElement(HaveField("UID", get(g, bg).UID)))
	}, timeout, interval).Should(Succeed())
}
