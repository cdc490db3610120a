package webhooks

import (
	"context"

	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/controller-runtime/pkg/webhook/admission"
)

// onWrite is the admission.Validator of a kind whose creates and updates pass the same rules (an update also
// sees the old object; a create sees none) and whose deletions are always allowed.
type onWrite[T runtime.Object] func(ctx context.Context, newObj, oldObj T) (admission.Warnings, error)

// ValidateCreate checks a new object.
func (validate onWrite[T]) ValidateCreate(ctx context.Context, obj T) (admission.Warnings, error) {
	var none T
	return validate(ctx, obj, none)
}

// ValidateUpdate checks a changed object against its old version.
func (validate onWrite[T]) ValidateUpdate(ctx context.Context, oldObj, newObj T) (admission.Warnings, error) {
	return validate(ctx, newObj, oldObj)
}

// ValidateDelete accepts every deletion.
func (onWrite[T]) ValidateDelete(context.Context, T) (admission.Warnings, error) {
	return nil, nil
}
