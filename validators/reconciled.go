package validators

import (
	"sort"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
	"github.com/teal-flink/teal/internal/reconciled"
)

// lastReconciledSpec reads upstream's lastReconciledSpec record
// ({"spec":{…},"resource_metadata":{"apiVersion":…,"firstDeployment":…}}); nil when nothing was deployed. A
// record that cannot be parsed is treated as absent: the controller writes it, so the user could not fix it,
// and rejecting every later change would leave the resource stuck.
func lastReconciledSpec(record string) *flinkv1beta1.FlinkDeploymentSpec {
	spec, _, ok, err := reconciled.Parse[flinkv1beta1.FlinkDeploymentSpec](record)
	if err != nil || !ok {
		return nil
	}
	return &spec
}

// lastReconciledSessionJobSpec is lastReconciledSpec for session jobs.
func lastReconciledSessionJobSpec(record string) *flinkv1beta1.FlinkSessionJobSpec {
	spec, _, ok, err := reconciled.Parse[flinkv1beta1.FlinkSessionJobSpec](record)
	if err != nil || !ok {
		return nil
	}
	return &spec
}

func sortedKeys[K ~string, V any](m map[K]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, string(k))
	}
	sort.Strings(keys)
	return keys
}
