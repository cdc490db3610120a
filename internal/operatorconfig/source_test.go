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
