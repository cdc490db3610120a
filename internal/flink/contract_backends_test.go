package flink_test

import (
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/teal-flink/teal/test/sim/flinkdist"
	"github.com/teal-flink/teal/test/sim/flinkstandin"
	"github.com/teal-flink/teal/test/sim/flinkstandin/openapi"
)

// loadSpec loads the OpenAPI spec of the Flink line of version: 1.20 for 1.x, 2.1 (current through 2.2) for 2.x.
func loadSpec(t testing.TB, version string) *openapi.Spec {
	t.Helper()
	dir, err := openapi.SpecDir()
	if err != nil {
		t.Fatal(err)
	}
	file := "rest_v1_dispatcher-1.20.yml"
	if version[0] == '2' {
		file = "rest_v1_dispatcher-2.1.yml"
	}
	spec, err := openapi.Load(filepath.Join(dir, file))
	if err != nil {
		t.Fatal(err)
	}
	return spec
}

// startStandIn starts a stand-in JobManager for one test (instant, uploads under stateDir) and returns it, a jar
// to upload, and an HTTP client whose every exchange is checked against Flink's OpenAPI spec for the line.
func startStandIn(t *testing.T, stateDir string, opts flinkstandin.Options) (*flinkstandin.Server, string, *http.Client, *openapi.Recorder) {
	opts.Instant, opts.UploadDir = true, filepath.Join(stateDir, "upload")
	server, err := flinkstandin.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(server.Close)
	jar := filepath.Join(stateDir, "TopSpeedWindowing.jar")
	if err := os.WriteFile(jar, []byte("PK\x03\x04 stand-in jar"), 0o644); err != nil {
		t.Fatal(err)
	}
	recorder := &openapi.Recorder{}
	transport := openapi.Transport(loadSpec(t, opts.FlinkVersion), http.DefaultTransport, recorder)
	return server, jar, &http.Client{Transport: transport}, recorder
}

// TestContractStandIn runs the contract against the stand-in serving each Flink line's wire shapes.
func TestContractStandIn(t *testing.T) {
	for _, version := range []string{flinkdist.Flink1, flinkdist.Flink2} {
		t.Run(version, func(t *testing.T) {
			t.Parallel()
			stateDir := t.TempDir()
			server, jar, httpClient, recorder := startStandIn(t, stateDir, flinkstandin.Options{FlinkVersion: version,
				CheckpointDir: filepath.Join(stateDir, "checkpoints")})
			spec := loadSpec(t, version)
			backend := contractBackend{url: server.URL(), jarPath: jar, stateDir: stateDir,
				waitTimeout: 5 * time.Second, pollInterval: 10 * time.Millisecond, httpClient: httpClient}
			runContract(t, backend)
			runStateContract(t, backend)
			if failures := recorder.Failures(); len(failures) > 0 {
				t.Fatalf("%d of %d exchanges violate %s:\n%v", len(failures), recorder.Checked(), spec.Name,
					errors.Join(failures...))
			}
			if recorder.Checked() < 20 {
				t.Fatalf("only %d exchanges validated; the transport is not in the path", recorder.Checked())
			}
		})
	}
}

// TestContractFlink runs the contract against real Flink session clusters, both lines in parallel. A missing
// installation fails the test with the command that installs it.
func TestContractFlink(t *testing.T) {
	for _, version := range []string{flinkdist.Flink1, flinkdist.Flink2} {
		t.Run(version, func(t *testing.T) {
			t.Parallel()
			stateDir := t.TempDir()
			// web.cancel.enable off as the operator configures every cluster: the REST cancel the operator
			// sends must keep working (the option only hides the web UI's button).
			session := flinkdist.StartSessionForTest(t, version, flinkdist.SessionOptions{
				Dir: filepath.Join(stateDir, "cluster"), WithoutDefaultSavepointDir: true,
				Config: map[string]string{"web.cancel.enable": "false"}})
			dist := flinkdist.Require(t, version)
			backend := contractBackend{url: session.RESTURL, jarPath: dist.TopSpeedWindowingJar(),
				stateDir: stateDir, waitTimeout: 2 * time.Minute, pollInterval: 500 * time.Millisecond}
			runContract(t, backend)
			runStateContract(t, backend)
		})
	}
}
