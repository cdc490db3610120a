package sequence

import (
	"os"
	"path/filepath"
	"testing"

	. "github.com/onsi/gomega"
)

// TestCountAndSummarise: complete lines of visible files count, quoted or not; hidden (in-progress) files and a
// last line still being written do not; duplicates and gaps show in the summary.
func TestCountAndSummarise(t *testing.T) {
	g := NewWithT(t)
	dir := t.TempDir()
	write := func(name, content string) {
		g.Expect(os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755)).To(Succeed())
		g.Expect(os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644)).To(Succeed())
	}
	write("blue/part-0", "0,100\n1,105\n2,110\n")
	write("green/part-0", "\"2\",110\n4,120\n5,12") // 5 is still being written
	write("green/.part-1.inprogress", "3,115\n")    // not committed yet
	write("green/_SUCCESS", "")

	counts, err := Count(dir)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(counts).To(Equal(map[int64]int{0: 1, 1: 1, 2: 2, 4: 1}))
	g.Expect(Largest(counts)).To(Equal(int64(4)))
	g.Expect(Largest(nil)).To(Equal(int64(-1)))

	s := Summarise("a", counts, 4)
	g.Expect(s).To(Equal(Summary{Sink: "a", Records: 5, Distinct: 4, Duplicates: 1, Missing: 1, First: 0, Last: 4, Cutoff: 4}))
	g.Expect(s.String()).To(Equal("sink a: 5 records, 4 distinct (0..4), duplicates 1, missing 1 in 0..4"))

	missing, err := Count(filepath.Join(dir, "absent"))
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(missing).To(BeEmpty())
}
