package tenant

import (
	"context"
	"sync"
	"testing"

	. "github.com/onsi/gomega"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/teal-flink/teal/test/builders"
)

// warningRecorder collects the admission warnings the API server relays (kubectl prints them as "Warning: …").
type warningRecorder struct {
	mu       sync.Mutex
	messages []string
}

func (w *warningRecorder) HandleWarningHeader(_ int, _ string, message string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.messages = append(w.messages, message)
}

// TestAdmissionWarnsAboutKeysWithoutEffect: keys Teal accepts without acting on them reach the user as
// admission warnings through the real API server, naming the key.
func TestAdmissionWarnsAboutKeysWithoutEffect(t *testing.T) {
	g := NewWithT(t)
	recorder := &warningRecorder{}
	config := rest.CopyConfig(teal.Env.Config)
	config.WarningHandler = recorder
	c, err := client.New(config, client.Options{Scheme: teal.Env.Scheme})
	g.Expect(err).NotTo(HaveOccurred())
	namespace := teal.NewNamespace(g, "warn")
	deployment := builders.NewFlinkDeployment("warned", builders.InNamespace(namespace),
		builders.WithConfig("job.autoscaler.enabled", "true", "kubernetes.operator.job.upgrade.ignore-pending-savepoint", "true"))
	g.Expect(c.Create(context.Background(), deployment, client.DryRunAll)).To(Succeed())
	recorder.mu.Lock()
	defer recorder.mu.Unlock()
	g.Expect(recorder.messages).To(ContainElements(
		ContainSubstring("spec.flinkConfiguration[job.autoscaler.enabled]: is accepted for compatibility but has no effect in Teal: Teal has no autoscaler yet"),
		ContainSubstring("spec.flinkConfiguration[kubernetes.operator.job.upgrade.ignore-pending-savepoint]"),
	))
}
