// Package reconciled reads and writes the spec records kept in status.reconciliationStatus
// (lastReconciledSpec, lastStableSpec) in the Apache Flink Kubernetes Operator's format,
// {"spec":{…},"resource_metadata":{"apiVersion":"flink.apache.org/v1beta1","firstDeployment":true}}, so that a
// resource deployed by the Apache operator can be taken over by Teal, and back, without restarting its job.
package reconciled

import (
	"encoding/json"
	"fmt"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
)

// Metadata is upstream's resource_metadata.
type Metadata struct {
	APIVersion      string `json:"apiVersion,omitempty"`
	FirstDeployment bool   `json:"firstDeployment"`
}

type record[Spec any] struct {
	Spec     Spec     `json:"spec"`
	Metadata Metadata `json:"resource_metadata"`
}

// Serialize renders spec with its metadata as upstream does.
func Serialize[Spec any](spec Spec, firstDeployment bool) (string, error) {
	raw, err := json.Marshal(record[Spec]{
		Spec:     spec,
		Metadata: Metadata{APIVersion: flinkv1beta1.GroupVersion.String(), FirstDeployment: firstDeployment},
	})
	if err != nil {
		return "", fmt.Errorf("serializing the reconciled spec: %w", err)
	}
	return string(raw), nil
}

// Parse reads a record written by Serialize or by upstream. An empty string means nothing was deployed yet:
// ok is false.
func Parse[Spec any](serialized string) (spec Spec, meta Metadata, ok bool, err error) {
	if serialized == "" {
		return spec, meta, false, nil
	}
	var parsed record[Spec]
	if err := json.Unmarshal([]byte(serialized), &parsed); err != nil {
		return spec, meta, false, fmt.Errorf("parsing the reconciled spec: %w", err)
	}
	return parsed.Spec, parsed.Metadata, true, nil
}
