package webhook

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	. "github.com/onsi/gomega"

	"github.com/teal-flink/teal/test/testenv"
)

const invalidManifest = `apiVersion: flink.apache.org/v1beta1
kind: FlinkDeployment
metadata:
  name: kubectl-bad
  namespace: kubectl
spec:
  image: flink:1.20
  flinkVersion: v1_20
  serviceAccount: flink
  flinkConfiguration:
    state.checkpoints.dir: file:///flink-data/checkpoints
  jobManager:
    resources: {requests: {memory: 2Gi, cpu: "1"}}
  taskManager:
    resources: {requests: {memory: 2Gi, cpu: "1"}}
  job:
    jarURI: local:///opt/flink/examples/streaming/StateMachineExample.jar
    parallelism: 2
    upgradeMode: savepoint
`

const deprecatedManifest = `apiVersion: flink.apache.org/v1beta1
kind: FlinkDeployment
metadata:
  name: kubectl-old
  namespace: kubectl
spec:
  image: flink:1.17
  flinkVersion: v1_17
  serviceAccount: flink
  jobManager:
    resource: {memory: 2048m, cpu: 1}
  taskManager:
    resources: {requests: {memory: 2Gi, cpu: "1"}}
`

// kubectl runs the real kubectl against the test control plane.
func kubectl(t *testing.T, args ...string) (string, error) {
	dir := t.TempDir()
	kubeconfig, err := env.Kubeconfig(dir)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.CommandContext(context.Background(), testenv.KubectlPath(), append([]string{"--kubeconfig", kubeconfig}, args...)...)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

func writeManifest(t *testing.T, content string) string {
	path := filepath.Join(t.TempDir(), "manifest.yaml")
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestKubectlApplyPrintsTheRejection(t *testing.T) {
	g := NewWithT(t)
	out, err := kubectl(t, "create", "namespace", "kubectl")
	g.Expect(err).NotTo(HaveOccurred(), out)

	out, err = kubectl(t, "apply", "-f", writeManifest(t, invalidManifest))
	g.Expect(err).To(HaveOccurred(), out)
	var exitErr *exec.ExitError
	g.Expect(err).To(BeAssignableToTypeOf(exitErr))
	g.Expect(out).To(ContainSubstring(`The FlinkDeployment "kubectl-bad" is invalid`))
	g.Expect(out).To(ContainSubstring(`spec.job.upgradeMode: Invalid value: "savepoint"`))
	g.Expect(out).To(ContainSubstring("state.savepoints.dir"))

	out, err = kubectl(t, "apply", "--dry-run=server", "-f", writeManifest(t, invalidManifest))
	g.Expect(err).To(HaveOccurred(), out)
	g.Expect(out).To(ContainSubstring("spec.job.upgradeMode"))

	out, err = kubectl(t, "apply", "-f", writeManifest(t, deprecatedManifest))
	g.Expect(err).NotTo(HaveOccurred(), out)
	g.Expect(out).To(ContainSubstring("Warning: spec.flinkVersion: Flink v1_17 is deprecated"))
	g.Expect(out).To(ContainSubstring("Warning: spec.jobManager.resource is deprecated"))
}
