package deps

import (
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// TestShippedBinariesLinkNoTestLibraries fails when the operator (the module root, built by `make build`) or the
// demo links the testing package or gomega, or when the operator links anything under test/ (the simulation in
// test/sim is for the tests and the demo): test doubles and harnesses live apart from what ships.
func TestShippedBinariesLinkNoTestLibraries(t *testing.T) {
	_, file, _, _ := runtime.Caller(0)
	root := filepath.Join(filepath.Dir(file), "..", "..")
	for _, pkg := range []string{".", "./cmd/teal-demo"} {
		cmd := exec.Command("go", "list", "-deps", pkg)
		cmd.Dir = root
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("go list -deps %s: %v", pkg, err)
		}
		deps := strings.Fields(string(out))
		if len(deps) < 50 {
			t.Fatalf("go list -deps %s listed only %d packages: the check would prove nothing", pkg, len(deps))
		}
		for _, dep := range deps {
			if dep == "testing" || strings.HasPrefix(dep, "github.com/onsi/") {
				t.Errorf("%s links %s", pkg, dep)
			}
			if pkg == "." && strings.HasPrefix(dep, "github.com/teal-flink/teal/test/") {
				t.Errorf("the operator links %s", dep)
			}
		}
	}
}
