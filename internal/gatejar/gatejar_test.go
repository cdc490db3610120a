package gatejar

import (
	"os"
	"path/filepath"
	"testing"

	. "github.com/onsi/gomega"
)

func TestRunCopiesTheJar(t *testing.T) {
	g := NewWithT(t)
	dir := t.TempDir()
	src := filepath.Join(dir, "in.jar")
	g.Expect(os.WriteFile(src, []byte("PK jar"), 0o600)).To(Succeed())
	dst := filepath.Join(dir, "out", "teal-bluegreen-gate.jar")
	g.Expect(os.Mkdir(filepath.Dir(dst), 0o755)).To(Succeed())

	g.Expect(Run([]string{dst}, src)).To(Succeed())
	got, err := os.ReadFile(dst)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(string(got)).To(Equal("PK jar"))
	info, err := os.Stat(dst)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(info.Mode().Perm()).To(Equal(os.FileMode(0o644)), "readable by the flink user")
	entries, _ := os.ReadDir(filepath.Dir(dst))
	g.Expect(entries).To(HaveLen(1), "no temporary file left")
}

func TestRunErrors(t *testing.T) {
	g := NewWithT(t)
	g.Expect(Run(nil, "")).To(MatchError(ContainSubstring("usage: teal copy-gate-jar")))
	err := Run([]string{filepath.Join(t.TempDir(), "x.jar")}, filepath.Join(t.TempDir(), "missing.jar"))
	g.Expect(err).To(MatchError(ContainSubstring("make gate")))
}
