package bluegreen

import (
	"context"
	"fmt"

	corev1 "k8s.io/api/core/v1"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
	"github.com/teal-flink/teal/internal/bluegreenstate"
	"github.com/teal-flink/teal/internal/jobops"
)

// An active child deleted by hand is re-created in place (TRANSITIONING_TO_<same>) from status.jobStatus.
// upgradeSavepointPath, the last hand-over savepoint: everything the deleted child's job did since would be
// rewound. While the deleted child is still terminating and its JobManager answers, the newest state its job
// left (retained checkpoint, savepoint) becomes the restore point instead; the re-creation is announced with a
// Warning event naming the state it restores from, so a rewind is never silent.

// recreatedChild reports which child is being re-created in place after it was deleted by hand, and whether
// this decision starts the re-creation (the active child is gone and next applies it again) rather than
// continuing one (the re-created child waits for the deleted one to finish terminating).
func recreatedChild(o bluegreenstate.Observations, activeDeployment, blueName, greenName string, d bluegreenstate.Decision) (flinkv1beta1.BlueGreenDeploymentType, bool, bool) {
	for _, t := range []flinkv1beta1.BlueGreenDeploymentType{flinkv1beta1.BlueGreenTypeBlue, flinkv1beta1.BlueGreenTypeGreen} {
		c := o.Child(t)
		name := map[flinkv1beta1.BlueGreenDeploymentType]string{flinkv1beta1.BlueGreenTypeBlue: blueName, flinkv1beta1.BlueGreenTypeGreen: greenName}[t]
		switch {
		case o.State == bluegreenstate.ActiveState(t) && !c.Exists && !c.SpecSuspended && appliesChild(d, t):
			return t, true, true
		case o.State == bluegreenstate.TransitioningState(t) && activeDeployment == name && c.Terminating:
			return t, false, true
		}
	}
	return "", false, false
}

func appliesChild(d bluegreenstate.Decision, t flinkv1beta1.BlueGreenDeploymentType) bool {
	for _, e := range d.Effects {
		if e.Kind == bluegreenstate.EffectApplyChild && e.Child == t {
			return true
		}
	}
	return false
}

// recoverDeletedChild records the newest state of a deleted active child as the restore point of its
// re-creation, and announces the re-creation with a Warning event. It runs after the decision's intent is
// applied in memory and before it is patched, so the restore point is recorded with the intent.
func (r *Reconciler) recoverDeletedChild(ctx context.Context, s *scope) {
	if s.decision == nil || s.reconciled == nil || s.reconciled.Template.Spec.Job == nil {
		return
	}
	bg := s.bg
	t, starting, ok := recreatedChild(s.obs, bg.Status.ActiveDeployment,
		childName(bg, flinkv1beta1.BlueGreenTypeBlue), childName(bg, flinkv1beta1.BlueGreenTypeGreen), *s.decision)
	if !ok {
		return
	}
	jobStatus := &bg.Status.JobStatus
	newer := r.newestStateOfDeletedChild(ctx, s, s.children[t])
	switch {
	case newer != "" && newer != jobStatus.UpgradeSavepointPath:
		jobStatus.UpgradeSavepointPath = newer
		r.warn(bg, fmt.Sprintf("the active %s child was deleted outside the operator: it is re-created from the "+
			"newest state its job left, %s", bluegreenstate.Lower(t), newer))
	case starting && jobStatus.UpgradeSavepointPath != "":
		r.warn(bg, fmt.Sprintf("the active %s child was deleted outside the operator and its job's newer state "+
			"cannot be read: it is re-created from the last hand-over savepoint %s, rewinding the job to it; to "+
			"restore a newer checkpoint, set spec.template.spec.job.initialSavepointPath and change "+
			"savepointRedeployNonce", bluegreenstate.Lower(t), jobStatus.UpgradeSavepointPath))
	case starting:
		r.warn(bg, fmt.Sprintf("the active %s child was deleted outside the operator and its job's state cannot "+
			"be read: it is re-created without state", bluegreenstate.Lower(t)))
	}
}

// newestStateOfDeletedChild asks the JobManager of a terminating child for the newest state of its job; "" when
// the child is gone, its JobManager does not answer or the job left nothing.
func (r *Reconciler) newestStateOfDeletedChild(ctx context.Context, s *scope, fd *flinkv1beta1.FlinkDeployment) string {
	if fd == nil || fd.DeletionTimestamp.IsZero() {
		return ""
	}
	api, err := r.childAPI(s, fd)
	if err != nil {
		return ""
	}
	jobID := fd.Status.JobStatus.JobID
	if jobID == "" {
		if jobID, err = runningJobID(ctx, api); err != nil || jobID == "" {
			return ""
		}
	}
	flat, err := fd.Spec.FlinkConfiguration.Flatten()
	if err != nil {
		return ""
	}
	// Teal defaults the retention to RETAIN_ON_CANCELLATION (the children are FlinkDeployments).
	survive := flat[jobops.KeyCheckpointRetention] == "" || jobops.CheckpointsSurviveCancel(flat)
	statistics, err := api.CheckpointStatistics(ctx, jobID)
	if err != nil {
		return ""
	}
	return jobops.NewestState(statistics, survive)
}

func (r *Reconciler) warn(bg *flinkv1beta1.FlinkBlueGreenDeployment, message string) {
	if r.Recorder != nil {
		r.Recorder.Eventf(bg, nil, corev1.EventTypeWarning, flinkv1beta1.ReasonTransitioning, "Reconcile", "%s", message)
	}
}
