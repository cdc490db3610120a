package jmfailure

import (
	"fmt"
	"strings"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"

	"github.com/teal-flink/teal/internal/resources"
)

// CrashLoopWindow is how long after its last crash a restarted container still counts as crash-looping: the
// kubelet forgets a container's back-off once it has run this long.
const CrashLoopWindow = 10 * time.Minute

// failureReasons are container states that will not fix themselves.
var failureReasons = map[string]bool{
	"CrashLoopBackOff": true, "ImagePullBackOff": true, "ErrImagePull": true, "InvalidImageName": true,
	"CreateContainerConfigError": true, "CreateContainerError": true,
}

// DeploymentFailure returns why the JobManager Deployment cannot create or roll out its pod, or "": a pod the
// API server refuses (a missing service account, a quota) shows as ReplicaFailure, which the Deployment
// controller copies from the ReplicaSet.
func DeploymentFailure(jobManager *appsv1.Deployment) string {
	for _, condition := range jobManager.Status.Conditions {
		switch {
		case condition.Type == appsv1.DeploymentReplicaFailure && condition.Status == corev1.ConditionTrue:
			return fmt.Sprintf("JobManager Deployment cannot create its pod: %s: %s", condition.Reason, condition.Message)
		case condition.Type == appsv1.DeploymentProgressing && condition.Status == corev1.ConditionFalse:
			return fmt.Sprintf("JobManager Deployment: %s: %s", condition.Reason, condition.Message)
		}
	}
	return ""
}

// PodFailure returns why a JobManager pod cannot run, or "". A crash-looping container alternates between
// waiting in CrashLoopBackOff and briefly running again, so a container that was restarted after a failure
// and has not run for crashLoopWindow since counts as failing in both phases; the message carries the last
// termination message (Flink's last log lines, with FallbackToLogsOnError) so the reason is in the status.
func PodFailure(pods []corev1.Pod, now time.Time) string {
	for _, pod := range pods {
		if !pod.DeletionTimestamp.IsZero() {
			continue
		}
		for _, container := range pod.Status.ContainerStatuses {
			if container.Name != resources.MainContainerName && len(pod.Status.ContainerStatuses) > 1 {
				continue
			}
			if failure := containerFailure(container, now); failure != "" {
				return fmt.Sprintf("JobManager pod %s: %s", pod.Name, failure)
			}
		}
	}
	return ""
}

func containerFailure(container corev1.ContainerStatus, now time.Time) string {
	last := container.LastTerminationState.Terminated
	crashed := last != nil && last.ExitCode != 0
	switch waiting := container.State.Waiting; {
	case waiting != nil && failureReasons[waiting.Reason]:
		message := waiting.Reason
		if waiting.Message != "" {
			message += ": " + waiting.Message
		}
		if crashed {
			message += "; " + terminationSummary(container.RestartCount, last)
		}
		return message
	case crashed && container.RestartCount > 0 && !stableSince(container, now):
		return "CrashLoopBackOff: " + terminationSummary(container.RestartCount, last)
	}
	return ""
}

// stableSince: the restarted container has run long enough to no longer count as crash-looping.
func stableSince(container corev1.ContainerStatus, now time.Time) bool {
	running := container.State.Running
	return running != nil && !running.StartedAt.IsZero() && now.Sub(running.StartedAt.Time) >= CrashLoopWindow
}

func terminationSummary(restarts int32, terminated *corev1.ContainerStateTerminated) string {
	summary := fmt.Sprintf("last exit code %d", terminated.ExitCode)
	if terminated.Reason != "" {
		summary += " (" + terminated.Reason + ")"
	}
	summary += fmt.Sprintf(" after %d restarts", restarts)
	if message := strings.TrimSpace(terminated.Message); message != "" {
		summary += ": " + lastLines(message, 20)
	}
	return summary
}

// lastLines keeps the end of a long termination message: the exception is at the end of Flink's log.
func lastLines(message string, n int) string {
	lines := strings.Split(message, "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
