// Package phases runs a reconcile as an ordered list of small phases sharing one scope, the shape every Teal
// controller has: each phase looks at what earlier ones found and may end the reconcile early.
package phases

import (
	"context"

	ctrl "sigs.k8s.io/controller-runtime"
)

// Scope is what the phases of one reconcile share; Done reports that no further phase should run.
type Scope interface {
	Done() bool
}

// Phase is one ordered step of a reconcile.
type Phase[S Scope] func(ctx context.Context, s S) (ctrl.Result, error)

// Run runs the phases in order until one fails, asks for a requeue, or marks the scope done.
func Run[S Scope](ctx context.Context, s S, phases ...Phase[S]) (ctrl.Result, error) {
	for _, run := range phases {
		result, err := run(ctx, s)
		if err != nil || !result.IsZero() || s.Done() {
			return result, err
		}
	}
	return ctrl.Result{}, nil
}
