package reconciled

import (
	"encoding/json"
	"reflect"
)

// SameSpec compares two reconciled-spec records by their spec only: the firstDeployment flag in the metadata
// differs between the record written on the first deployment and the stable copy of a later one.
func SameSpec(a, b string) bool {
	var left, right struct {
		Spec any `json:"spec"`
	}
	if json.Unmarshal([]byte(a), &left) != nil || json.Unmarshal([]byte(b), &right) != nil {
		return a == b
	}
	return reflect.DeepEqual(left.Spec, right.Spec)
}
