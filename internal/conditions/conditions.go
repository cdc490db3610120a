package conditions

import (
	"fmt"
	"sort"
	"strings"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// Condition types shared by every kind (see GITOPS-CONTRACT.md).
const (
	// Ready is True when the latest generation is applied and healthy.
	Ready = "Ready"
	// Reconciling is present only while True: work towards the latest generation is under way.
	Reconciling = "Reconciling"
	// Stalled is present only while True: progress needs a person.
	Stalled = "Stalled"
)

// maxMessageLength is the API server's limit on a condition message (metav1.Condition's schema).
const maxMessageLength = 32768

// Getter is an object with a condition list.
type Getter interface {
	client.Object
	GetConditions() []metav1.Condition
}

// Setter is an object whose condition list can be replaced.
type Setter interface {
	Getter
	SetConditions([]metav1.Condition)
}

// Get returns a copy of the condition of type conditionType, or nil when there is none.
func Get(from Getter, conditionType string) *metav1.Condition {
	for _, condition := range from.GetConditions() {
		if condition.Type == conditionType {
			found := condition
			return &found
		}
	}
	return nil
}

// Has reports whether a condition of type conditionType exists.
func Has(from Getter, conditionType string) bool { return Get(from, conditionType) != nil }

// IsTrue reports whether the condition exists with status True.
func IsTrue(from Getter, conditionType string) bool {
	return hasStatus(from, conditionType, metav1.ConditionTrue)
}

// IsFalse reports whether the condition exists with status False.
func IsFalse(from Getter, conditionType string) bool {
	return hasStatus(from, conditionType, metav1.ConditionFalse)
}

// IsUnknown reports whether the condition is missing or has status Unknown.
func IsUnknown(from Getter, conditionType string) bool {
	condition := Get(from, conditionType)
	return condition == nil || condition.Status == metav1.ConditionUnknown
}

// IsStalled reports whether Stalled is True.
func IsStalled(from Getter) bool { return IsTrue(from, Stalled) }

// IsReconciling reports whether Reconciling is True.
func IsReconciling(from Getter) bool { return IsTrue(from, Reconciling) }

// GetReason returns the condition's reason, or "" when there is none.
func GetReason(from Getter, conditionType string) string {
	if condition := Get(from, conditionType); condition != nil {
		return condition.Reason
	}
	return ""
}

// GetMessage returns the condition's message, or "" when there is none.
func GetMessage(from Getter, conditionType string) string {
	if condition := Get(from, conditionType); condition != nil {
		return condition.Message
	}
	return ""
}

func hasStatus(from Getter, conditionType string, status metav1.ConditionStatus) bool {
	condition := Get(from, conditionType)
	return condition != nil && condition.Status == status
}

// MarkTrue sets the condition to True.
func MarkTrue(to Setter, conditionType, reason, messageFormat string, args ...any) {
	set(to, conditionType, metav1.ConditionTrue, reason, messageFormat, args...)
}

// MarkFalse sets the condition to False.
func MarkFalse(to Setter, conditionType, reason, messageFormat string, args ...any) {
	set(to, conditionType, metav1.ConditionFalse, reason, messageFormat, args...)
}

// MarkUnknown sets the condition to Unknown.
func MarkUnknown(to Setter, conditionType, reason, messageFormat string, args ...any) {
	set(to, conditionType, metav1.ConditionUnknown, reason, messageFormat, args...)
}

// Report keeps an informational condition: False with reason and message while message is set, deleted while it
// is empty. It reports whether the condition has just turned False with this reason, so the caller announces a
// run of failures with one event rather than one per observation.
func Report(to Setter, conditionType, reason, message string) (appeared bool) {
	if message == "" {
		Delete(to, conditionType)
		return false
	}
	appeared = !IsFalse(to, conditionType) || GetReason(to, conditionType) != reason
	MarkFalse(to, conditionType, reason, "%s", message)
	return appeared
}

// MarkReconciling sets Reconciling True and removes Stalled: the two never hold together.
func MarkReconciling(to Setter, reason, messageFormat string, args ...any) {
	Delete(to, Stalled)
	MarkTrue(to, Reconciling, reason, messageFormat, args...)
}

// MarkStalled sets Stalled True and removes Reconciling: the two never hold together.
func MarkStalled(to Setter, reason, messageFormat string, args ...any) {
	Delete(to, Reconciling)
	MarkTrue(to, Stalled, reason, messageFormat, args...)
}

// Delete removes the condition of type conditionType, if any.
func Delete(to Setter, conditionType string) {
	current := to.GetConditions()
	kept := make([]metav1.Condition, 0, len(current))
	for _, condition := range current {
		if condition.Type != conditionType {
			kept = append(kept, condition)
		}
	}
	if len(kept) != len(current) {
		to.SetConditions(kept)
	}
}

// set writes one condition for the object's current generation. lastTransitionTime moves only when the status
// changes, so a new message or reason alone is not a transition.
func set(to Setter, conditionType string, status metav1.ConditionStatus, reason, messageFormat string, args ...any) {
	message := messageFormat
	if len(args) > 0 {
		message = fmt.Sprintf(messageFormat, args...)
	}
	if len(message) > maxMessageLength {
		message = strings.ToValidUTF8(message[:maxMessageLength-len(truncated)], "") + truncated
	}
	next := metav1.Condition{
		Type: conditionType, Status: status, Reason: reason, Message: message,
		ObservedGeneration: to.GetGeneration(),
	}
	list := append([]metav1.Condition(nil), to.GetConditions()...)
	replaced := false
	for i := range list {
		if list[i].Type != conditionType {
			continue
		}
		next.LastTransitionTime = list[i].LastTransitionTime
		if list[i].Status != status || next.LastTransitionTime.IsZero() {
			next.LastTransitionTime = now()
		}
		list[i] = next
		replaced = true
		break
	}
	if !replaced {
		next.LastTransitionTime = now()
		list = append(list, next)
	}
	sort.SliceStable(list, func(i, j int) bool { return less(list[i].Type, list[j].Type) })
	to.SetConditions(list)
}

const truncated = "… (truncated)"

// now is the API server's precision for metav1.Time (seconds), so a round trip does not read as a change.
func now() metav1.Time { return metav1.NewTime(time.Now().UTC().Truncate(time.Second)) }

// less orders Ready first and the other types by name.
func less(a, b string) bool {
	if a == Ready || b == Ready {
		return a == Ready && b != Ready
	}
	return a < b
}
