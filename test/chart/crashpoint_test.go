package chart_test

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	. "github.com/onsi/gomega"

	"github.com/teal-flink/teal/internal/failpoint"
)

// TestChartDoesNotExposeTheCrashPoint: TEAL_CRASH_AT makes the operator kill itself at a chosen step; it is for
// the crash tests only (docs/testing.md), so no file of the chart — values, templates, README — may name it.
func TestChartDoesNotExposeTheCrashPoint(t *testing.T) {
	g := NewWithT(t)
	files := 0
	g.Expect(filepath.WalkDir(chartDir(), func(path string, entry fs.DirEntry, err error) error {
		if err != nil || entry.IsDir() {
			return err
		}
		content, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		files++
		g.Expect(strings.Contains(string(content), failpoint.EnvVar)).To(BeFalse(), "%s names %s", path, failpoint.EnvVar)
		return nil
	})).To(Succeed())
	g.Expect(files).To(BeNumerically(">", 5), "the chart's files were read")
}
