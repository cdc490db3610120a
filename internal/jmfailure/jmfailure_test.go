package jmfailure

import (
	"testing"
	"time"

	. "github.com/onsi/gomega"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/teal-flink/teal/internal/resources"
)

func TestPodFailure(t *testing.T) {
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	crashed := &corev1.ContainerStateTerminated{ExitCode: 1, Reason: "Error",
		Message: "org.apache.flink.util.FlinkException: Could not execute application.\nCaused by: submission of failed job is not supported in non-HA setups"}
	cases := []struct {
		name   string
		status corev1.ContainerStatus
		want   []string
	}{
		{"running, never restarted", corev1.ContainerStatus{
			State: corev1.ContainerState{Running: &corev1.ContainerStateRunning{StartedAt: metav1.NewTime(now.Add(-time.Minute))}}}, nil},
		{"waiting in back-off", corev1.ContainerStatus{RestartCount: 3, LastTerminationState: corev1.ContainerState{Terminated: crashed},
			State: corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: "CrashLoopBackOff", Message: "back-off 40s"}}},
			[]string{"CrashLoopBackOff: back-off 40s", "last exit code 1 (Error) after 3 restarts", "not supported in non-HA setups"}},
		// Between back-offs the container runs again for a moment: still crash-looping, with the same reason.
		{"briefly running between crashes", corev1.ContainerStatus{RestartCount: 2, LastTerminationState: corev1.ContainerState{Terminated: crashed},
			State: corev1.ContainerState{Running: &corev1.ContainerStateRunning{StartedAt: metav1.NewTime(now.Add(-5 * time.Second))}}},
			[]string{"CrashLoopBackOff: last exit code 1", "not supported in non-HA setups"}},
		{"running long after an old crash", corev1.ContainerStatus{RestartCount: 1, LastTerminationState: corev1.ContainerState{Terminated: crashed},
			State: corev1.ContainerState{Running: &corev1.ContainerStateRunning{StartedAt: metav1.NewTime(now.Add(-time.Hour))}}}, nil},
		{"restarted after a clean exit", corev1.ContainerStatus{RestartCount: 1,
			LastTerminationState: corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{ExitCode: 0}},
			State:                corev1.ContainerState{Running: &corev1.ContainerStateRunning{StartedAt: metav1.NewTime(now)}}}, nil},
		{"image cannot be pulled", corev1.ContainerStatus{
			State: corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: "ImagePullBackOff", Message: "not found"}}},
			[]string{"ImagePullBackOff: not found"}},
		{"still creating", corev1.ContainerStatus{
			State: corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: "ContainerCreating"}}}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			g := NewWithT(t)
			tc.status.Name = resources.MainContainerName
			pod := corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "jm-0"}, Status: corev1.PodStatus{ContainerStatuses: []corev1.ContainerStatus{tc.status}}}
			got := PodFailure([]corev1.Pod{pod}, now)
			if tc.want == nil {
				g.Expect(got).To(BeEmpty())
				return
			}
			g.Expect(got).To(HavePrefix("JobManager pod jm-0: "))
			for _, part := range tc.want {
				g.Expect(got).To(ContainSubstring(part))
			}
		})
	}
}

func TestDeploymentFailure(t *testing.T) {
	g := NewWithT(t)
	missingAccount := &appsv1.Deployment{Status: appsv1.DeploymentStatus{Conditions: []appsv1.DeploymentCondition{{
		Type: appsv1.DeploymentReplicaFailure, Status: corev1.ConditionTrue, Reason: "FailedCreate",
		Message: `pods "app-7d9f" is forbidden: error looking up service account ns/flink: serviceaccount "flink" not found`}}}}
	g.Expect(DeploymentFailure(missingAccount)).To(Equal(`JobManager Deployment cannot create its pod: FailedCreate: pods "app-7d9f" is forbidden: error looking up service account ns/flink: serviceaccount "flink" not found`))
	g.Expect(DeploymentFailure(&appsv1.Deployment{})).To(BeEmpty())
}
