package flinkdist

import (
	"archive/zip"
	"bufio"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// The Flink versions hack/install-flink.sh installs by default; keep both in step.
const (
	// Flink1 is the verified Flink 1.x release.
	Flink1 = "1.20.3"
	// Flink2 is the verified Flink 2.x release.
	Flink2 = "2.3.0"
)

// TopSpeedWindowingClass is the entry class of the TopSpeedWindowing example: an unbounded, keyed, windowed job
// over generated car data, so it has state to savepoint and restore.
const TopSpeedWindowingClass = "org.apache.flink.streaming.examples.windowing.TopSpeedWindowing"

// Distribution is an installed Flink.
type Distribution struct {
	// Version is the Flink version, such as "1.20.3".
	Version string
	// Home is the installation directory holding lib/, plugins/ and examples/.
	Home string
}

// LibDir is the directory of Flink's runtime jars, the JVM classpath.
func (d Distribution) LibDir() string { return filepath.Join(d.Home, "lib") }

// TopSpeedWindowingJar is the path of the example job jar.
func (d Distribution) TopSpeedWindowingJar() string {
	return filepath.Join(d.Home, "examples", "TopSpeedWindowing.jar")
}

// Locate finds Flink version in <repo>/bin/flink-<version>, then in $TEAL_CACHE/flink/<version> (default
// ~/.cache/teal). The error names the install script.
func Locate(version string) (Distribution, error) {
	var candidates []string
	if root, err := repoRoot(); err == nil {
		candidates = append(candidates, filepath.Join(root, "bin", "flink-"+version))
	}
	cache := os.Getenv("TEAL_CACHE")
	if cache == "" {
		if home, err := os.UserHomeDir(); err == nil {
			cache = filepath.Join(home, ".cache", "teal")
		}
	}
	if cache != "" {
		candidates = append(candidates, filepath.Join(cache, "flink", version))
	}
	for _, home := range candidates {
		dist := Distribution{Version: version, Home: home}
		if isFile(filepath.Join(dist.LibDir(), "flink-dist-"+version+".jar")) && isFile(dist.TopSpeedWindowingJar()) {
			return dist, nil
		}
	}
	return Distribution{}, fmt.Errorf("flink %s is not installed (looked in %s): run hack/install-flink.sh "+
		"(make tools does) to download it from PyPI and Maven Central", version, strings.Join(candidates, ", "))
}

// TB is the part of testing.TB the test helpers use; taking it as an interface keeps the testing package out
// of the programs that link flinkdist (make demo links the local runtime, which links this package).
type TB interface {
	Helper()
	Fatal(args ...any)
	Fatalf(format string, args ...any)
	Errorf(format string, args ...any)
	Logf(format string, args ...any)
	Cleanup(func())
	Failed() bool
	TempDir() string
}

// Require is Locate for tests: a missing distribution fails the test (never skips it).
func Require(t TB, version string) Distribution {
	t.Helper()
	dist, err := Locate(version)
	if err != nil {
		t.Fatal(err)
	}
	return dist
}

// javaModuleFlags returns env.java.opts.all from the default config.yaml packaged in flink-dist: the
// --add-opens/--add-exports list Flink needs on Java 17, maintained upstream per release.
func (d Distribution) javaModuleFlags() ([]string, error) {
	jar := filepath.Join(d.LibDir(), "flink-dist-"+d.Version+".jar")
	archive, err := zip.OpenReader(jar)
	if err != nil {
		return nil, fmt.Errorf("opening %s: %w", jar, err)
	}
	defer archive.Close()
	file, err := archive.Open("config.yaml")
	if err != nil {
		return nil, fmt.Errorf("reading default config.yaml from %s: %w", jar, err)
	}
	defer file.Close()
	// The default file nests env: java: opts: all: <flags> on one line; that line is the only "all:" key.
	scanner := bufio.NewScanner(file)
	scanner.Buffer(make([]byte, 64*1024), 1<<20)
	for scanner.Scan() {
		line := strings.TrimSpace(scanner.Text())
		if flags, ok := strings.CutPrefix(line, "all:"); ok && strings.Contains(flags, "--add-") {
			return strings.Fields(flags), nil
		}
	}
	if err := scanner.Err(); err != nil {
		return nil, fmt.Errorf("reading default config.yaml from %s: %w", jar, err)
	}
	return nil, fmt.Errorf("no env.java.opts.all in the default config.yaml of %s", jar)
}

// repoRoot walks up from the working directory to the directory holding go.mod.
func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", fmt.Errorf("working directory: %w", err)
	}
	for {
		if isFile(filepath.Join(dir, "go.mod")) {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod above the working directory")
		}
		dir = parent
	}
}

func isFile(path string) bool {
	info, err := os.Stat(path)
	return err == nil && info.Mode().Type()&fs.ModeType == 0
}
