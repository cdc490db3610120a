package gitops

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"sync"
	"time"

	"k8s.io/apimachinery/pkg/api/equality"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/cli-utils/pkg/kstatus/status"
	"sigs.k8s.io/controller-runtime/pkg/client"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
	"github.com/teal-flink/teal/test/testenv"
)

// Version is one stored version of a Teal object, as a watch delivered it.
type Version struct {
	// Kind, Name and UID say which object; ResourceVersion orders the versions of every object.
	Kind, Name      string
	UID             types.UID
	ResourceVersion int64
	// Deleted: the watch reported the object deleted (Object is its last state).
	Deleted bool
	// Object is the stored version.
	Object *unstructured.Unstructured
	// Received is when the watch delivered it.
	Received time.Time
}

// Recorder records every stored version of every Teal object of a namespace, from watches started before a
// scenario: Argo CD and Flux act on each version the API server stores, so each one must keep the contract.
type Recorder struct {
	mu        sync.Mutex
	namespace string
	versions  []Version
	cancel    context.CancelFunc
	done      sync.WaitGroup
	errs      []error
}

// Record starts watching the Teal kinds of namespace; Stop ends the watches.
func Record(config *rest.Config, namespace string) (*Recorder, error) {
	watcher, err := client.NewWithWatch(config, client.Options{Scheme: testenv.NewScheme()})
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	r := &Recorder{cancel: cancel, namespace: namespace}
	started := make(chan error, len(tealKinds))
	for _, kind := range tealKinds {
		r.done.Add(1)
		go r.watch(ctx, watcher, namespace, kind, started)
	}
	for range tealKinds {
		if err := <-started; err != nil {
			r.Stop()
			return nil, err
		}
	}
	return r, nil
}

// watch follows one kind, resuming from the last version seen when the API server ends the watch.
func (r *Recorder) watch(ctx context.Context, watcher client.WithWatch, namespace, kind string, started chan<- error) {
	defer r.done.Done()
	resourceVersion := ""
	first := true
	for ctx.Err() == nil {
		list := &unstructured.UnstructuredList{}
		list.SetGroupVersionKind(testenv.GVK(kind + "List"))
		w, err := watcher.Watch(ctx, list, client.InNamespace(namespace), &client.ListOptions{Raw: watchOptions(resourceVersion)})
		if first {
			started <- err
			first = false
		}
		if err != nil {
			if ctx.Err() == nil {
				r.fail(fmt.Errorf("watching %s: %w", kind, err))
			}
			return
		}
		for event := range w.ResultChan() {
			obj, ok := event.Object.(*unstructured.Unstructured)
			if !ok || (event.Type != watch.Added && event.Type != watch.Modified && event.Type != watch.Deleted) {
				continue
			}
			resourceVersion = obj.GetResourceVersion()
			rv, _ := strconv.ParseInt(resourceVersion, 10, 64)
			r.mu.Lock()
			r.versions = append(r.versions, Version{Kind: kind, Name: obj.GetName(), UID: obj.GetUID(), ResourceVersion: rv,
				Deleted: event.Type == watch.Deleted, Object: obj, Received: time.Now()})
			r.mu.Unlock()
		}
		w.Stop()
	}
}

func (r *Recorder) fail(err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.errs = append(r.errs, err)
}

// Seen reports whether the recorder has received the version resourceVersion of the object uid.
func (r *Recorder) Seen(uid types.UID, resourceVersion string) bool {
	rv, _ := strconv.ParseInt(resourceVersion, 10, 64)
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, v := range r.versions {
		if v.UID == uid && v.ResourceVersion >= rv {
			return true
		}
	}
	return false
}

// CaughtUp reports whether the recorder has received the stored version of every Teal object of namespace.
func (r *Recorder) CaughtUp(ctx context.Context, c client.Client, namespace string) (bool, error) {
	for _, kind := range tealKinds {
		list := &unstructured.UnstructuredList{}
		list.SetGroupVersionKind(testenv.GVK(kind + "List"))
		if err := c.List(ctx, list, client.InNamespace(namespace)); err != nil {
			return false, err
		}
		for _, item := range list.Items {
			if !r.Seen(item.GetUID(), item.GetResourceVersion()) {
				return false, nil
			}
		}
	}
	return true, nil
}

// Stop ends the watches.
func (r *Recorder) Stop() {
	r.cancel()
	r.done.Wait()
}

// Versions returns what was recorded so far, in resourceVersion order (deletions of one object after its last
// update), and the errors of the watches.
func (r *Recorder) Versions() ([]Version, []error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	versions := append([]Version(nil), r.versions...)
	sort.SliceStable(versions, func(i, j int) bool { return versions[i].ResourceVersion < versions[j].ResourceVersion })
	return versions, append([]error(nil), r.errs...)
}

// Judgement is what the tools conclude from one version.
type Judgement struct {
	// KStatus is kstatus's status; Health Teal's shipped Lua's.
	KStatus status.Status
	Health  Health
}

// Violation is a version that breaks the contract.
type Violation struct {
	Version Version
	Rule    string
}

func (v Violation) String() string {
	return fmt.Sprintf("%s %s (uid %s, rv %d): %s\n    %s", v.Version.Kind, v.Version.Name, shortUID(v.Version.UID),
		v.Version.ResourceVersion, v.Rule, describeVersion(v.Version.Object))
}

func shortUID(uid types.UID) string {
	if len(uid) > 8 {
		return string(uid[:8])
	}
	return string(uid)
}

// Report is the outcome of a replay: every version judged, and the contract's violations.
type Report struct {
	Versions   []Version
	Judgements []Judgement
	Violations []Violation
	// FirstWrite is, per object, how long after the watch delivered its creation the controller's first status
	// write was delivered (the window in which a status-less object reads Current).
	FirstWrite map[string]time.Duration
}

// Replay judges each version in resourceVersion order against the contract (docs/gitops.md):
//   - never kstatus Current or Lua Healthy/Suspended while the latest generation's outcome is not terminal;
//   - never kstatus Failed or Lua Degraded for a generation that was not attempted;
//   - observedGeneration never moves backward, never runs ahead of the generation;
//   - Ready / Reconciling / Stalled consistent with each other and with the state fields;
//   - kstatus and the Lua agree.
//
// The version a user created (no status yet) is exempt: that window is measured in FirstWrite instead.
func Replay(versions []Version) Report {
	report := Report{Versions: versions, FirstWrite: map[string]time.Duration{}}
	observed := map[types.UID]int64{}
	created := map[types.UID]time.Time{}
	for _, v := range versions {
		judgement, violations := judge(v)
		report.Judgements = append(report.Judgements, judgement)
		for _, rule := range violations {
			report.Violations = append(report.Violations, Violation{Version: v, Rule: rule})
		}
		key := v.Kind + "/" + v.Name + "/" + shortUID(v.UID)
		_, hasStatus := v.Object.Object["status"]
		if _, seen := created[v.UID]; !seen {
			// Only an object whose creation was recorded (no status yet) has a first-write window to measure.
			created[v.UID] = time.Time{}
			if !hasStatus {
				created[v.UID] = v.Received
			}
		}
		if _, done := report.FirstWrite[key]; hasStatus && !done && !created[v.UID].IsZero() {
			report.FirstWrite[key] = v.Received.Sub(created[v.UID])
		}
		generation, _, _ := unstructured.NestedInt64(v.Object.Object, "status", "observedGeneration")
		if previous := observed[v.UID]; generation < previous {
			report.Violations = append(report.Violations, Violation{Version: v,
				Rule: fmt.Sprintf("observedGeneration moved backward from %d to %d", previous, generation)})
		}
		observed[v.UID] = max(observed[v.UID], generation)
	}
	return report
}

// judge applies the per-version rules.
func judge(v Version) (Judgement, []string) {
	obj := v.Object
	var violations []string
	add := func(format string, args ...any) { violations = append(violations, fmt.Sprintf(format, args...)) }
	kstatus, err := status.Compute(obj)
	if err != nil {
		add("kstatus: %v", err)
		return Judgement{}, violations
	}
	health, err := EvaluateHealth(v.Kind, obj.Object)
	if err != nil {
		add("health script: %v", err)
	}
	judgement := Judgement{KStatus: kstatus.Status, Health: health}
	if _, hasStatus := obj.Object["status"]; !hasStatus || v.Deleted || obj.GetDeletionTimestamp() != nil {
		// As created by the user (before the controller's first write), or being deleted (Terminating).
		return judgement, violations
	}
	generation := obj.GetGeneration()
	observedGeneration, _, _ := unstructured.NestedInt64(obj.Object, "status", "observedGeneration")
	ready, reconciling, stalled := conditionOf(obj, flinkv1beta1.ConditionReady), conditionOf(obj, flinkv1beta1.ConditionReconciling),
		conditionOf(obj, flinkv1beta1.ConditionStalled)
	isTrue := func(c map[string]any) bool { return c != nil && c["status"] == "True" }
	conditionGeneration := func(c map[string]any) int64 {
		value, _ := c["observedGeneration"].(int64)
		return value
	}
	current := observedGeneration == generation
	terminal := current && (isTrue(ready) || isTrue(stalled)) && !isTrue(reconciling)

	if observedGeneration > generation {
		add("observedGeneration %d is ahead of generation %d: a status written for another object", observedGeneration, generation)
	}
	if ready == nil {
		add("no Ready condition once the controller has written status")
	}
	if isTrue(reconciling) && isTrue(stalled) {
		add("Reconciling and Stalled both True")
	}
	if isTrue(ready) && (isTrue(reconciling) || isTrue(stalled)) {
		add("Ready True together with Reconciling or Stalled")
	}
	if kstatus.Status == status.CurrentStatus && !terminal {
		add("kstatus Current while the latest generation's outcome is not terminal")
	}
	if (health.Status == "Healthy" || health.Status == "Suspended") && !terminal {
		add("Lua %s while the latest generation's outcome is not terminal", health.Status)
	}
	failed := kstatus.Status == status.FailedStatus || health.Status == "Degraded"
	if failed && (!current || !isTrue(stalled) || conditionGeneration(stalled) != generation) {
		add("Failed/Degraded for generation %d, which has no Stalled outcome of its own", generation)
	}
	if failed && v.Kind == "FlinkBlueGreenDeployment" && reasonOf(stalled) != flinkv1beta1.ReasonValidationError && !attempted(obj) {
		add("Failed/Degraded for generation %d, whose spec was never attempted (lastReconciledSpec differs)", generation)
	}
	if want := map[status.Status]string{status.CurrentStatus: "Healthy", status.FailedStatus: "Degraded", status.InProgressStatus: "Progressing"}[kstatus.Status]; want != "" &&
		health.Status != want && !(want == "Healthy" && health.Status == "Suspended") {
		add("kstatus %s but Lua %s", kstatus.Status, health.Status)
	}
	for _, rule := range stateRules(v.Kind, obj, isTrue(ready), reasonOf(ready), isTrue(stalled)) {
		add("%s", rule)
	}
	return judgement, violations
}

// stateRules checks the conditions against the kind's own state fields.
func stateRules(kind string, obj *unstructured.Unstructured, ready bool, readyReason string, stalled bool) []string {
	field := func(path ...string) string {
		value, _, _ := unstructured.NestedString(obj.Object, append([]string{"status"}, path...)...)
		return value
	}
	var rules []string
	switch kind {
	case "FlinkDeployment", "FlinkSessionJob":
		lifecycle := field("lifecycleState")
		if lifecycle == string(flinkv1beta1.LifecycleStateDeleting) || lifecycle == string(flinkv1beta1.LifecycleStateDeleted) {
			rules = append(rules, "lifecycleState "+lifecycle+" on an object that is not being deleted")
		}
		if ready && readyReason == flinkv1beta1.ReasonSuspended && lifecycle != string(flinkv1beta1.LifecycleStateSuspended) {
			rules = append(rules, "Ready (Suspended) with lifecycleState "+lifecycle)
		}
		_, application, _ := unstructured.NestedMap(obj.Object, "spec", "job")
		if ready && readyReason == flinkv1beta1.ReasonSucceeded {
			if kind == "FlinkDeployment" && lifecycle != string(flinkv1beta1.LifecycleStateStable) {
				rules = append(rules, "Ready (Succeeded) with lifecycleState "+lifecycle)
			}
			if (application || kind == "FlinkSessionJob") && field("jobStatus", "state") != string(flinkv1beta1.JobStatusRunning) {
				rules = append(rules, "Ready (Succeeded) with job "+field("jobStatus", "state"))
			}
		}
	case "FlinkBlueGreenDeployment":
		state := field("blueGreenState")
		active := state == string(flinkv1beta1.BlueGreenActiveBlue) || state == string(flinkv1beta1.BlueGreenActiveGreen) ||
			(state == string(flinkv1beta1.BlueGreenInitializingBlue) && readyReason == flinkv1beta1.ReasonSuspended)
		if ready && !active {
			rules = append(rules, "Ready with blueGreenState "+state)
		}
		if stalled && !active && state != string(flinkv1beta1.BlueGreenInitializingBlue) && reasonOfStalled(obj) != flinkv1beta1.ReasonValidationError {
			rules = append(rules, "Stalled with blueGreenState "+state+" (a transition in flight)")
		}
	case "FlinkStateSnapshot":
		state := field("state")
		if ready && state != string(flinkv1beta1.SnapshotStateCompleted) {
			rules = append(rules, "Ready with snapshot state "+state)
		}
	}
	return rules
}

func conditionOf(obj *unstructured.Unstructured, conditionType string) map[string]any {
	list, _, _ := unstructured.NestedSlice(obj.Object, "status", "conditions")
	for _, item := range list {
		if c, ok := item.(map[string]any); ok && c["type"] == conditionType {
			return c
		}
	}
	return nil
}

func reasonOf(c map[string]any) string {
	if c == nil {
		return ""
	}
	reason, _ := c["reason"].(string)
	return reason
}

func reasonOfStalled(obj *unstructured.Unstructured) string {
	return reasonOf(conditionOf(obj, flinkv1beta1.ConditionStalled))
}

// attempted reports whether a blue/green deployment's spec is the one it last reconciled (rolled out, or tried).
func attempted(obj *unstructured.Unstructured) bool {
	serialized, _, _ := unstructured.NestedString(obj.Object, "status", "lastReconciledSpec")
	var record struct {
		Spec flinkv1beta1.FlinkBlueGreenDeploymentSpec `json:"spec"`
	}
	if serialized == "" || json.Unmarshal([]byte(serialized), &record) != nil {
		return false
	}
	bg := &flinkv1beta1.FlinkBlueGreenDeployment{}
	if runtime.DefaultUnstructuredConverter.FromUnstructured(obj.Object, bg) != nil {
		return false
	}
	return equality.Semantic.DeepEqual(record.Spec, bg.Spec)
}

// describeVersion is the part of a version that explains a violation.
func describeVersion(obj *unstructured.Unstructured) string {
	if obj == nil {
		return ""
	}
	observed, _, _ := unstructured.NestedInt64(obj.Object, "status", "observedGeneration")
	text := fmt.Sprintf("generation %d, observedGeneration %d", obj.GetGeneration(), observed)
	for _, field := range [][]string{{"lifecycleState"}, {"blueGreenState"}, {"state"}, {"jobStatus", "state"}, {"reconciliationStatus", "state"}} {
		if value, _, _ := unstructured.NestedString(obj.Object, append([]string{"status"}, field...)...); value != "" {
			text += fmt.Sprintf(", %v %s", field, value)
		}
	}
	list, _, _ := unstructured.NestedSlice(obj.Object, "status", "conditions")
	for _, item := range list {
		if c, ok := item.(map[string]any); ok {
			text += fmt.Sprintf(", %v=%v/%v(g%v)", c["type"], c["status"], c["reason"], c["observedGeneration"])
			if message, _ := c["message"].(string); c["type"] == flinkv1beta1.ConditionStalled && message != "" {
				text += fmt.Sprintf(" %.200q", message)
			}
		}
	}
	return text
}

// watchOptions resumes a watch after resourceVersion ("" starts from now).
func watchOptions(resourceVersion string) *metav1.ListOptions {
	return &metav1.ListOptions{ResourceVersion: resourceVersion}
}

// tealKinds are the kinds the recorder watches.
var tealKinds = []string{"FlinkDeployment", "FlinkSessionJob", "FlinkBlueGreenDeployment", "FlinkStateSnapshot"}
