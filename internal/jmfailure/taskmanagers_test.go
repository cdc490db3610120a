package jmfailure

import (
	"testing"
	"time"

	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func TestTaskManagerFailure(t *testing.T) {
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	pod := func(name string, phase corev1.PodPhase, mutate func(*corev1.PodStatus)) corev1.Pod {
		p := corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: name}, Status: corev1.PodStatus{Phase: phase}}
		mutate(&p.Status)
		return p
	}
	waiting := func(reason, message string) func(*corev1.PodStatus) {
		return func(s *corev1.PodStatus) {
			s.ContainerStatuses = []corev1.ContainerStatus{{Name: "flink-main-container",
				State: corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: reason, Message: message}}}}
		}
	}
	scheduledAt := func(at time.Time, readyToStart corev1.ConditionStatus) func(*corev1.PodStatus) {
		return func(s *corev1.PodStatus) {
			s.Conditions = []corev1.PodCondition{
				{Type: corev1.PodScheduled, Status: corev1.ConditionTrue, LastTransitionTime: metav1.NewTime(at)},
				{Type: corev1.PodReadyToStartContainers, Status: readyToStart},
			}
			s.ContainerStatuses = []corev1.ContainerStatus{{Name: "flink-main-container",
				State: corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: "ContainerCreating"}}}}
		}
	}
	running := pod("tm-ok", corev1.PodRunning, func(s *corev1.PodStatus) {
		s.ContainerStatuses = []corev1.ContainerStatus{{Name: "flink-main-container",
			State: corev1.ContainerState{Running: &corev1.ContainerStateRunning{StartedAt: metav1.NewTime(now.Add(-time.Hour))}}}}
	})
	deleted := pod("tm-gone", corev1.PodPending, waiting("ImagePullBackOff", "not found"))
	deleted.DeletionTimestamp = &metav1.Time{Time: now}
	for _, tc := range []struct {
		name    string
		pods    []corev1.Pod
		expect  string
		contain []string
	}{
		{name: "idle session cluster: no TaskManagers, no failure"},
		{name: "running TaskManager", pods: []corev1.Pod{running}},
		{name: "image cannot be pulled", pods: []corev1.Pod{running, pod("tm-1", corev1.PodPending, waiting("ImagePullBackOff", "Back-off pulling image \"flink:nope\""))},
			expect: "TaskManager pod tm-1: ImagePullBackOff: Back-off pulling image \"flink:nope\""},
		{name: "image pull error", pods: []corev1.Pod{pod("tm-1", corev1.PodPending, waiting("ErrImagePull", "not found"))},
			expect: "TaskManager pod tm-1: ErrImagePull: not found"},
		{name: "missing ConfigMap key or Secret in the environment", pods: []corev1.Pod{pod("tm-1", corev1.PodPending,
			waiting("CreateContainerConfigError", "configmap \"settings\" not found"))},
			expect: "TaskManager pod tm-1: CreateContainerConfigError: configmap \"settings\" not found"},
		{name: "crash loop (standalone TaskManagers restart in place)", pods: []corev1.Pod{pod("tm-1", corev1.PodRunning, func(s *corev1.PodStatus) {
			s.ContainerStatuses = []corev1.ContainerStatus{{Name: "flink-main-container", RestartCount: 4,
				LastTerminationState: corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{ExitCode: 1, Message: "boom"}},
				State:                corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: "CrashLoopBackOff"}}}}
		})}, contain: []string{"TaskManager pod tm-1: CrashLoopBackOff", "last exit code 1 after 4 restarts: boom"}},
		{name: "native TaskManager that exited (restartPolicy Never)", pods: []corev1.Pod{pod("tm-1", corev1.PodFailed, func(s *corev1.PodStatus) {
			s.ContainerStatuses = []corev1.ContainerStatus{{Name: "flink-main-container",
				State: corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{ExitCode: 239, Reason: "Error",
					Message: "line 1\norg.apache.flink.configuration.IllegalConfigurationException: bad memory"}}}}
		})}, expect: "TaskManager pod tm-1: Failed: exit code 239 (Error): line 1\norg.apache.flink.configuration.IllegalConfigurationException: bad memory"},
		{name: "TaskManager that ended cleanly", pods: []corev1.Pod{pod("tm-1", corev1.PodSucceeded, func(s *corev1.PodStatus) {
			s.ContainerStatuses = []corev1.ContainerStatus{{Name: "flink-main-container",
				State: corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{ExitCode: 0}}}}
		})}},
		{name: "evicted", pods: []corev1.Pod{pod("tm-1", corev1.PodFailed, func(s *corev1.PodStatus) {
			s.Reason, s.Message = "Evicted", "The node was low on resource: memory."
		})}, expect: "TaskManager pod tm-1: Failed (Evicted): The node was low on resource: memory."},
		{name: "unschedulable", pods: []corev1.Pod{pod("tm-1", corev1.PodPending, func(s *corev1.PodStatus) {
			s.Conditions = []corev1.PodCondition{{Type: corev1.PodScheduled, Status: corev1.ConditionFalse,
				Reason: corev1.PodReasonUnschedulable, Message: "0/1 nodes are available: 1 Insufficient cpu."}}
		})}, expect: "TaskManager pod tm-1: Unschedulable: 0/1 nodes are available: 1 Insufficient cpu."},
		{name: "not scheduled yet, no verdict from the scheduler", pods: []corev1.Pod{pod("tm-1", corev1.PodPending, func(s *corev1.PodStatus) {})}},
		{name: "volumes not mounted long after scheduling",
			pods:    []corev1.Pod{pod("tm-1", corev1.PodPending, scheduledAt(now.Add(-3*time.Minute), corev1.ConditionFalse))},
			contain: []string{"TaskManager pod tm-1: its containers have not started 2m0s after it was scheduled", "cannot be mounted"}},
		{name: "volumes being mounted just after scheduling",
			pods: []corev1.Pod{pod("tm-1", corev1.PodPending, scheduledAt(now.Add(-30*time.Second), corev1.ConditionFalse))}},
		{name: "pulling the image for long (sandbox up) is not a mount failure",
			pods: []corev1.Pod{pod("tm-1", corev1.PodPending, scheduledAt(now.Add(-10*time.Minute), corev1.ConditionTrue))}},
		{name: "a pod being deleted does not count", pods: []corev1.Pod{deleted}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := NewWithT(t)
			failure := TaskManagerFailure(tc.pods, now)
			if tc.contain != nil {
				for _, part := range tc.contain {
					g.Expect(failure).To(ContainSubstring(part))
				}
				return
			}
			g.Expect(failure).To(Equal(tc.expect))
		})
	}
}

func TestTaskManagersFailing(t *testing.T) {
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	const reported = "TaskManager pod tm-1: Failed: exit code 1"
	starting := corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "tm-2"}, Status: corev1.PodStatus{Phase: corev1.PodPending}}
	ready := corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "tm-2"}, Status: corev1.PodStatus{Phase: corev1.PodRunning,
		Conditions: []corev1.PodCondition{{Type: corev1.PodReady, Status: corev1.ConditionTrue}}}}
	failing := corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "tm-3"}, Status: corev1.PodStatus{Phase: corev1.PodPending,
		ContainerStatuses: []corev1.ContainerStatus{{State: corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: "ErrImagePull"}}}}}}
	for _, tc := range []struct {
		name     string
		pods     []corev1.Pod
		reported string
		expect   string
	}{
		{name: "nothing reported, nothing failing", pods: []corev1.Pod{starting}},
		{name: "a failure seen now", pods: []corev1.Pod{failing}, expect: "TaskManager pod tm-3: ErrImagePull"},
		{name: "a new failure replaces the reported one", pods: []corev1.Pod{failing}, reported: reported, expect: "TaskManager pod tm-3: ErrImagePull"},
		{name: "Flink replaced the failed pod; its successor has not run yet", pods: []corev1.Pod{starting}, reported: reported, expect: reported},
		{name: "a TaskManager runs and is ready: over", pods: []corev1.Pod{ready}, reported: reported},
		{name: "no TaskManager left to start: over", reported: reported},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := NewWithT(t)
			g.Expect(TaskManagersFailing(tc.pods, now, tc.reported)).To(Equal(tc.expect))
		})
	}
}
