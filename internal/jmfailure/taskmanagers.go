package jmfailure

import (
	"fmt"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"

	"github.com/teal-flink/teal/internal/resources"
)

// MountWindow is how long a scheduled TaskManager pod may wait for its sandbox (PodReadyToStartContainers): the
// kubelet creates it once the pod's volumes are mounted, so a pod still waiting after this long mounts a
// ConfigMap, Secret or claim that does not exist (the kubelet retries and only says so in the pod's events).
// Image pulls happen after the sandbox exists and do not count here.
const MountWindow = 2 * time.Minute

// TaskManagerFailure returns why the cluster's TaskManager pods cannot run, or "". It reads the same container
// states as PodFailure (crash loops, images that cannot be pulled, containers that cannot be created) and, since
// TaskManagers are created on demand and replaced by Flink rather than restarted in place (native TaskManager
// pods have restartPolicy Never), also a pod that ended Failed, a pod the scheduler cannot place, and a pod
// whose volumes cannot be mounted. No TaskManager pod at all is not a failure: an idle session cluster has none.
func TaskManagerFailure(pods []corev1.Pod, now time.Time) string {
	for _, pod := range pods {
		if !pod.DeletionTimestamp.IsZero() {
			continue
		}
		if failure := taskManagerPodFailure(pod, now); failure != "" {
			return fmt.Sprintf("TaskManager pod %s: %s", pod.Name, failure)
		}
	}
	return ""
}

func taskManagerPodFailure(pod corev1.Pod, now time.Time) string {
	for _, container := range pod.Status.ContainerStatuses {
		if container.Name != resources.MainContainerName && len(pod.Status.ContainerStatuses) > 1 {
			continue
		}
		if failure := containerFailure(container, now); failure != "" {
			return failure
		}
		if terminated := container.State.Terminated; pod.Status.Phase == corev1.PodFailed && terminated != nil && terminated.ExitCode != 0 {
			return exitSummary(terminated)
		}
	}
	if pod.Status.Phase == corev1.PodFailed && pod.Status.Reason != "" {
		return fmt.Sprintf("Failed (%s): %s", pod.Status.Reason, pod.Status.Message)
	}
	for _, condition := range pod.Status.Conditions {
		switch {
		case condition.Type == corev1.PodScheduled && condition.Status == corev1.ConditionFalse &&
			condition.Reason == corev1.PodReasonUnschedulable:
			return "Unschedulable: " + condition.Message
		case condition.Type == corev1.PodReadyToStartContainers && condition.Status == corev1.ConditionFalse &&
			podScheduledBefore(pod, now.Add(-MountWindow)):
			return fmt.Sprintf("its containers have not started %s after it was scheduled: a volume it mounts "+
				"(ConfigMap, Secret, claim) cannot be mounted; see the pod's events", MountWindow)
		}
	}
	return ""
}

// exitSummary describes a TaskManager container that ended with an error, with the end of its termination
// message (Flink's last log lines, with FallbackToLogsOnError).
func exitSummary(terminated *corev1.ContainerStateTerminated) string {
	summary := fmt.Sprintf("Failed: exit code %d", terminated.ExitCode)
	if terminated.Reason != "" {
		summary += " (" + terminated.Reason + ")"
	}
	if message := strings.TrimSpace(terminated.Message); message != "" {
		summary += ": " + lastLines(message, 20)
	}
	return summary
}

// podScheduledBefore: the pod was bound to a node before t.
func podScheduledBefore(pod corev1.Pod, t time.Time) bool {
	for _, condition := range pod.Status.Conditions {
		if condition.Type == corev1.PodScheduled && condition.Status == corev1.ConditionTrue {
			return !condition.LastTransitionTime.IsZero() && condition.LastTransitionTime.Time.Before(t)
		}
	}
	return false
}

// TaskManagersFailing decides which TaskManager failure to report: the one seen now, else the one reported before
// (reported) while a TaskManager pod that has not run yet is starting. Flink replaces a failed TaskManager pod
// with a new one, so a crash loop shows as failed pods that come and go; the failure is over once a TaskManager
// runs and is ready, or none is left to start.
func TaskManagersFailing(pods []corev1.Pod, now time.Time, reported string) string {
	if failure := TaskManagerFailure(pods, now); failure != "" || reported == "" {
		return failure
	}
	for _, pod := range pods {
		if pod.DeletionTimestamp.IsZero() && pod.Status.Phase != corev1.PodSucceeded && pod.Status.Phase != corev1.PodFailed && !podReady(pod) {
			return reported
		}
	}
	return ""
}

func podReady(pod corev1.Pod) bool {
	for _, condition := range pod.Status.Conditions {
		if condition.Type == corev1.PodReady {
			return condition.Status == corev1.ConditionTrue
		}
	}
	return false
}
