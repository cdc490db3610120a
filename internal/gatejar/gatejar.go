package gatejar

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// Command is the operator binary's first argument that runs Run (main.go).
const Command = "copy-gate-jar"

// InImage is where the operator image carries the gate jar (hack/images/build.sh, Dockerfile).
const InImage = "/teal-bluegreen-gate.jar"

// Run is the copy-gate-jar command: `teal copy-gate-jar <destination>` copies the jar at InImage to
// destination. src overrides InImage (tests, the local runtime).
func Run(args []string, src string) error {
	if len(args) != 1 || args[0] == "" {
		return errors.New("usage: teal " + Command + " <destination path of the gate jar>")
	}
	if src == "" {
		src = InImage
	}
	return Copy(src, args[0])
}

// Copy writes src to dst through a temporary file in dst's directory and a rename, so that a JVM never sees a
// half-written jar (an init container restarted midway leaves no torn file behind).
func Copy(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return fmt.Errorf("the gate jar: %w (is this the Teal operator image, built after make gate?)", err)
	}
	defer in.Close()
	tmp, err := os.CreateTemp(filepath.Dir(dst), ".teal-gate-*")
	if err != nil {
		return fmt.Errorf("copying the gate jar: %w", err)
	}
	defer os.Remove(tmp.Name()) // a no-op after the rename
	if _, err := io.Copy(tmp, in); err != nil {
		tmp.Close()
		return fmt.Errorf("copying the gate jar to %s: %w", dst, err)
	}
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), dst); err != nil {
		return fmt.Errorf("copying the gate jar to %s: %w", dst, err)
	}
	return nil
}
