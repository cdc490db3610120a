// Package sequence reads back the outputs of the gate's test jobs (gate/testjobs): every record carries a sequence
// number, so the files both blue/green children wrote show each duplicate and each gap. The end-to-end suites on
// real Flink (test/e2e) and on real pods (test/e2ecluster) count with it.
package sequence

import (
	"bufio"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// Count reads every visible file under dir: the append sinks' files (only complete lines: a writer may be in the
// middle of one) and the committed part files of the FileSink and the SQL filesystem sink (in-progress and pending
// files are hidden, their names start with a dot or an underscore). It returns how often each sequence number was
// written; a directory not created yet counts nothing.
func Count(dir string) (map[int64]int, error) {
	counts := map[int64]int{}
	err := filepath.WalkDir(dir, func(path string, entry fs.DirEntry, err error) error {
		if err != nil {
			if os.IsNotExist(err) {
				return nil // a directory not created yet, or an in-progress file renamed while walking
			}
			return err
		}
		name := entry.Name()
		if entry.IsDir() || strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") {
			return nil
		}
		return countFile(path, counts)
	})
	return counts, err
}

// countFile adds the sequence numbers of one file's complete lines (the first CSV field, quoted or not).
func countFile(path string, counts map[int64]int) error {
	file, err := os.Open(path)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		return err
	}
	defer file.Close()
	reader := bufio.NewReader(file)
	for {
		line, err := reader.ReadString('\n')
		if err != nil {
			return nil // end of file; a last line without its newline is still being written
		}
		field, _, _ := strings.Cut(strings.TrimSpace(line), ",")
		if field == "" {
			continue
		}
		seq, err := strconv.ParseInt(strings.Trim(field, `"`), 10, 64)
		if err != nil {
			return fmt.Errorf("%s: line %q: %w", path, line, err)
		}
		counts[seq]++
	}
}

// Largest is the largest sequence number counted (-1 before any).
func Largest(counts map[int64]int) int64 {
	last := int64(-1)
	for seq := range counts {
		last = max(last, seq)
	}
	return last
}

// Summary is what one sink's outputs (both children's files) hold.
type Summary struct {
	// Sink names the sink (empty for a job with one).
	Sink string
	// Records is every line read; Distinct the sequence numbers among them.
	Records, Distinct int
	// Duplicates counts the extra copies: a sequence number written n times adds n-1.
	Duplicates int
	// Missing counts the sequence numbers absent from 0..Cutoff.
	Missing int
	// First and Last are the smallest and largest sequence numbers read.
	First, Last int64
	// Cutoff is the end of the range checked for gaps.
	Cutoff int64
}

// String reports the summary for a test log or a failed assertion.
func (s Summary) String() string {
	prefix := ""
	if s.Sink != "" {
		prefix = "sink " + s.Sink + ": "
	}
	return fmt.Sprintf("%s%d records, %d distinct (%d..%d), duplicates %d, missing %d in 0..%d",
		prefix, s.Records, s.Distinct, s.First, s.Last, s.Duplicates, s.Missing, s.Cutoff)
}

// Summarise counts one sink's sequence numbers, gaps checked in 0..cutoff.
func Summarise(sink string, counts map[int64]int, cutoff int64) Summary {
	s := Summary{Sink: sink, Distinct: len(counts), First: -1, Last: -1, Cutoff: cutoff}
	for seq, n := range counts {
		s.Records += n
		s.Duplicates += n - 1
		if s.First < 0 || seq < s.First {
			s.First = seq
		}
		s.Last = max(s.Last, seq)
	}
	for seq := int64(0); seq <= cutoff; seq++ {
		if counts[seq] == 0 {
			s.Missing++
		}
	}
	return s
}
