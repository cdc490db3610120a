package metrics

import (
	"strings"
	"testing"
	"time"

	. "github.com/onsi/gomega"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	dto "github.com/prometheus/client_model/go"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
	"github.com/teal-flink/teal/controllers/bluegreen"
	"github.com/teal-flink/teal/test/testenv"
)

func TestResourceGauges(t *testing.T) {
	g := NewWithT(t)
	deployment := func(name, namespace string, state flinkv1beta1.ResourceLifecycleState) *flinkv1beta1.FlinkDeployment {
		d := &flinkv1beta1.FlinkDeployment{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: namespace}}
		d.Spec.FlinkVersion = flinkv1beta1.FlinkVersionV1_20
		d.Status.LifecycleState = state
		d.Status.JobManagerDeploymentStatus = flinkv1beta1.JobManagerDeploymentStatus("READY")
		return d
	}
	bg := &flinkv1beta1.FlinkBlueGreenDeployment{ObjectMeta: metav1.ObjectMeta{Name: "bg", Namespace: "a"}}
	bg.Status.BlueGreenState = flinkv1beta1.BlueGreenActiveBlue
	reader := fake.NewClientBuilder().WithScheme(testenv.NewScheme()).WithObjects(
		deployment("one", "a", flinkv1beta1.LifecycleStateStable), deployment("two", "a", flinkv1beta1.LifecycleStateStable),
		deployment("three", "b", flinkv1beta1.LifecycleStateUpgrading), bg,
	).Build()
	m := New(reader)
	registry := prometheus.NewRegistry()
	g.Expect(m.Register(registry)).To(Succeed())
	g.Expect(testutil.GatherAndCompare(registry, strings.NewReader(`
# HELP teal_resources Teal resources, by kind and namespace.
# TYPE teal_resources gauge
teal_resources{kind="FlinkBlueGreenDeployment",namespace="a"} 1
teal_resources{kind="FlinkDeployment",namespace="a"} 2
teal_resources{kind="FlinkDeployment",namespace="b"} 1
# HELP teal_resources_lifecycle_state FlinkDeployments and FlinkSessionJobs, by status.lifecycleState.
# TYPE teal_resources_lifecycle_state gauge
teal_resources_lifecycle_state{kind="FlinkDeployment",namespace="a",state="STABLE"} 2
teal_resources_lifecycle_state{kind="FlinkDeployment",namespace="b",state="UPGRADING"} 1
# HELP teal_bluegreen_state FlinkBlueGreenDeployments, by status.blueGreenState.
# TYPE teal_bluegreen_state gauge
teal_bluegreen_state{namespace="a",state="ACTIVE_BLUE"} 1
# HELP teal_flinkdeployment_jobmanager_deployment_status FlinkDeployments, by status.jobManagerDeploymentStatus.
# TYPE teal_flinkdeployment_jobmanager_deployment_status gauge
teal_flinkdeployment_jobmanager_deployment_status{namespace="a",status="READY"} 2
teal_flinkdeployment_jobmanager_deployment_status{namespace="b",status="READY"} 1
`), "teal_resources", "teal_resources_lifecycle_state", "teal_bluegreen_state", "teal_flinkdeployment_jobmanager_deployment_status")).To(Succeed())
}

func TestBlueGreenTransitions(t *testing.T) {
	g := NewWithT(t)
	m := New(fake.NewClientBuilder().WithScheme(testenv.NewScheme()).Build())
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	recorder := &blueGreenRecorder{metrics: m, now: func() time.Time { return now }}
	bg := &flinkv1beta1.FlinkBlueGreenDeployment{ObjectMeta: metav1.ObjectMeta{Name: "bg", Namespace: "a", UID: "u1"}}
	step := func(from, to flinkv1beta1.FlinkBlueGreenDeploymentState, after time.Duration) {
		now = now.Add(after)
		bg.Status.BlueGreenState = to
		recorder.StateChanged(bg, from, to)
	}
	step("", flinkv1beta1.BlueGreenInitializingBlue, 0)
	step(flinkv1beta1.BlueGreenInitializingBlue, flinkv1beta1.BlueGreenActiveBlue, 4*time.Second)
	recorder.TransitionFinished(bg, bluegreen.TransitionSucceeded, 0)
	step(flinkv1beta1.BlueGreenActiveBlue, flinkv1beta1.BlueGreenSavepointingBlue, time.Minute)
	step(flinkv1beta1.BlueGreenSavepointingBlue, flinkv1beta1.BlueGreenTransitioningToGreen, time.Second)
	step(flinkv1beta1.BlueGreenTransitioningToGreen, flinkv1beta1.BlueGreenActiveGreen, 20*time.Second)
	recorder.TransitionFinished(bg, bluegreen.TransitionSucceeded, 21*time.Second)
	step(flinkv1beta1.BlueGreenActiveGreen, flinkv1beta1.BlueGreenSavepointingGreen, time.Minute)
	step(flinkv1beta1.BlueGreenSavepointingGreen, flinkv1beta1.BlueGreenActiveGreen, 2*time.Minute)
	recorder.TransitionFinished(bg, bluegreen.TransitionSavepointFailed, 0)

	g.Expect(testutil.CollectAndCount(m.transitionDuration)).To(Equal(3))
	g.Expect(histogramSum(g, m.transitionDuration.WithLabelValues("a", TransitionInitialDeployment, "Succeeded"))).To(Equal(4.0))
	g.Expect(histogramSum(g, m.transitionDuration.WithLabelValues("a", TransitionBlueToGreen, "Succeeded"))).To(Equal(21.0))
	g.Expect(testutil.ToFloat64(m.transitionFailures.WithLabelValues("a", TransitionGreenToBlue, "SavepointFailed"))).To(Equal(1.0))
}

func TestFlinkRESTObserver(t *testing.T) {
	g := NewWithT(t)
	m := New(fake.NewClientBuilder().WithScheme(testenv.NewScheme()).Build())
	observer := m.FlinkREST()
	observer.ObserveRequest("GET /jobs/:jobid", 200, 10*time.Millisecond)
	observer.ObserveRequest("GET /jobs/:jobid", 503, 20*time.Millisecond)
	observer.ObserveRequest("POST /jobs/:jobid/savepoints", 0, time.Second)
	g.Expect(testutil.ToFloat64(m.restErrors.WithLabelValues("GET /jobs/:jobid", "503"))).To(Equal(1.0))
	g.Expect(testutil.ToFloat64(m.restErrors.WithLabelValues("POST /jobs/:jobid/savepoints", "0"))).To(Equal(1.0))
	g.Expect(testutil.CollectAndCount(m.restDuration)).To(Equal(2))
}

func TestSavepointObserver(t *testing.T) {
	g := NewWithT(t)
	m := New(fake.NewClientBuilder().WithScheme(testenv.NewScheme()).Build())
	observer := m.Savepoints(nil)
	snapshot := func(state flinkv1beta1.SnapshotState, failures int32) *flinkv1beta1.FlinkStateSnapshot {
		s := &flinkv1beta1.FlinkStateSnapshot{ObjectMeta: metav1.ObjectMeta{Name: "s", Namespace: "a"}}
		s.Spec.Savepoint = &flinkv1beta1.SavepointSpec{}
		s.Spec.JobReference = &flinkv1beta1.JobReference{Kind: "FlinkDeployment", Name: "d"}
		s.Status.State, s.Status.Failures = state, failures
		s.Status.TriggerTimestamp, s.Status.ResultTimestamp = "2026-01-01T00:00:00Z", "2026-01-01T00:00:07Z"
		return s
	}
	observer.observe(snapshot(flinkv1beta1.SnapshotStateInProgress, 0), snapshot(flinkv1beta1.SnapshotStateInProgress, 1))
	observer.observe(snapshot(flinkv1beta1.SnapshotStateInProgress, 1), snapshot(flinkv1beta1.SnapshotStateCompleted, 1))
	g.Expect(testutil.ToFloat64(m.savepointFailures.WithLabelValues("a", "FlinkDeployment"))).To(Equal(1.0))
	g.Expect(histogramSum(g, m.savepointDuration.WithLabelValues("a", "FlinkDeployment"))).To(Equal(7.0))
}

func histogramSum(g Gomega, observer prometheus.Observer) float64 {
	metric := observer.(prometheus.Metric)
	written := &dto.Metric{}
	g.Expect(metric.Write(written)).To(Succeed())
	return written.GetHistogram().GetSampleSum()
}
