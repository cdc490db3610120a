package bluegreen

import (
	"strconv"
	"time"

	corev1 "k8s.io/api/core/v1"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
	"github.com/teal-flink/teal/internal/bluegreenstate"
	"github.com/teal-flink/teal/internal/conditions"
	"github.com/teal-flink/teal/internal/gitops"
)

// summarize sets Ready / Reconciling / Stalled from the reconcile's outcome.
func (r *Reconciler) summarize(s *scope, err error) {
	bg := s.bg
	o := s.outcome
	if o == nil && s.decision != nil {
		o = &s.decision.Outcome
	}
	if o == nil {
		if err == nil {
			return
		}
		o = &bluegreenstate.Outcome{Kind: bluegreenstate.OutcomeReconciling, Reason: flinkv1beta1.ReasonRetrying, Message: "retrying: " + err.Error()}
	}
	switch o.Kind {
	case bluegreenstate.OutcomeReady:
		gitops.MarkReady(bg, o.Reason, "%s", o.Message)
	case bluegreenstate.OutcomeStalled:
		reason, message := o.Reason, o.Message
		if reason == "" {
			// A failure reported earlier still holds: keep its reason and message.
			reason, message = conditions.GetReason(bg, flinkv1beta1.ConditionStalled), conditions.GetMessage(bg, flinkv1beta1.ConditionStalled)
			if reason == "" {
				reason, message = flinkv1beta1.ReasonTransitionAborted, bg.Status.Error
			}
		}
		gitops.MarkStalled(bg, reason, "%s", message)
	default:
		gitops.MarkReconciling(bg, o.Reason, "%s", o.Message)
	}
}

// report emits the reconcile's event and tells the metrics hook, once the status that says so is written.
func (r *Reconciler) report(s *scope) {
	bg := s.bg
	if s.event {
		eventType := corev1.EventTypeNormal
		if s.eventWarning {
			eventType = corev1.EventTypeWarning
		}
		reason := conditions.GetReason(bg, flinkv1beta1.ConditionReady)
		message := conditions.GetMessage(bg, flinkv1beta1.ConditionReady)
		if r.Recorder != nil && reason != "" {
			r.Recorder.Eventf(bg, nil, eventType, reason, "Reconcile", "%s", message)
		}
	}
	r.recordState(bg, s.initialState, bg.Status.BlueGreenState)
	if s.finished != "" {
		r.recordFinish(bg, s.finished)
	}
}

// Timestamps are written as upstream writes them (java.time.Instant#toString, UTC ISO-8601), and read in that
// form or as epoch milliseconds.
func formatTimestamp(t time.Time) string {
	if t.IsZero() {
		return "1970-01-01T00:00:00Z"
	}
	return t.UTC().Format(time.RFC3339Nano)
}

func parseTimestamp(value string) time.Time {
	if value == "" {
		return time.Time{}
	}
	if millis, err := strconv.ParseInt(value, 10, 64); err == nil {
		if millis == 0 {
			return time.Time{}
		}
		return time.UnixMilli(millis)
	}
	t, err := time.Parse(time.RFC3339Nano, value)
	if err != nil || t.UnixMilli() == 0 {
		return time.Time{}
	}
	return t
}
