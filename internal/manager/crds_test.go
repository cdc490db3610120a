package manager

import (
	"errors"
	"testing"

	. "github.com/onsi/gomega"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
)

func TestMissingKinds(t *testing.T) {
	served := func(kinds ...string) *metav1.APIResourceList {
		list := &metav1.APIResourceList{}
		for _, kind := range kinds {
			list.APIResources = append(list.APIResources, metav1.APIResource{Kind: kind})
		}
		return list
	}
	for _, tc := range []struct {
		name      string
		resources *metav1.APIResourceList
		err       error
		want      []string
	}{
		{"all served", served(flinkv1beta1.Kinds...), nil, nil},
		{"one CRD not established yet", served("FlinkDeployment", "FlinkSessionJob", "FlinkStateSnapshot"), nil, []string{"FlinkBlueGreenDeployment"}},
		{"group version not served", nil, errors.New(`the server could not find the requested resource`), flinkv1beta1.Kinds},
	} {
		t.Run(tc.name, func(t *testing.T) { NewWithT(t).Expect(MissingKinds(tc.resources, tc.err)).To(Equal(tc.want)) })
	}
}
