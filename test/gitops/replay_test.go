package gitops

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"testing"
	"time"

	. "github.com/onsi/gomega"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	k8sruntime "k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/cli-utils/pkg/kstatus/status"
	"sigs.k8s.io/controller-runtime/pkg/client"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
	"github.com/teal-flink/teal/test/builders"
	"github.com/teal-flink/teal/test/testenv"
)

// record starts a Recorder on namespace for the test; replay (below) judges what it saw.
func record(t *testing.T, g Gomega, namespace string) *Recorder {
	recorder, err := Record(env.Config, namespace)
	g.Expect(err).NotTo(HaveOccurred())
	t.Cleanup(recorder.Stop)
	return recorder
}

// expectContractKept stops the recorder, replays every version and fails with each violation. It logs how
// many versions were judged, what the tools concluded and the first-write windows.
func expectContractKept(t *testing.T, g Gomega, recorder *Recorder) Report {
	caughtUp(g, recorder)
	recorder.Stop()
	versions, errs := recorder.Versions()
	g.Expect(errs).To(BeEmpty())
	report := Replay(versions)
	t.Logf("replayed %d stored versions: %s", len(versions), summarize(report))
	for key, window := range report.FirstWrite {
		t.Logf("first status write of %s: %s after its creation was delivered", key, window)
	}
	for situation, count := range situations(report) {
		t.Logf("FlinkDeployment version: %s ×%d", situation, count)
	}
	var lines []string
	for _, violation := range report.Violations {
		lines = append(lines, violation.String())
	}
	g.Expect(lines).To(BeEmpty(), "the contract is broken by these stored versions:\n%s", strings.Join(lines, "\n"))
	return report
}

// caughtUp waits until the recorder has received the stored version of every object of its namespace.
func caughtUp(g Gomega, recorder *Recorder) {
	g.Eventually(func() (bool, error) {
		return recorder.CaughtUp(context.Background(), env.Client, recorder.namespace)
	}, timeout, interval).Should(BeTrue())
}

// situations counts the FlinkDeployment versions by the fields Argo CD's bundled FlinkDeployment health script
// reads (reconciliationStatus.state, jobManagerDeploymentStatus) next to those it ignores, with Teal's verdict:
// the evidence behind the table in docs/gitops.md.
func situations(report Report) map[string]int {
	counts := map[string]int{}
	for i, v := range report.Versions {
		if v.Kind != "FlinkDeployment" || v.Deleted || v.Object.GetDeletionTimestamp() != nil {
			continue
		}
		counts[situation(v)+" → Teal "+report.Judgements[i].Health.Status]++
	}
	return counts
}

// situation describes a FlinkDeployment version by the fields the table in docs/gitops.md talks about.
func situation(v Version) string {
	field := func(path ...string) string {
		value, _, _ := unstructured.NestedString(v.Object.Object, append([]string{"status"}, path...)...)
		return value
	}
	observed, _, _ := unstructured.NestedInt64(v.Object.Object, "status", "observedGeneration")
	return fmt.Sprintf("reconciliation=%s jobManager=%s job=%s lifecycle=%s unobserved=%t", field("reconciliationStatus", "state"),
		field("jobManagerDeploymentStatus"), field("jobStatus", "state"), field("lifecycleState"), observed < v.Object.GetGeneration())
}

// summarize counts the judgements per kind and per (kstatus, Lua) pair.
func summarize(report Report) string {
	counts := map[string]int{}
	for i, v := range report.Versions {
		j := report.Judgements[i]
		counts[fmt.Sprintf("%s %s/%s", v.Kind, j.KStatus, j.Health.Status)]++
	}
	keys := make([]string, 0, len(counts))
	for key := range counts {
		keys = append(keys, key)
	}
	sort.Strings(keys)
	var parts []string
	for _, key := range keys {
		parts = append(parts, fmt.Sprintf("%s ×%d", key, counts[key]))
	}
	return strings.Join(parts, ", ")
}

func blueGreen(namespace, image string, state flinkv1beta1.JobState, grace string) *flinkv1beta1.FlinkBlueGreenDeployment {
	return builders.NewFlinkBlueGreenDeployment("orders",
		[]builders.DeploymentOption{builders.InNamespace(namespace), builders.WithImage(image), builders.WithJobState(state),
			builders.WithUpgradeMode(flinkv1beta1.UpgradeModeSavepoint), builders.WithConfig(stk.StateConfig(namespace)...)},
		builders.WithBlueGreenConfig("kubernetes.operator.bluegreen.abort.grace-period", grace))
}

// eventuallyDone waits until obj's latest generation has a terminal outcome that kstatus reads as want.
func eventuallyDone(g Gomega, obj client.Object, want status.Status) {
	g.Eventually(func(g Gomega) {
		g.Expect(env.Client.Get(context.Background(), client.ObjectKeyFromObject(obj), obj)).To(Succeed())
		result, err := testenv.KStatus(obj)
		g.Expect(err).NotTo(HaveOccurred())
		g.Expect(result).To(Equal(want))
	}, timeout, interval).Should(Succeed())
}

func observedGeneration(obj client.Object) int64 {
	switch o := obj.(type) {
	case *flinkv1beta1.FlinkDeployment:
		return o.Status.ObservedGeneration
	case *flinkv1beta1.FlinkSessionJob:
		return o.Status.ObservedGeneration
	case *flinkv1beta1.FlinkBlueGreenDeployment:
		return o.Status.ObservedGeneration
	}
	return 0
}

// eventuallyObserved waits until obj's latest generation is observed with kstatus want.
func eventuallyObserved(g Gomega, obj client.Object, want status.Status) {
	g.Eventually(func(g Gomega) {
		g.Expect(env.Client.Get(context.Background(), client.ObjectKeyFromObject(obj), obj)).To(Succeed())
		g.Expect(observedGeneration(obj)).To(Equal(obj.GetGeneration()))
		result, err := testenv.KStatus(obj)
		g.Expect(err).NotTo(HaveOccurred())
		content, err := k8sruntime.DefaultUnstructuredConverter.ToUnstructured(obj)
		g.Expect(err).NotTo(HaveOccurred())
		g.Expect(result).To(Equal(want), "%s", describeVersion(&unstructured.Unstructured{Object: content}))
	}, timeout, interval).Should(Succeed())
}

// TestReplayCommitSequence replays the Flux-style commit sequence of the issue on a FlinkBlueGreenDeployment:
// initial, image change, a commit that can never start, a fix, a suspend. Every stored version of the parent
// and of both children keeps the contract.
func TestReplayCommitSequence(t *testing.T) {
	g := NewWithT(t)
	namespace := stk.NewNamespace(g, "replay-commits")
	recorder := record(t, g, namespace)
	commits := []struct {
		object *flinkv1beta1.FlinkBlueGreenDeployment
		want   status.Status
	}{
		{blueGreen(namespace, "flink:1.20", "", "1 min"), status.CurrentStatus},
		{blueGreen(namespace, "flink:1.20.1", "", "1 min"), status.CurrentStatus},
		{blueGreen(namespace, brokenImage, "", "3 s"), status.FailedStatus},
		{blueGreen(namespace, "flink:1.20.2", "", "1 min"), status.CurrentStatus},
		{blueGreen(namespace, "flink:1.20.2", flinkv1beta1.JobStateSuspended, "1 min"), status.CurrentStatus},
	}
	for _, commit := range commits {
		apply(g, commit.object)
		eventuallyObserved(g, commit.object, commit.want)
	}
	report := expectContractKept(t, g, recorder)

	// The table of docs/gitops.md, row by row: each situation in which Argo CD's bundled FlinkDeployment script
	// (reading reconciliationStatus.state and jobManagerDeploymentStatus only) says Healthy occurred in this
	// scenario's children, with the verdict the table gives for Teal's script.
	seen := situations(report)
	rows := []struct{ name, pattern string }{
		{"the job FAILED, cluster up", `^reconciliation=DEPLOYED jobManager=READY job=FAILED .*unobserved=false → Teal Degraded$`},
		{"suspended as the spec asks", `^reconciliation=DEPLOYED jobManager=\S* job=SUSPENDED lifecycle=SUSPENDED unobserved=false → Teal Suspended$`},
		{"a new commit not yet observed", `^reconciliation=DEPLOYED jobManager=READY job=RUNNING .*unobserved=true → Teal Progressing$`},
		{"a new spec deployed, job not running yet", `^reconciliation=DEPLOYED jobManager=DEPLOYING .* → Teal Progressing$`},
	}
	for _, row := range rows {
		g.Expect(seen).To(HaveKey(MatchRegexp(row.pattern)), "docs/gitops.md row %q was not seen", row.name)
	}
}

// TestReplaySuspendDuringFailingTransition is defect 2: a suspend pushed while a broken transition waits for its
// abort. The abort is the outcome of the broken commit; the suspend commit has not been attempted, so no stored
// version may read Failed / Degraded for it.
func TestReplaySuspendDuringFailingTransition(t *testing.T) {
	g := NewWithT(t)
	namespace := stk.NewNamespace(g, "replay-suspend")
	recorder := record(t, g, namespace)
	initial := blueGreen(namespace, "flink:1.20", "", "2 s")
	apply(g, initial)
	eventuallyObserved(g, initial, status.CurrentStatus)
	broken := blueGreen(namespace, brokenImage, "", "2 s")
	apply(g, broken)
	g.Eventually(func(g Gomega) {
		g.Expect(env.Client.Get(context.Background(), client.ObjectKeyFromObject(broken), broken)).To(Succeed())
		g.Expect(broken.Status.BlueGreenState).To(Equal(flinkv1beta1.BlueGreenTransitioningToGreen))
	}, timeout, interval).Should(Succeed())
	suspend := blueGreen(namespace, brokenImage, flinkv1beta1.JobStateSuspended, "2 s")
	apply(g, suspend)
	eventuallyObserved(g, suspend, status.CurrentStatus)
	g.Expect(suspend.Status.JobStatus.State).To(Equal(flinkv1beta1.JobStatusSuspended))
	report := expectContractKept(t, g, recorder)
	// The abort did happen (the broken transition was given up), it just was not reported as the suspend's.
	aborted := false
	for _, v := range report.Versions {
		if v.Kind == "FlinkBlueGreenDeployment" && strings.Contains(describeVersion(v.Object), "TransitionAborted") ||
			v.Kind == "FlinkBlueGreenDeployment" && strings.Contains(fmt.Sprint(v.Object.Object["status"]), "aborting the green child") {
			aborted = true
		}
	}
	g.Expect(aborted).To(BeTrue(), "the broken transition was never aborted: the scenario did not exercise the race")
}

// TestReplayFirstDeploymentAndSavepointUpgrade deploys a FlinkDeployment and upgrades it with a savepoint;
// defect 3 shows on the first deployment (Ready written before observedGeneration).
func TestReplayFirstDeploymentAndSavepointUpgrade(t *testing.T) {
	g := NewWithT(t)
	namespace := stk.NewNamespace(g, "replay-upgrade")
	recorder := record(t, g, namespace)
	deployment := builders.NewFlinkDeployment("upgrade", builders.InNamespace(namespace), builders.WithImage("flink:1.20"),
		builders.WithUpgradeMode(flinkv1beta1.UpgradeModeSavepoint), builders.WithConfig(stk.StateConfig(namespace)...))
	apply(g, deployment)
	eventuallyObserved(g, deployment, status.CurrentStatus)
	upgraded := builders.NewFlinkDeployment("upgrade", builders.InNamespace(namespace), builders.WithImage("flink:1.20.1"),
		builders.WithUpgradeMode(flinkv1beta1.UpgradeModeSavepoint), builders.WithConfig(stk.StateConfig(namespace)...))
	apply(g, upgraded)
	eventuallyObserved(g, upgraded, status.CurrentStatus)
	g.Expect(upgraded.Status.JobStatus.UpgradeSavepointPath).NotTo(BeEmpty(), "the upgrade was not a savepoint upgrade")
	report := expectContractKept(t, g, recorder)
	g.Expect(report.FirstWrite).NotTo(BeEmpty())
}

// TestReplayInvalidSpecWithoutWebhook commits a spec the webhook would reject to a stack without webhooks: the
// controller's own validation stalls it (Failed / Degraded for that generation), and a fix recovers.
func TestReplayInvalidSpecWithoutWebhook(t *testing.T) {
	g := NewWithT(t)
	namespace := stk.NewNamespace(g, "replay-invalid")
	recorder := record(t, g, namespace)
	deployment := builders.NewFlinkDeployment("invalid", builders.InNamespace(namespace), builders.WithImage("flink:1.20"),
		builders.WithParallelism(-3))
	apply(g, deployment)
	eventuallyObserved(g, deployment, status.FailedStatus)
	fixed := builders.NewFlinkDeployment("invalid", builders.InNamespace(namespace), builders.WithImage("flink:1.20"),
		builders.WithParallelism(2))
	apply(g, fixed)
	eventuallyObserved(g, fixed, status.CurrentStatus)
	expectContractKept(t, g, recorder)
}

// recreateRounds is how many times the re-create tests delete an object and create it again at once: the issue
// saw the race in more than half of the tries, so a handful of rounds catches it reliably.
const recreateRounds = 6

// TestReplayRecreateFlinkDeployment is defect 1: deleting a FlinkDeployment and creating one of the same name at
// once. The deleted object's last write must never land on the new one (observedGeneration ahead of its
// generation, lifecycleState DELETING), and the new object becomes Ready.
func TestReplayRecreateFlinkDeployment(t *testing.T) {
	g := NewWithT(t)
	namespace := stk.NewNamespace(g, "replay-recreate")
	recorder := record(t, g, namespace)
	manifest := func(image string) *flinkv1beta1.FlinkDeployment {
		return builders.NewFlinkDeployment("again", builders.InNamespace(namespace), builders.WithImage(image),
			builders.WithUpgradeMode(flinkv1beta1.UpgradeModeStateless), builders.WithConfig(stk.StateConfig(namespace)...))
	}
	first := manifest("flink:1.20")
	apply(g, first)
	apply(g, manifest("flink:1.20.1")) // generation 2: the new object's generation 1 is behind it
	eventuallyObserved(g, first, status.CurrentStatus)
	for round := range recreateRounds {
		old := &flinkv1beta1.FlinkDeployment{}
		g.Expect(env.Client.Get(context.Background(), client.ObjectKeyFromObject(first), old)).To(Succeed())
		g.Expect(env.Client.Delete(context.Background(), old)).To(Succeed())
		recreate(g, manifest(fmt.Sprintf("flink:1.20.%d", round)), old.UID)
		current := manifest("")
		eventuallyObserved(g, current, status.CurrentStatus)
	}
	expectContractKept(t, g, recorder)
}

// recreate creates obj as soon as the API server accepts the name again (the deleted object may still be
// held by its finalizer), checking that it is a new object.
func recreate(g Gomega, obj client.Object, oldUID types.UID) {
	g.Eventually(func() error {
		fresh := obj.DeepCopyObject().(client.Object)
		err := env.Client.Create(context.Background(), fresh)
		if err == nil && fresh.GetUID() == oldUID {
			return fmt.Errorf("created the old object again")
		}
		return err
	}, timeout, time.Millisecond).Should(Succeed())
}

// TestReplayRecreateFlinkSessionJob is defect 1 for session jobs.
func TestReplayRecreateFlinkSessionJob(t *testing.T) {
	g := NewWithT(t)
	namespace := stk.NewNamespace(g, "replay-recreate-job")
	jars := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write([]byte("PK\x03\x04 stand-in job jar"))
	}))
	t.Cleanup(jars.Close)
	session := builders.NewFlinkDeployment("session", builders.InNamespace(namespace), builders.WithImage("flink:1.20"),
		builders.WithSessionCluster(), builders.WithConfig(stk.StateConfig(namespace)...))
	apply(g, session)
	eventuallyObserved(g, session, status.CurrentStatus)
	recorder := record(t, g, namespace)
	manifest := func(parallelism int32) *flinkv1beta1.FlinkSessionJob {
		job := builders.NewFlinkSessionJob("again", namespace, "session", jars.URL+"/job.jar",
			builders.WithSessionJobUpgradeMode(flinkv1beta1.UpgradeModeStateless))
		job.Spec.Job.Parallelism = parallelism
		return job
	}
	apply(g, manifest(1))
	apply(g, manifest(2))
	eventuallyObserved(g, manifest(2), status.CurrentStatus)
	for round := range recreateRounds {
		old := &flinkv1beta1.FlinkSessionJob{}
		g.Expect(env.Client.Get(context.Background(), client.ObjectKeyFromObject(manifest(1)), old)).To(Succeed())
		g.Expect(env.Client.Delete(context.Background(), old)).To(Succeed())
		recreate(g, manifest(int32(round%3+1)), old.UID)
		eventuallyObserved(g, manifest(1), status.CurrentStatus)
	}
	expectContractKept(t, g, recorder)
}

// TestReplayOperatorRestartMidTransition stops the operator in the middle of a blue/green transition and starts
// a new one: the versions written across the restart keep the contract.
func TestReplayOperatorRestartMidTransition(t *testing.T) {
	g := NewWithT(t)
	namespace := stk.NewNamespace(g, "replay-restart")
	recorder := record(t, g, namespace)
	initial := blueGreen(namespace, "flink:1.20", "", "1 min")
	apply(g, initial)
	eventuallyObserved(g, initial, status.CurrentStatus)
	changed := blueGreen(namespace, "flink:1.20.1", "", "1 min")
	apply(g, changed)
	g.Eventually(func(g Gomega) {
		g.Expect(env.Client.Get(context.Background(), client.ObjectKeyFromObject(changed), changed)).To(Succeed())
		g.Expect(changed.Status.BlueGreenState).To(BeElementOf(flinkv1beta1.BlueGreenSavepointingBlue, flinkv1beta1.BlueGreenTransitioningToGreen))
	}, timeout, time.Millisecond).Should(Succeed())
	g.Expect(stk.Operator.Stop()).To(Succeed())
	operator, err := stk.StartOperator()
	g.Expect(err).NotTo(HaveOccurred())
	stk.Operator = operator
	eventuallyObserved(g, changed, status.CurrentStatus)
	g.Expect(changed.Status.BlueGreenState).To(Equal(flinkv1beta1.BlueGreenActiveGreen))
	expectContractKept(t, g, recorder)
}
