package localruntime

import (
	"testing"

	. "github.com/onsi/gomega"
)

// TestLocalConfigKeepsWhatTheGateReads: the configuration the local processes read keeps kubernetes.namespace
// (the blue/green gate's namespace) while dropping the other Kubernetes keys, and maps paths in the JVMs'
// options (the gate's -javaagent jar) through the pod's mounts, else the image's /opt/flink to the stand-in
// FLINK_HOME.
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
		"env.java.opts.all":         "-javaagent:/opt/teal/gate.jar --add-exports=java.base/sun.net.util=ALL-UNNAMED -Dx=/etc/x",
	}, "/tmp/home", "/tmp/dir", []int{1, 2, 3, 4, 5}, (&PodRun{Mounts: map[string]string{"/opt/teal": "/tmp/dir/volumes/teal-gate"}}).HostPath)
	g.Expect(local).To(HaveKeyWithValue("kubernetes.namespace", "team-a"))
	g.Expect(local).NotTo(HaveKey("kubernetes.cluster-id"))
	g.Expect(local).NotTo(HaveKey("high-availability.type"))
	g.Expect(local).To(HaveKeyWithValue("env.java.opts.jobmanager", "-javaagent:/tmp/home/teal-gate/teal-bluegreen-gate.jar"))
	g.Expect(local).To(HaveKeyWithValue("env.java.opts.taskmanager", "-Xss2m -javaagent:/tmp/home/teal-gate/teal-bluegreen-gate.jar"))
	g.Expect(local).To(HaveKeyWithValue("env.java.opts.all", "-javaagent:/tmp/dir/volumes/teal-gate/gate.jar --add-exports=java.base/sun.net.util=ALL-UNNAMED -Dx=/etc/x"),
		"a path under a mount goes through the mount; others stay")
	g.Expect(local).To(HaveKeyWithValue("state.savepoints.dir", "file:///tmp/home/savepoints"))
	g.Expect(local).To(HaveKeyWithValue("pipeline.name", "/opt/flink/ is only a path in other keys"))
}
