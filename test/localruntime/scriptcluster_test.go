package localruntime

import (
	"testing"

	. "github.com/onsi/gomega"
)

// TestLocalConfigKeepsTheNamespaceForTheGate: the configuration the local processes read keeps
// kubernetes.namespace (the blue/green gate finds its ConfigMap's namespace there, as a pod could read its
// service account's) while dropping the other Kubernetes keys, which need Kubernetes.
func TestLocalConfigKeepsTheNamespaceForTheGate(t *testing.T) {
	g := NewWithT(t)
	local := localConfig(map[string]string{
		"kubernetes.namespace":   "team-a",
		"kubernetes.cluster-id":  "orders",
		"high-availability.type": "kubernetes",
		"state.savepoints.dir":   "file:///opt/flink/savepoints",
	}, "/tmp/home", "/tmp/dir", []int{1, 2, 3, 4, 5})
	g.Expect(local).To(HaveKeyWithValue("kubernetes.namespace", "team-a"))
	g.Expect(local).NotTo(HaveKey("kubernetes.cluster-id"))
	g.Expect(local).NotTo(HaveKey("high-availability.type"))
	g.Expect(local).To(HaveKeyWithValue("state.savepoints.dir", "file:///tmp/home/savepoints"))
}
