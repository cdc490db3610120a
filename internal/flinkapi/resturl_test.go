package flinkapi

import (
	"testing"

	. "github.com/onsi/gomega"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
	"github.com/teal-flink/teal/internal/operatorconfig"
)

// TestRestURLTakesOnlyAPortFromRestPort: a resource's rest.port must not move the host of the address the
// operator calls ("80@victim-rest.b.svc:8081" would make the own host userinfo).
func TestRestURLTakesOnlyAPortFromRestPort(t *testing.T) {
	g := NewWithT(t)
	deployment := &flinkv1beta1.FlinkDeployment{ObjectMeta: metav1.ObjectMeta{Name: "own", Namespace: "a"}}
	url, err := RestURL(operatorconfig.DefaultRestURLTemplate, deployment, map[string]string{"rest.port": "8081"})
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(url).To(Equal("http://own-rest.a.svc:8081"))
	_, err = RestURL(operatorconfig.DefaultRestURLTemplate, deployment, map[string]string{"rest.port": "80@victim-rest.b.svc:8081"})
	g.Expect(err).To(MatchError(ContainSubstring("not a port number")))
}
