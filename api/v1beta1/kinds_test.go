package v1beta1

import (
	"reflect"
	"strings"
	"testing"

	. "github.com/onsi/gomega"
	"k8s.io/apimachinery/pkg/runtime"
)

// TestKindsAreTheRegisteredKinds: Kinds names exactly the kinds this package registers, lists aside, so the
// operator's CRD wait and the policy validator cover a kind added later.
func TestKindsAreTheRegisteredKinds(t *testing.T) {
	g := NewWithT(t)
	scheme := runtime.NewScheme()
	g.Expect(AddToScheme(scheme)).To(Succeed())
	var registered []string
	ours := reflect.TypeOf(FlinkDeployment{}).PkgPath()
	for kind, typ := range scheme.KnownTypes(GroupVersion) {
		// The scheme also registers metav1's option kinds under every group version.
		if typ.PkgPath() == ours && !strings.HasSuffix(kind, "List") {
			registered = append(registered, kind)
		}
	}
	g.Expect(registered).To(ConsistOf(Kinds))
}
