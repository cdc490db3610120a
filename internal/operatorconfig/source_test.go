package operatorconfig

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	. "github.com/onsi/gomega"
)

func TestLoadReadsNestedAndFlatKeys(t *testing.T) {
	g := NewWithT(t)
	config, err := Parse([]byte("kubernetes.operator.reconcile.interval: 30 s\nkubernetes:\n  operator:\n    job:\n      savepoint-on-deletion: true\n"))
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(config.DurationOr(KeyReconcileInterval)).To(Equal(30 * time.Second))
	g.Expect(config.Bool(KeySavepointOnDeletion)).To(BeTrue())
	_, err = Parse([]byte("- a list"))
	g.Expect(err).To(HaveOccurred())
}

// A ConfigMap update reaches a mounted file by swapping a symlink; with dynamic configuration enabled the
// operator picks it up without a restart.
func TestSourceReloadsWhenTheMountedFileChanges(t *testing.T) {
	g := NewWithT(t)
	dir := t.TempDir()
	write := func(content string) {
		data := filepath.Join(dir, "..data-"+time.Now().Format("150405.000000000"))
		g.Expect(os.MkdirAll(data, 0o755)).To(Succeed())
		g.Expect(os.WriteFile(filepath.Join(data, "config.yaml"), []byte(content), 0o644)).To(Succeed())
		link := filepath.Join(dir, "..data.tmp")
		g.Expect(os.Symlink(data, link)).To(Succeed())
		g.Expect(os.Rename(link, filepath.Join(dir, "..data"))).To(Succeed())
	}
	write("kubernetes.operator.dynamic.config.enabled: true\nkubernetes.operator.reconcile.interval: 30 s\n")
	path := filepath.Join(dir, "config.yaml")
	g.Expect(os.Symlink(filepath.Join("..data", "config.yaml"), path)).To(Succeed())

	initial, err := Load(path)
	g.Expect(err).NotTo(HaveOccurred())
	source := NewSource(path, initial)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- source.Start(ctx) }()
	defer func() {
		cancel()
		g.Expect(<-done).To(Succeed())
	}()

	g.Eventually(func() time.Duration {
		write("kubernetes.operator.dynamic.config.enabled: true\nkubernetes.operator.reconcile.interval: 45 s\n")
		return source.Current().DurationOr(KeyReconcileInterval)
	}, 10*time.Second, 100*time.Millisecond).Should(Equal(45 * time.Second))
}

func TestSourceStaysPutWithoutDynamicConfig(t *testing.T) {
	g := NewWithT(t)
	path := filepath.Join(t.TempDir(), "config.yaml")
	g.Expect(os.WriteFile(path, []byte("kubernetes.operator.reconcile.interval: 30 s\n"), 0o644)).To(Succeed())
	initial, err := Load(path)
	g.Expect(err).NotTo(HaveOccurred())
	source := NewSource(path, initial)
	g.Expect(source.Start(context.Background())).To(Succeed(), "returns at once: nothing to watch")
	g.Expect(source.Current()).To(BeIdenticalTo(initial))
}

type recordedEvent struct{ EventType, Reason, Message string }

// TestReloadKeepsTheLastGoodConfiguration: a malformed value on reload is a Warning event and the previous
// configuration stays in force (before the fix a malformed value was silently replaced by its default).
func TestReloadKeepsTheLastGoodConfiguration(t *testing.T) {
	g := NewWithT(t)
	path := filepath.Join(t.TempDir(), "config.yaml")
	g.Expect(os.WriteFile(path, []byte("kubernetes.operator.reconcile.interval: 30 s\nkubernetes.operator.retry.max.attempts: 3\n"), 0o644)).To(Succeed())
	initial, err := Load(path)
	g.Expect(err).NotTo(HaveOccurred())
	source := NewSource(path, initial)
	var events []recordedEvent
	source.SetReporter(func(eventType, reason, message string) {
		events = append(events, recordedEvent{eventType, reason, message})
	})
	g.Expect(events).To(ConsistOf(recordedEvent{"Warning", ReasonConfigUnsupported,
		`kubernetes.operator.retry.max.attempts="3" has no effect in Teal: ` + noteRetries}), "warned keys are events at load")

	events = nil
	g.Expect(os.WriteFile(path, []byte("kubernetes.operator.reconcile.interval: soon\n"), 0o644)).To(Succeed())
	source.Reload()
	g.Expect(source.Current()).To(BeIdenticalTo(initial))
	g.Expect(events).To(ConsistOf(HaveField("Reason", ReasonConfigInvalid)))
	g.Expect(events[0].Message).To(ContainSubstring(KeyReconcileInterval))

	events = nil
	var changed []string
	source.OnChange(func(previous, next *Config) { changed = append(changed, next.String(KeyReconcileInterval)) })
	g.Expect(os.WriteFile(path, []byte("kubernetes.operator.reconcile.interval: 45 s\n"), 0o644)).To(Succeed())
	source.Reload()
	g.Expect(source.Current().DurationOr(KeyReconcileInterval)).To(Equal(45 * time.Second))
	g.Expect(events).To(ConsistOf(HaveField("Reason", ReasonConfigReloaded)))
	g.Expect(changed).To(Equal([]string{"45 s"}))
}
