package bluegreenstate

import (
	"encoding/json"
	"fmt"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
	"github.com/teal-flink/teal/internal/specdiff"
)

// DiffType is upstream's BlueGreenDiffType: what a change of spec.template.spec needs.
type DiffType string

// Diff types, as upstream names them.
const (
	DiffIgnore            DiffType = "IGNORE"
	DiffPatchChild        DiffType = "PATCH_CHILD"
	DiffSuspend           DiffType = "SUSPEND"
	DiffResume            DiffType = "RESUME"
	DiffTransition        DiffType = "TRANSITION"
	DiffSavepointRedeploy DiffType = "SAVEPOINT_REDEPLOY"
)

// TemplateDiff compares the last reconciled template spec with the desired one, with upstream's precedence:
// suspend/resume first, then a savepointRedeployNonce change, then equality, then PATCH_CHILD when only fields
// the FlinkDeployment diff ignores changed (upgradeMode, allowNonRestoredState, initialSavepointPath, nonces,
// kubernetes.operator.* options), TRANSITION otherwise.
func TemplateDiff(last, desired *flinkv1beta1.FlinkDeploymentSpec) (DiffType, error) {
	lastState, desiredState := JobState(last), JobState(desired)
	if lastState != desiredState {
		if desiredState == flinkv1beta1.JobStateSuspended {
			return DiffSuspend, nil
		}
		if lastState == flinkv1beta1.JobStateSuspended && desiredState == flinkv1beta1.JobStateRunning {
			return DiffResume, nil
		}
	}
	result, err := specdiff.FlinkDeployment(last, desired)
	if err != nil {
		return "", fmt.Errorf("comparing spec.template.spec: %w", err)
	}
	if result.Type == specdiff.SavepointRedeploy {
		return DiffSavepointRedeploy, nil
	}
	if sameJSON(last, desired) {
		return DiffIgnore, nil
	}
	if result.Type == specdiff.Ignore {
		return DiffPatchChild, nil
	}
	return DiffTransition, nil
}

// TopLevelChanged reports whether spec.configuration or spec.ingress changed. Upstream ignores such changes;
// Teal applies them (the options take effect, the ingress is updated) and observes the generation.
func TopLevelChanged(last, desired *flinkv1beta1.FlinkBlueGreenDeploymentSpec) bool {
	return !sameJSON(emptyAsNil(last.Configuration), emptyAsNil(desired.Configuration)) || !sameJSON(last.Ingress, desired.Ingress)
}

func emptyAsNil(m map[string]string) map[string]string {
	if len(m) == 0 {
		return nil
	}
	return m
}

// JobState is the job state a template asks for (running when unset).
func JobState(spec *flinkv1beta1.FlinkDeploymentSpec) flinkv1beta1.JobState {
	if spec.Job == nil || spec.Job.State == "" {
		return flinkv1beta1.JobStateRunning
	}
	return spec.Job.State
}

func sameJSON(a, b any) bool {
	aJSON, aErr := json.Marshal(a)
	bJSON, bErr := json.Marshal(b)
	return aErr == nil && bErr == nil && string(aJSON) == string(bJSON)
}

// reconciledSpec is upstream's lastReconciledSpec record of this kind: {"spec":{…}}.
type reconciledSpec struct {
	Spec flinkv1beta1.FlinkBlueGreenDeploymentSpec `json:"spec"`
}

// SerializeSpec writes spec as status.lastReconciledSpec.
func SerializeSpec(spec *flinkv1beta1.FlinkBlueGreenDeploymentSpec) (string, error) {
	raw, err := json.Marshal(reconciledSpec{Spec: *spec})
	if err != nil {
		return "", fmt.Errorf("serializing the reconciled spec: %w", err)
	}
	return string(raw), nil
}

// ParseSpec reads status.lastReconciledSpec; ok is false when nothing was reconciled yet.
func ParseSpec(serialized string) (spec *flinkv1beta1.FlinkBlueGreenDeploymentSpec, ok bool, err error) {
	if serialized == "" {
		return nil, false, nil
	}
	var record reconciledSpec
	if err := json.Unmarshal([]byte(serialized), &record); err != nil {
		return nil, false, fmt.Errorf("status.lastReconciledSpec: %w", err)
	}
	return &record.Spec, true, nil
}
