package bluegreen_test

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/fluxcd/pkg/runtime/conditions"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/watch"
	"sigs.k8s.io/cli-utils/pkg/kstatus/status"
	"sigs.k8s.io/controller-runtime/pkg/client"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
	"github.com/teal-flink/teal/controllers/bluegreen"
	"github.com/teal-flink/teal/test/builders"
)

// revision is one version of the coordination ConfigMap or of the green child, as a watch delivered it.
type revision struct {
	resourceVersion int64
	// configMap is the ConfigMap's data (nil for a revision of the green child).
	configMap map[string]string
	// greenStopped: the green child is gone, or its latest generation is suspended or its job finished (for a
	// revision of the green child).
	greenStopped bool
}

// revisionRecorder is the fake gate's view of the ConfigMap with the green child's state next to it: every
// revision of both, ordered by resourceVersion (one etcd behind envtest orders them all).
type revisionRecorder struct {
	mu        sync.Mutex
	revisions []revision
}

// record watches the ConfigMap and the green child of bg until ctx ends. A watch without a resourceVersion
// starts with the objects as they are, so the recorder knows green's state before the first ConfigMap revision.
func (r *revisionRecorder) record(g Gomega, ctx context.Context, bg *flinkv1beta1.FlinkBlueGreenDeployment) {
	watcher, err := client.NewWithWatch(env.Config, client.Options{Scheme: env.Scheme})
	g.Expect(err).NotTo(HaveOccurred())
	configMaps, err := watcher.Watch(ctx, &corev1.ConfigMapList{}, client.InNamespace(bg.Namespace),
		client.MatchingFields{"metadata.name": bg.Name + "-configmap"})
	g.Expect(err).NotTo(HaveOccurred())
	children, err := watcher.Watch(ctx, &flinkv1beta1.FlinkDeploymentList{}, client.InNamespace(bg.Namespace),
		client.MatchingFields{"metadata.name": bg.Name + "-green"})
	g.Expect(err).NotTo(HaveOccurred())
	add := func(object client.Object, rev revision) {
		rv, err := strconv.ParseInt(object.GetResourceVersion(), 10, 64)
		if err != nil {
			return
		}
		rev.resourceVersion = rv
		r.mu.Lock()
		defer r.mu.Unlock()
		r.revisions = append(r.revisions, rev)
	}
	go func() {
		defer configMaps.Stop()
		defer children.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case e, ok := <-configMaps.ResultChan():
				if !ok {
					return
				}
				if cm, isConfigMap := e.Object.(*corev1.ConfigMap); isConfigMap && e.Type != watch.Deleted {
					data := map[string]string{}
					for key, value := range cm.Data {
						data[key] = value
					}
					add(cm, revision{configMap: data})
				}
			case e, ok := <-children.ResultChan():
				if !ok {
					return
				}
				if fd, isChild := e.Object.(*flinkv1beta1.FlinkDeployment); isChild {
					stopped := e.Type == watch.Deleted || fd.Status.JobStatus.State == flinkv1beta1.JobStatusFinished ||
						(fd.Status.ObservedGeneration == fd.Generation && fd.Status.LifecycleState == flinkv1beta1.LifecycleStateSuspended)
					add(fd, revision{greenStopped: stopped})
				}
			}
		}
	}()
}

// lastConfigMap is the data of the newest ConfigMap revision recorded (nil before the first).
func (r *revisionRecorder) lastConfigMap() map[string]string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var last revision
	for _, rev := range r.revisions {
		if rev.configMap != nil && rev.resourceVersion > last.resourceVersion {
			last = rev
		}
	}
	return last.configMap
}

// stages is the sequence of ConfigMap stages recorded, in resourceVersion order, repeats folded.
func (r *revisionRecorder) stages() []string {
	r.mu.Lock()
	revisions := append([]revision(nil), r.revisions...)
	r.mu.Unlock()
	sort.SliceStable(revisions, func(i, j int) bool { return revisions[i].resourceVersion < revisions[j].resourceVersion })
	stages := []string{}
	for _, rev := range revisions {
		if rev.configMap == nil {
			continue
		}
		if stage := rev.configMap["stage"]; len(stages) == 0 || stages[len(stages)-1] != stage {
			stages = append(stages, stage)
		}
	}
	return stages
}

// greenNamedNonActiveWhileRunning lists the ConfigMap revisions that name a colour other than green active
// while the green child existed and had not stopped: to green's gate, still running, such a ConfigMap makes it
// an outgoing gate without W, which emits what blue emits too.
func (r *revisionRecorder) greenNamedNonActiveWhileRunning() (violations []string, configMapRevisions int) {
	r.mu.Lock()
	revisions := append([]revision(nil), r.revisions...)
	r.mu.Unlock()
	sort.SliceStable(revisions, func(i, j int) bool { return revisions[i].resourceVersion < revisions[j].resourceVersion })
	greenRuns := false
	for _, rev := range revisions {
		if rev.configMap == nil {
			greenRuns = !rev.greenStopped
			continue
		}
		configMapRevisions++
		if greenRuns && rev.configMap["active-deployment-type"] != "GREEN" && rev.configMap["watermark-toggle-value"] == "" {
			violations = append(violations, fmt.Sprintf("rv %d: %v", rev.resourceVersion, rev.configMap))
		}
	}
	return violations, configMapRevisions
}

// TestAdvancedAbortKeepsTheIncomingGateHolding pins the order of an ADVANCED abort: the ConfigMap never names
// blue active (without W) while green still runs, so green's gate never turns into an outgoing gate that emits
// next to blue; it does so once green is suspended.
func TestAdvancedAbortKeepsTheIncomingGateHolding(t *testing.T) {
	g := NewWithT(t)
	bg := newAdvanced(g, "abortorder", builders.WithBlueGreenConfig("kubernetes.operator.bluegreen.advanced.transition-deadline", "2 s"))
	gates := fakeGate{bg: bg}
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	recorder := &revisionRecorder{}
	recorder.record(g, ctx, bg)

	update(g, bg, func(b *flinkv1beta1.FlinkBlueGreenDeployment) { b.Spec.Template.Spec.Image = "flink:1.20.1" })
	// No gate agrees on W: the deadline aborts back to blue.
	current := eventuallyIn(g, bg, flinkv1beta1.BlueGreenActiveBlue, status.FailedStatus)
	g.Expect(conditions.GetReason(current, flinkv1beta1.ConditionStalled)).To(Equal(flinkv1beta1.ReasonTransitionAborted))
	g.Eventually(func(g Gomega) {
		data := gates.read(g).Data
		g.Expect(data).To(HaveKeyWithValue("active-deployment-type", "BLUE"))
		g.Expect(data).To(HaveKeyWithValue("stage", "RUNNING"))
		g.Expect(data).To(HaveKeyWithValue("watermark-stage", "WATERMARK_NOT_SET"))
		g.Expect(data).NotTo(HaveKey("watermark-toggle-value"))
		// The recorder saw the ConfigMap settle on blue too, so its timeline covers the whole abort.
		g.Expect(recorder.lastConfigMap()).To(And(HaveKeyWithValue("active-deployment-type", "BLUE"), HaveKeyWithValue("stage", "RUNNING")))
	}, timeout, interval).Should(Succeed())
	green := child(g, bg, "green")
	violations, configMapRevisions := recorder.greenNamedNonActiveWhileRunning()
	g.Expect(violations).To(BeEmpty(), "ConfigMap revisions naming blue active while green still ran")
	// Blue (RUNNING), INITIALIZING, TRANSITIONING, the abort's INITIALIZING, settled on blue.
	g.Expect(configMapRevisions).To(BeNumerically(">=", 5))
	g.Expect(green.Spec.Job.State).To(Equal(flinkv1beta1.JobStateSuspended))
	// Green's job stopped before blue was named active: suspended, or finished by the suspend's savepoint.
	g.Expect([]string{string(green.Status.LifecycleState), string(green.Status.JobStatus.State)}).To(
		ContainElement(BeElementOf(string(flinkv1beta1.LifecycleStateSuspended), string(flinkv1beta1.JobStatusFinished))))
}

// TestOperatorKilledMidAdvancedAbort stops the operator right after each step of an ADVANCED deadline abort,
// before ACTIVE_BLUE is recorded, then starts a fresh one: it must abort again (never write TRANSITIONING again,
// where the gates would agree on W), and no ConfigMap revision may name blue active while green still runs.
func TestOperatorKilledMidAdvancedAbort(t *testing.T) {
	steps := []struct {
		step       string
		occurrence int32
	}{
		{"WriteGate(INITIALIZING)", 2}, // the abort's first write (the first is the transition's preparation)
		{"SuspendChild(GREEN)", 1},
	}
	NewWithT(t).Expect(stk.Operator.Stop()).To(Succeed())
	defer func() {
		var err error
		stk.Operator, err = startOperator()
		NewWithT(t).Expect(err).NotTo(HaveOccurred())
	}()
	for _, kill := range steps {
		t.Run(kill.step, func(t *testing.T) {
			g := NewWithT(t)
			first, err := startOperator()
			g.Expect(err).NotTo(HaveOccurred())
			bg := newAdvanced(g, "abortcrash", builders.WithBlueGreenConfig("kubernetes.operator.bluegreen.advanced.transition-deadline", "2 s"))
			g.Expect(first.Stop()).To(Succeed())
			ctx, stop := context.WithCancel(context.Background())
			defer stop()
			recorder := &revisionRecorder{}
			recorder.record(g, ctx, bg)

			killed := make(chan struct{})
			var seen atomic.Int32
			dying, err := startInstrumentedOperator(func(r *bluegreen.Reconciler) {
				r.OnStep = func(ctx context.Context, b *flinkv1beta1.FlinkBlueGreenDeployment, at string) {
					if b.Namespace == bg.Namespace && at == kill.step && seen.Add(1) == kill.occurrence {
						close(killed)
						<-ctx.Done() // the process hangs here until it is killed
					}
				}
			})
			g.Expect(err).NotTo(HaveOccurred())
			update(g, bg, func(b *flinkv1beta1.FlinkBlueGreenDeployment) { b.Spec.Template.Spec.Image = "flink:1.20.1" })
			g.Eventually(killed, timeout).Should(BeClosed())
			g.Expect(dying.Stop()).To(Succeed())
			g.Expect(get(g, bg).Status.BlueGreenState).To(Equal(flinkv1beta1.BlueGreenTransitioningToGreen), "killed before ACTIVE_BLUE was recorded")

			fresh, err := startOperator()
			g.Expect(err).NotTo(HaveOccurred())
			defer func() { g.Expect(fresh.Stop()).To(Succeed()) }()
			current := eventuallyIn(g, bg, flinkv1beta1.BlueGreenActiveBlue, status.FailedStatus)
			g.Expect(conditions.GetReason(current, flinkv1beta1.ConditionStalled)).To(Equal(flinkv1beta1.ReasonTransitionAborted))
			g.Eventually(func(g Gomega) {
				g.Expect(recorder.lastConfigMap()).To(And(HaveKeyWithValue("active-deployment-type", "BLUE"), HaveKeyWithValue("stage", "RUNNING")))
			}, timeout, interval).Should(Succeed())
			g.Expect(child(g, bg, "green").Spec.Job.State).To(Equal(flinkv1beta1.JobStateSuspended))

			violations, _ := recorder.greenNamedNonActiveWhileRunning()
			g.Expect(violations).To(BeEmpty(), "ConfigMap revisions naming blue active while green still ran")
			g.Expect(recorder.stages()).To(Equal([]string{"RUNNING", "INITIALIZING", "TRANSITIONING", "INITIALIZING", "RUNNING"}),
				"after the abort's INITIALIZING the ConfigMap never goes back to TRANSITIONING")
		})
	}
}
