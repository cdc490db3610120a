package validators

import (
	"sync"

	"k8s.io/apimachinery/pkg/util/validation/field"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
)

// Validator checks the four kinds. Implementations must be pure: every piece of cluster state they need
// arrives as an argument (the session cluster of a session job, whether a snapshot's target exists). Embed
// Base to implement only the kinds you care about.
type Validator interface {
	// ValidateFlinkDeployment checks a FlinkDeployment; oldObj is nil on create.
	ValidateFlinkDeployment(newObj, oldObj *flinkv1beta1.FlinkDeployment, opts Options) field.ErrorList
	// ValidateFlinkSessionJob checks a FlinkSessionJob; session is its session cluster, nil when missing.
	ValidateFlinkSessionJob(newObj, oldObj *flinkv1beta1.FlinkSessionJob, session *flinkv1beta1.FlinkDeployment, opts Options) field.ErrorList
	// ValidateFlinkStateSnapshot checks a FlinkStateSnapshot; targetExists says whether its jobReference exists.
	ValidateFlinkStateSnapshot(newObj, oldObj *flinkv1beta1.FlinkStateSnapshot, targetExists bool, opts Options) field.ErrorList
	// ValidateFlinkBlueGreenDeployment checks a FlinkBlueGreenDeployment.
	ValidateFlinkBlueGreenDeployment(newObj, oldObj *flinkv1beta1.FlinkBlueGreenDeployment, opts Options) field.ErrorList
}

// Base accepts everything; embed it in a custom Validator that checks only some kinds.
type Base struct{}

// ValidateFlinkDeployment accepts every FlinkDeployment.
func (Base) ValidateFlinkDeployment(_, _ *flinkv1beta1.FlinkDeployment, _ Options) field.ErrorList {
	return nil
}

// ValidateFlinkSessionJob accepts every FlinkSessionJob.
func (Base) ValidateFlinkSessionJob(_, _ *flinkv1beta1.FlinkSessionJob, _ *flinkv1beta1.FlinkDeployment, _ Options) field.ErrorList {
	return nil
}

// ValidateFlinkStateSnapshot accepts every FlinkStateSnapshot.
func (Base) ValidateFlinkStateSnapshot(_, _ *flinkv1beta1.FlinkStateSnapshot, _ bool, _ Options) field.ErrorList {
	return nil
}

// ValidateFlinkBlueGreenDeployment accepts every FlinkBlueGreenDeployment.
func (Base) ValidateFlinkBlueGreenDeployment(_, _ *flinkv1beta1.FlinkBlueGreenDeployment, _ Options) field.ErrorList {
	return nil
}

// Builtin is the Validator of this package's rules (upstream's DefaultValidator plus the blue/green rules).
type Builtin struct{}

// ValidateFlinkDeployment runs ValidateFlinkDeployment.
func (Builtin) ValidateFlinkDeployment(newObj, oldObj *flinkv1beta1.FlinkDeployment, opts Options) field.ErrorList {
	return ValidateFlinkDeployment(newObj, oldObj, opts)
}

// ValidateFlinkSessionJob runs ValidateFlinkSessionJob.
func (Builtin) ValidateFlinkSessionJob(newObj, oldObj *flinkv1beta1.FlinkSessionJob, session *flinkv1beta1.FlinkDeployment, opts Options) field.ErrorList {
	return ValidateFlinkSessionJob(newObj, oldObj, session, opts)
}

// ValidateFlinkStateSnapshot runs ValidateFlinkStateSnapshot.
func (Builtin) ValidateFlinkStateSnapshot(newObj, oldObj *flinkv1beta1.FlinkStateSnapshot, targetExists bool, opts Options) field.ErrorList {
	return ValidateFlinkStateSnapshot(newObj, oldObj, targetExists, opts)
}

// ValidateFlinkBlueGreenDeployment runs ValidateFlinkBlueGreenDeployment.
func (Builtin) ValidateFlinkBlueGreenDeployment(newObj, oldObj *flinkv1beta1.FlinkBlueGreenDeployment, opts Options) field.ErrorList {
	return ValidateFlinkBlueGreenDeployment(newObj, oldObj, opts)
}

// Registry runs the built-in rules and every registered custom Validator, concatenating their errors. It is
// itself a Validator and safe for concurrent use; the manager builds one and hands it to the webhooks and
// the controllers so both apply the same rules.
type Registry struct {
	mu         sync.RWMutex
	validators []Validator
}

// NewRegistry returns a Registry with the built-in rules followed by custom.
func NewRegistry(custom ...Validator) *Registry {
	return &Registry{validators: append([]Validator{Builtin{}}, custom...)}
}

// Register adds a custom Validator; it runs after those registered before it.
func (r *Registry) Register(v Validator) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.validators = append(r.validators, v)
}

func (r *Registry) snapshot() []Validator {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return append([]Validator(nil), r.validators...)
}

// ValidateFlinkDeployment runs every Validator on a FlinkDeployment.
func (r *Registry) ValidateFlinkDeployment(newObj, oldObj *flinkv1beta1.FlinkDeployment, opts Options) field.ErrorList {
	var errs field.ErrorList
	for _, v := range r.snapshot() {
		errs = append(errs, v.ValidateFlinkDeployment(newObj, oldObj, opts)...)
	}
	return errs
}

// ValidateFlinkSessionJob runs every Validator on a FlinkSessionJob.
func (r *Registry) ValidateFlinkSessionJob(newObj, oldObj *flinkv1beta1.FlinkSessionJob, session *flinkv1beta1.FlinkDeployment, opts Options) field.ErrorList {
	var errs field.ErrorList
	for _, v := range r.snapshot() {
		errs = append(errs, v.ValidateFlinkSessionJob(newObj, oldObj, session, opts)...)
	}
	return errs
}

// ValidateFlinkStateSnapshot runs every Validator on a FlinkStateSnapshot.
func (r *Registry) ValidateFlinkStateSnapshot(newObj, oldObj *flinkv1beta1.FlinkStateSnapshot, targetExists bool, opts Options) field.ErrorList {
	var errs field.ErrorList
	for _, v := range r.snapshot() {
		errs = append(errs, v.ValidateFlinkStateSnapshot(newObj, oldObj, targetExists, opts)...)
	}
	return errs
}

// ValidateFlinkBlueGreenDeployment runs every Validator on a FlinkBlueGreenDeployment.
func (r *Registry) ValidateFlinkBlueGreenDeployment(newObj, oldObj *flinkv1beta1.FlinkBlueGreenDeployment, opts Options) field.ErrorList {
	var errs field.ErrorList
	for _, v := range r.snapshot() {
		errs = append(errs, v.ValidateFlinkBlueGreenDeployment(newObj, oldObj, opts)...)
	}
	return errs
}
