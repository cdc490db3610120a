package bluegreen_test

import (
	"context"
	"testing"

	"github.com/fluxcd/pkg/runtime/conditions"
	. "github.com/onsi/gomega"
	networkingv1 "k8s.io/api/networking/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"sigs.k8s.io/cli-utils/pkg/kstatus/status"
	"sigs.k8s.io/controller-runtime/pkg/client"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
	"github.com/teal-flink/teal/controllers/bluegreen"
	"github.com/teal-flink/teal/internal/flink"
	"github.com/teal-flink/teal/test/builders"
	"github.com/teal-flink/teal/test/sim/flinkstandin"
)

func TestBasicDeployment(t *testing.T) {
	g := NewWithT(t)
	bg := newBlueGreen(g, "basic", []builders.DeploymentOption{builders.WithUpgradeMode(flinkv1beta1.UpgradeModeSavepoint)},
		builders.WithBlueGreenIngress("{{name}}.flink.example.com"))
	current := eventuallyIn(g, bg, flinkv1beta1.BlueGreenActiveBlue, status.CurrentStatus)
	g.Expect(current.Status.ActiveDeployment).To(Equal("basic-blue"))
	g.Expect(current.Status.JobStatus.State).To(Equal(flinkv1beta1.JobStatusRunning))
	g.Expect(conditions.GetReason(current, flinkv1beta1.ConditionReady)).To(Equal(flinkv1beta1.ReasonSucceeded))
	g.Expect(current.Status.LastReconciledSpec).To(HavePrefix(`{"spec":{`))

	all := children(g, bg)
	g.Expect(all).To(HaveLen(1))
	blue := all["basic-blue"]
	g.Expect(blue).NotTo(BeNil())
	g.Expect(blue.Labels).To(HaveKeyWithValue(flinkv1beta1.LabelBlueGreenDeploymentType, "BLUE"))
	g.Expect(blue.OwnerReferences).To(ContainElement(HaveField("UID", current.UID)))

	ingress := &networkingv1.Ingress{}
	g.Expect(env.Client.Get(context.Background(), client.ObjectKey{Namespace: bg.Namespace, Name: "basic"}, ingress)).To(Succeed())
	g.Expect(ingress.Spec.Rules[0].HTTP.Paths[0].Backend.Service.Name).To(Equal("basic-blue-rest"))
}

func TestFirstDeploymentFromInitialSavepoint(t *testing.T) {
	g := NewWithT(t)
	bg := newBlueGreen(g, "initial", []builders.DeploymentOption{builders.WithUpgradeMode(flinkv1beta1.UpgradeModeSavepoint)})
	g.Eventually(func(g Gomega) {
		g.Expect(get(g, bg).Status.BlueGreenState).To(Equal(flinkv1beta1.BlueGreenActiveBlue))
	}, timeout, interval).Should(Succeed())
	// The template's initialSavepointPath reaches the first child.
	namespace := newNamespace(g)
	template := []builders.DeploymentOption{builders.InNamespace(namespace), builders.WithConfig(stateConfig(namespace)...),
		builders.WithInitialSavepoint("file:///savepoints/savepoint-000000-000000000000")}
	withPath := builders.NewFlinkBlueGreenDeployment("withpath", template)
	g.Expect(env.Client.Create(context.Background(), withPath)).To(Succeed())
	g.Eventually(func(g Gomega) {
		g.Expect(child(g, withPath, "blue").Spec.Job.InitialSavepointPath).To(Equal("file:///savepoints/savepoint-000000-000000000000"))
	}, timeout, interval).Should(Succeed())
}

// transition changes the image and waits for ACTIVE_GREEN; it returns the deployment and blue's checkpoint
// counter just before.
func transition(g Gomega, bg *flinkv1beta1.FlinkBlueGreenDeployment) (*flinkv1beta1.FlinkBlueGreenDeployment, int64) {
	server, jobID := job(g, bg.Namespace, bg.Name+"-blue")
	checkpoint(g, server.URL(), jobID)
	counter, _ := server.CheckpointCounter(jobID)
	update(g, bg, func(b *flinkv1beta1.FlinkBlueGreenDeployment) { b.Spec.Template.Spec.Image = "flink:1.20.1" })
	return eventuallyIn(g, bg, flinkv1beta1.BlueGreenActiveGreen, status.CurrentStatus), counter
}

func checkpoint(g Gomega, url, jobID string) {
	ctx := context.Background()
	c, err := flink.New(url, flink.Options{})
	g.Expect(err).NotTo(HaveOccurred())
	triggerID, err := c.TriggerCheckpoint(ctx, jobID, flink.CheckpointRequest{})
	g.Expect(err).NotTo(HaveOccurred())
	g.Eventually(func(g Gomega) {
		result, err := c.CheckpointStatus(ctx, jobID, triggerID)
		g.Expect(err).NotTo(HaveOccurred())
		g.Expect(result.Done()).To(BeTrue())
	}, timeout, interval).Should(Succeed())
}

func TestTransitionUpgradeModes(t *testing.T) {
	for _, mode := range []flinkv1beta1.UpgradeMode{flinkv1beta1.UpgradeModeSavepoint, flinkv1beta1.UpgradeModeLastState, flinkv1beta1.UpgradeModeStateless} {
		t.Run(string(mode), func(t *testing.T) {
			g := NewWithT(t)
			bg := newBlueGreen(g, "modes", []builders.DeploymentOption{builders.WithUpgradeMode(mode)},
				builders.WithBlueGreenIngress("{{name}}.flink.example.com"))
			eventuallyIn(g, bg, flinkv1beta1.BlueGreenActiveBlue, status.CurrentStatus)
			current, blueCounter := transition(g, bg)

			g.Expect(current.Status.ActiveDeployment).To(Equal("modes-green"))
			g.Eventually(func(g Gomega) { g.Expect(children(g, bg)).To(HaveLen(1)) }, timeout, interval).Should(Succeed())
			green := child(g, bg, "green")
			g.Expect(green.Spec.Image).To(Equal("flink:1.20.1"))
			g.Expect(green.Labels).To(HaveKeyWithValue(flinkv1beta1.LabelBlueGreenDeploymentType, "GREEN"))
			server, jobID := job(g, bg.Namespace, "modes-green")
			greenCounter, _ := server.CheckpointCounter(jobID)
			if mode == flinkv1beta1.UpgradeModeStateless {
				g.Expect(green.Spec.Job.InitialSavepointPath).To(BeEmpty())
				g.Expect(server.RestoredFrom(jobID)).To(BeEmpty())
			} else {
				g.Expect(green.Spec.Job.InitialSavepointPath).NotTo(BeEmpty())
				g.Expect(green.Spec.Job.InitialSavepointPath).To(Equal(current.Status.JobStatus.UpgradeSavepointPath))
				g.Expect(server.RestoredFrom(jobID)).To(Equal(green.Spec.Job.InitialSavepointPath), "green restored from blue's savepoint")
				g.Expect(greenCounter).To(BeNumerically(">", blueCounter), "the checkpoint counter continues")
			}
			ingress := &networkingv1.Ingress{}
			g.Expect(env.Client.Get(context.Background(), client.ObjectKey{Namespace: bg.Namespace, Name: "modes"}, ingress)).To(Succeed())
			g.Expect(ingress.Spec.Rules[0].HTTP.Paths[0].Backend.Service.Name).To(Equal("modes-green-rest"))

			// And back to blue.
			update(g, bg, func(b *flinkv1beta1.FlinkBlueGreenDeployment) { b.Spec.Template.Spec.Job.Parallelism = 1 })
			back := eventuallyIn(g, bg, flinkv1beta1.BlueGreenActiveBlue, status.CurrentStatus)
			g.Expect(back.Status.ActiveDeployment).To(Equal("modes-blue"))
		})
	}
}

func TestSavepointRedeployNonce(t *testing.T) {
	g := NewWithT(t)
	bg := newBlueGreen(g, "redeploy", []builders.DeploymentOption{builders.WithUpgradeMode(flinkv1beta1.UpgradeModeSavepoint)})
	eventuallyIn(g, bg, flinkv1beta1.BlueGreenActiveBlue, status.CurrentStatus)
	server, jobID := job(g, bg.Namespace, "redeploy-blue")
	// A savepoint the user took, to redeploy from.
	ctx := context.Background()
	c := mustClient(g, server.URL())
	triggerID, err := c.TriggerSavepoint(ctx, jobID, flink.SavepointRequest{TargetDirectory: stateConfig(bg.Namespace)[1]})
	g.Expect(err).NotTo(HaveOccurred())
	path := ""
	g.Eventually(func(g Gomega) {
		result, err := c.SavepointStatus(ctx, jobID, triggerID)
		g.Expect(err).NotTo(HaveOccurred())
		g.Expect(result.Done()).To(BeTrue())
		path = result.Location
	}, timeout, interval).Should(Succeed())
	nonce := int64(1)
	update(g, bg, func(b *flinkv1beta1.FlinkBlueGreenDeployment) {
		b.Spec.Template.Spec.Job.SavepointRedeployNonce = &nonce
		b.Spec.Template.Spec.Job.InitialSavepointPath = path
	})
	eventuallyIn(g, bg, flinkv1beta1.BlueGreenActiveGreen, status.CurrentStatus)
	g.Expect(child(g, bg, "green").Spec.Job.InitialSavepointPath).To(Equal(path))
	greenServer, greenJob := job(g, bg.Namespace, "redeploy-green")
	g.Expect(greenServer.RestoredFrom(greenJob)).To(Equal(path))
}

func mustClient(g Gomega, url string) *flink.Client {
	c, err := flink.New(url, flink.Options{})
	g.Expect(err).NotTo(HaveOccurred())
	return c
}

func TestSuspendAndResumeInPlace(t *testing.T) {
	g := NewWithT(t)
	bg := newBlueGreen(g, "suspend", nil)
	eventuallyIn(g, bg, flinkv1beta1.BlueGreenActiveBlue, status.CurrentStatus)
	update(g, bg, func(b *flinkv1beta1.FlinkBlueGreenDeployment) {
		b.Spec.Template.Spec.Job.State = flinkv1beta1.JobStateSuspended
		b.Spec.Template.Spec.Job.Parallelism = 1
	})
	current := eventuallyIn(g, bg, flinkv1beta1.BlueGreenActiveBlue, status.CurrentStatus)
	g.Expect(current.Status.JobStatus.State).To(Equal(flinkv1beta1.JobStatusSuspended))
	g.Expect(conditions.GetReason(current, flinkv1beta1.ConditionReady)).To(Equal(flinkv1beta1.ReasonSuspended))
	g.Expect(children(g, bg)).To(HaveLen(1))
	blue := child(g, bg, "blue")
	g.Expect(blue.Spec.Job.State).To(Equal(flinkv1beta1.JobStateSuspended))
	g.Expect(blue.Spec.Job.Parallelism).To(BeEquivalentTo(1))

	update(g, bg, func(b *flinkv1beta1.FlinkBlueGreenDeployment) {
		b.Spec.Template.Spec.Job.State = flinkv1beta1.JobStateRunning
		b.Spec.Template.Spec.Job.Parallelism = 2
	})
	current = eventuallyIn(g, bg, flinkv1beta1.BlueGreenActiveBlue, status.CurrentStatus)
	g.Expect(current.Status.JobStatus.State).To(Equal(flinkv1beta1.JobStatusRunning))
	g.Expect(children(g, bg)).To(HaveLen(1))
	g.Expect(child(g, bg, "blue").Spec.Job.Parallelism).To(BeEquivalentTo(2))
}

func TestSuspendDuringTransitionIsDeferred(t *testing.T) {
	g := NewWithT(t)
	bg := newBlueGreen(g, "deferred", nil,
		builders.WithBlueGreenConfig("kubernetes.operator.bluegreen.deployment-deletion.delay", "2 s"))
	eventuallyIn(g, bg, flinkv1beta1.BlueGreenActiveBlue, status.CurrentStatus)
	update(g, bg, func(b *flinkv1beta1.FlinkBlueGreenDeployment) { b.Spec.Template.Spec.Job.Parallelism = 1 })
	g.Eventually(func(g Gomega) {
		g.Expect(get(g, bg).Status.BlueGreenState).To(Equal(flinkv1beta1.BlueGreenTransitioningToGreen))
	}, timeout, interval).Should(Succeed())
	update(g, bg, func(b *flinkv1beta1.FlinkBlueGreenDeployment) {
		b.Spec.Template.Spec.Job.State = flinkv1beta1.JobStateSuspended
	})
	g.Consistently(func(g Gomega) {
		current := get(g, bg)
		if current.Status.BlueGreenState == flinkv1beta1.BlueGreenTransitioningToGreen {
			g.Expect(child(g, bg, "green").Spec.Job.State).NotTo(Equal(flinkv1beta1.JobStateSuspended))
		}
	}, "500ms", interval).Should(Succeed())
	current := eventuallyIn(g, bg, flinkv1beta1.BlueGreenActiveGreen, status.CurrentStatus)
	g.Expect(current.Status.JobStatus.State).To(Equal(flinkv1beta1.JobStatusSuspended))
	g.Expect(child(g, bg, "green").Spec.Job.State).To(Equal(flinkv1beta1.JobStateSuspended))
	g.Eventually(func(g Gomega) { g.Expect(children(g, bg)).To(HaveLen(1)) }, timeout, interval).Should(Succeed())
}

func TestFailureDuringTransitionAbortsThenALaterChangeSucceeds(t *testing.T) {
	g := NewWithT(t)
	bg := newBlueGreen(g, "abort", nil, builders.WithBlueGreenConfig("kubernetes.operator.bluegreen.abort.grace-period", "3 s"))
	eventuallyIn(g, bg, flinkv1beta1.BlueGreenActiveBlue, status.CurrentStatus)
	update(g, bg, func(b *flinkv1beta1.FlinkBlueGreenDeployment) { b.Spec.Template.Spec.Image = brokenImage })

	current := eventuallyIn(g, bg, flinkv1beta1.BlueGreenActiveBlue, status.FailedStatus)
	g.Expect(conditions.GetReason(current, flinkv1beta1.ConditionStalled)).To(Equal(flinkv1beta1.ReasonTransitionAborted))
	g.Expect(conditions.IsFalse(current, flinkv1beta1.ConditionReady)).To(BeTrue())
	g.Expect(current.Status.JobStatus.State).To(Equal(flinkv1beta1.JobStatusFailing))
	g.Expect(current.Status.Error).To(ContainSubstring("aborting the green child"))
	g.Expect(current.Status.ActiveDeployment).To(Equal("abort-blue"))
	g.Expect(current.Status.DeploymentReadyTimestamp).To(Equal("1970-01-01T00:00:00Z"), "the ready timestamp is reset")
	g.Expect(child(g, bg, "green").Spec.Job.State).To(Equal(flinkv1beta1.JobStateSuspended))
	g.Expect(runtime.Cluster(bg.Namespace, "abort-blue")).NotTo(BeNil(), "blue keeps serving")
	g.Expect(child(g, bg, "blue").Status.JobStatus.State).To(Equal(flinkv1beta1.JobStatusRunning))
	events := &eventsList{}
	g.Expect(events.reasons(g, bg)).To(ContainElement(flinkv1beta1.ReasonTransitionAborted))

	// The fix commit starts over and succeeds (with a grace period a slow machine cannot exceed).
	update(g, bg, func(b *flinkv1beta1.FlinkBlueGreenDeployment) {
		b.Spec.Template.Spec.Image = "flink:1.20.2"
		b.Spec.Configuration["kubernetes.operator.bluegreen.abort.grace-period"] = "1 min"
	})
	current = eventuallyIn(g, bg, flinkv1beta1.BlueGreenActiveGreen, status.CurrentStatus)
	g.Expect(current.Status.Error).To(BeEmpty())
	g.Expect(child(g, bg, "green").Spec.Image).To(Equal("flink:1.20.2"))
}

func TestRetryAnnotationReattemptsAnAbortedTransition(t *testing.T) {
	g := NewWithT(t)
	bg := newBlueGreen(g, "retry", nil, builders.WithBlueGreenConfig("kubernetes.operator.bluegreen.abort.grace-period", "2 s"))
	eventuallyIn(g, bg, flinkv1beta1.BlueGreenActiveBlue, status.CurrentStatus)
	update(g, bg, func(b *flinkv1beta1.FlinkBlueGreenDeployment) { b.Spec.Template.Spec.Image = brokenImage })
	eventuallyIn(g, bg, flinkv1beta1.BlueGreenActiveBlue, status.FailedStatus)
	update(g, bg, func(b *flinkv1beta1.FlinkBlueGreenDeployment) {
		if b.Annotations == nil {
			b.Annotations = map[string]string{}
		}
		b.Annotations[bluegreen.RetryAnnotation] = "1"
	})
	g.Eventually(func(g Gomega) {
		current := get(g, bg)
		g.Expect(current.Annotations).NotTo(HaveKey(bluegreen.RetryAnnotation))
		g.Expect(conditions.IsTrue(current, flinkv1beta1.ConditionReconciling)).To(BeTrue())
		g.Expect(conditions.Has(current, flinkv1beta1.ConditionStalled)).To(BeFalse())
	}, timeout, interval).Should(Succeed())
	// Still broken: aborted again after the grace period.
	eventuallyIn(g, bg, flinkv1beta1.BlueGreenActiveBlue, status.FailedStatus)
}

func TestFailureBeforeFirstDeployment(t *testing.T) {
	g := NewWithT(t)
	bg := newBlueGreen(g, "firstfail", []builders.DeploymentOption{builders.WithImage(brokenImage)},
		builders.WithBlueGreenConfig("kubernetes.operator.bluegreen.abort.grace-period", "2 s"))
	current := eventuallyIn(g, bg, flinkv1beta1.BlueGreenInitializingBlue, status.FailedStatus)
	g.Expect(conditions.GetReason(current, flinkv1beta1.ConditionStalled)).To(Equal(flinkv1beta1.ReasonTransitionAborted))
	g.Expect(child(g, bg, "blue").Spec.Job.State).To(Equal(flinkv1beta1.JobStateSuspended))
	update(g, bg, func(b *flinkv1beta1.FlinkBlueGreenDeployment) {
		b.Spec.Template.Spec.Image = "flink:1.20"
		b.Spec.Configuration["kubernetes.operator.bluegreen.abort.grace-period"] = "1 min"
	})
	current = eventuallyIn(g, bg, flinkv1beta1.BlueGreenActiveBlue, status.CurrentStatus)
	g.Expect(current.Status.ActiveDeployment).To(Equal("firstfail-blue"))
}

func TestPatchChild(t *testing.T) {
	cases := []struct {
		name   string
		change func(*flinkv1beta1.FlinkBlueGreenDeployment)
		check  func(g Gomega, blue *flinkv1beta1.FlinkDeployment)
	}{
		{"child only", func(b *flinkv1beta1.FlinkBlueGreenDeployment) {
			b.Spec.Template.Spec.Job.UpgradeMode = flinkv1beta1.UpgradeModeLastState
		}, func(g Gomega, blue *flinkv1beta1.FlinkDeployment) {
			g.Expect(blue.Spec.Job.UpgradeMode).To(Equal(flinkv1beta1.UpgradeModeLastState))
		}},
		{"top-level only", func(b *flinkv1beta1.FlinkBlueGreenDeployment) {
			b.Spec.Configuration["kubernetes.operator.bluegreen.deployment-deletion.delay"] = "1 s"
		}, nil},
		{"both", func(b *flinkv1beta1.FlinkBlueGreenDeployment) {
			b.Spec.Configuration["kubernetes.operator.bluegreen.deployment-deletion.delay"] = "1 s"
			v := true
			b.Spec.Template.Spec.Job.AllowNonRestoredState = &v
		}, func(g Gomega, blue *flinkv1beta1.FlinkDeployment) {
			g.Expect(blue.Spec.Job.AllowNonRestoredState).To(HaveValue(BeTrue()))
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			g := NewWithT(t)
			bg := newBlueGreen(g, "patch", nil)
			eventuallyIn(g, bg, flinkv1beta1.BlueGreenActiveBlue, status.CurrentStatus)
			starts := runtime.Starts(bg.Namespace, "patch-blue")
			update(g, bg, tc.change)
			current := eventuallyIn(g, bg, flinkv1beta1.BlueGreenActiveBlue, status.CurrentStatus)
			g.Expect(current.Generation).To(BeEquivalentTo(2))
			g.Expect(current.Status.LastReconciledSpec).To(ContainSubstring(`"kubernetes.operator.bluegreen.abort.grace-period"`))
			g.Expect(children(g, bg)).To(HaveLen(1), "no transition")
			if tc.check != nil {
				tc.check(g, child(g, bg, "blue"))
			}
			g.Expect(runtime.Starts(bg.Namespace, "patch-blue")).To(Equal(starts), "the job was not restarted")
		})
	}
}

func TestSavepointFailuresAreRetried(t *testing.T) {
	for _, fault := range []string{"trigger", "fetch"} {
		t.Run(fault, func(t *testing.T) {
			g := NewWithT(t)
			bg := newBlueGreen(g, "spfail", []builders.DeploymentOption{builders.WithUpgradeMode(flinkv1beta1.UpgradeModeSavepoint)})
			eventuallyIn(g, bg, flinkv1beta1.BlueGreenActiveBlue, status.CurrentStatus)
			server, _ := job(g, bg.Namespace, "spfail-blue")
			if fault == "trigger" {
				server.SetFaults(flinkstandin.Faults{SavepointFailure: "disk full"})
			} else {
				server.SetFaults(flinkstandin.Faults{RESTStatus: 503})
			}
			update(g, bg, func(b *flinkv1beta1.FlinkBlueGreenDeployment) { b.Spec.Template.Spec.Image = "flink:1.20.1" })
			g.Eventually(func(g Gomega) {
				current := get(g, bg)
				g.Expect(current.Status.BlueGreenState).To(Equal(flinkv1beta1.BlueGreenSavepointingBlue))
				g.Expect(conditions.GetReason(current, flinkv1beta1.ConditionReconciling)).To(Equal(flinkv1beta1.ReasonRetrying))
				g.Expect(kstatus(g, current)).To(Equal(status.InProgressStatus))
			}, timeout, interval).Should(Succeed())
			server.SetFaults(flinkstandin.Faults{})
			eventuallyIn(g, bg, flinkv1beta1.BlueGreenActiveGreen, status.CurrentStatus)
		})
	}
}

func TestSavepointDeadlineStalls(t *testing.T) {
	g := NewWithT(t)
	bg := newBlueGreen(g, "spdeadline", []builders.DeploymentOption{builders.WithUpgradeMode(flinkv1beta1.UpgradeModeSavepoint)},
		builders.WithBlueGreenConfig("kubernetes.operator.bluegreen.abort.grace-period", "2 s"))
	eventuallyIn(g, bg, flinkv1beta1.BlueGreenActiveBlue, status.CurrentStatus)
	server, _ := job(g, bg.Namespace, "spdeadline-blue")
	server.SetFaults(flinkstandin.Faults{SavepointNeverCompletes: true})
	defer server.SetFaults(flinkstandin.Faults{})
	update(g, bg, func(b *flinkv1beta1.FlinkBlueGreenDeployment) { b.Spec.Template.Spec.Image = "flink:1.20.1" })
	current := eventuallyIn(g, bg, flinkv1beta1.BlueGreenActiveBlue, status.FailedStatus)
	g.Expect(conditions.GetReason(current, flinkv1beta1.ConditionStalled)).To(Equal(flinkv1beta1.ReasonSavepointFailed))
	g.Expect(children(g, bg)).To(HaveLen(1))
}

func TestIngressOnlyWhenConfigured(t *testing.T) {
	g := NewWithT(t)
	bg := newBlueGreen(g, "noingress", nil)
	eventuallyIn(g, bg, flinkv1beta1.BlueGreenActiveBlue, status.CurrentStatus)
	ingress := &networkingv1.Ingress{}
	key := client.ObjectKey{Namespace: bg.Namespace, Name: "noingress"}
	g.Expect(apierrors.IsNotFound(env.Client.Get(context.Background(), key, ingress))).To(BeTrue())
	// An ingress-only change is applied and observed.
	update(g, bg, func(b *flinkv1beta1.FlinkBlueGreenDeployment) {
		b.Spec.Ingress = &flinkv1beta1.IngressSpec{Template: "{{name}}.example.com"}
	})
	eventuallyIn(g, bg, flinkv1beta1.BlueGreenActiveBlue, status.CurrentStatus)
	g.Expect(env.Client.Get(context.Background(), key, ingress)).To(Succeed())
	g.Expect(ingress.Spec.Rules[0].Host).To(Equal("noingress.example.com"))
	g.Expect(children(g, bg)).To(HaveLen(1))
}
