package deps

import (
	"encoding/json"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// TestNoControllerImportsAnotherController fails when a package under controllers/ imports another package
// under controllers/ (in its shipped code; tests may run another kind's controller). What two controllers share
// — job operations, snapshot logic, the Flink interface — lives in internal packages of its own (jobops,
// snapshots, flinkapi), so no controller depends on another one's internals.
func TestNoControllerImportsAnotherController(t *testing.T) {
	_, file, _, _ := runtime.Caller(0)
	root := filepath.Join(filepath.Dir(file), "..", "..")
	cmd := exec.Command("go", "list", "-json=ImportPath,Imports", "./controllers/...")
	cmd.Dir = root
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list ./controllers/...: %v", err)
	}
	const prefix = "github.com/teal-flink/teal/controllers/"
	decoder := json.NewDecoder(strings.NewReader(string(out)))
	listed := 0
	for decoder.More() {
		var pkg struct {
			ImportPath string
			Imports    []string
		}
		if err := decoder.Decode(&pkg); err != nil {
			t.Fatalf("decoding go list: %v", err)
		}
		listed++
		for _, imported := range pkg.Imports {
			if strings.HasPrefix(imported, prefix) && imported != pkg.ImportPath {
				t.Errorf("%s imports %s: move what they share into an internal package", pkg.ImportPath, imported)
			}
		}
	}
	if listed < 4 {
		t.Fatalf("go list found only %d controller packages: the check would prove nothing", listed)
	}
}
