package localruntime

import (
	"testing"

	. "github.com/onsi/gomega"
)

// TestLocalConfigKeepsWhatTheGateReads: the configuration the local processes read keeps kubernetes.namespace
// (the blue/green gate's namespace) while dropping the other Kubernetes keys, and maps the image's /opt/flink
// in URIs and in the JVMs' options (a -javaagent jar the image carries) to the stand-in FLINK_HOME.
func TestLocalConfigKeepsWhatTheGateReads(t *testing.T) {
	g := NewWithT(t)
	local := localConfig(map[string]string{
		"kubernetes.namespace":      "team-a",
		"kubernetes.cluster-id":     "orders",
		"high-availability.type":    "kubernetes",
		"env.java.opts.jobmanager":  "-javaagent:/opt/flink/teal-gate/teal-bluegreen-gate.jar",
		"env.java.opts.taskmanager": "-Xss2m -javaagent:/opt/flink/teal-gate/teal-bluegreen-gate.jar",
		"state.savepoints.dir":      "file:///opt/flink/savepoints",
		"pipeline.name":             "/opt/flink/ is only a path in other keys",
	}, "/tmp/home", "/tmp/dir", []int{1, 2, 3, 4, 5})
	g.Expect(local).To(HaveKeyWithValue("kubernetes.namespace", "team-a"))
	g.Expect(local).NotTo(HaveKey("kubernetes.cluster-id"))
	g.Expect(local).NotTo(HaveKey("high-availability.type"))
	g.Expect(local).To(HaveKeyWithValue("env.java.opts.jobmanager", "-javaagent:/tmp/home/teal-gate/teal-bluegreen-gate.jar"))
	g.Expect(local).To(HaveKeyWithValue("env.java.opts.taskmanager", "-Xss2m -javaagent:/tmp/home/teal-gate/teal-bluegreen-gate.jar"))
	g.Expect(local).To(HaveKeyWithValue("state.savepoints.dir", "file:///tmp/home/savepoints"))
	g.Expect(local).To(HaveKeyWithValue("pipeline.name", "/opt/flink/ is only a path in other keys"))
}
