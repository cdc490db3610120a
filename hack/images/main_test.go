package main

import (
	"archive/tar"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
)

// TestRunWritesAnImageEveryTagNames builds an image from a tar layer and listed files, reads the tarball back
// under each tag, and checks what a container runtime would see: the config and the merged file system.
func TestRunWritesAnImageEveryTagNames(t *testing.T) {
	dir := t.TempDir()
	layer := filepath.Join(dir, "base.tar")
	writeTar(t, layer, map[string]string{"etc/os-release": "base\n", "opt/flink/lib/flink-dist.jar": "jar"})
	script := filepath.Join(dir, "entrypoint.sh")
	if err := os.WriteFile(script, []byte("#!/bin/sh\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "image.tar")
	err := run(options{
		out:        out,
		tags:       list{"docker.io/library/flink:1.20.3", "docker.io/library/flink:1.20"},
		layers:     list{layer},
		files:      list{script + "=/usr/local/bin/docker-entrypoint.sh:0755"},
		dirs:       list{"/tmp:1777"},
		owner:      "9999:9999",
		entrypoint: list{"/usr/local/bin/docker-entrypoint.sh"},
		cmd:        list{"help"},
		env:        list{"FLINK_HOME=/opt/flink"},
		user:       "9999",
		workdir:    "/opt/flink",
		ports:      list{"8081/tcp"},
	})
	if err != nil {
		t.Fatal(err)
	}

	for _, tag := range []string{"docker.io/library/flink:1.20.3", "docker.io/library/flink:1.20"} {
		ref, err := name.NewTag(tag)
		if err != nil {
			t.Fatal(err)
		}
		img, err := tarball.ImageFromPath(out, &ref)
		if err != nil {
			t.Fatalf("%s: %v", tag, err)
		}
		cfg, err := img.ConfigFile()
		if err != nil {
			t.Fatal(err)
		}
		c := cfg.Config
		if cfg.OS != "linux" || cfg.Architecture != "amd64" || len(c.Entrypoint) != 1 || c.Entrypoint[0] != "/usr/local/bin/docker-entrypoint.sh" ||
			len(c.Cmd) != 1 || c.Cmd[0] != "help" || c.User != "9999" || c.WorkingDir != "/opt/flink" ||
			len(c.Env) != 1 || c.Env[0] != "FLINK_HOME=/opt/flink" {
			t.Errorf("%s: config %+v", tag, cfg)
		}
		if _, ok := c.ExposedPorts["8081/tcp"]; !ok {
			t.Errorf("%s: exposed ports %v", tag, c.ExposedPorts)
		}
		if n := len(cfg.RootFS.DiffIDs); n != 2 {
			t.Errorf("%s: %d layers, want 2", tag, n)
		}

		headers := map[string]*tar.Header{}
		rc := mutate.Extract(img)
		tr := tar.NewReader(rc)
		for {
			hdr, err := tr.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			headers[filepath.Clean(hdr.Name)] = hdr
		}
		rc.Close()
		for _, want := range []struct {
			path string
			mode int64
			dir  bool
		}{
			{"etc/os-release", 0o644, false},
			{"opt/flink/lib/flink-dist.jar", 0o644, false},
			{"usr", 0o755, true},
			{"usr/local/bin", 0o755, true},
			{"usr/local/bin/docker-entrypoint.sh", 0o755, false},
			{"tmp", 0o1777, true},
		} {
			hdr, ok := headers[want.path]
			if !ok {
				t.Errorf("%s: %s missing from the file system", tag, want.path)
				continue
			}
			if hdr.Mode&0o7777 != want.mode || (hdr.Typeflag == tar.TypeDir) != want.dir {
				t.Errorf("%s: %s has mode %o (dir %v), want %o (dir %v)", tag, want.path, hdr.Mode, hdr.Typeflag == tar.TypeDir, want.mode, want.dir)
			}
		}
		if hdr := headers["usr/local/bin/docker-entrypoint.sh"]; hdr != nil && (hdr.Uid != 9999 || hdr.Gid != 9999) {
			t.Errorf("%s: entrypoint owned by %d:%d, want 9999:9999", tag, hdr.Uid, hdr.Gid)
		}
	}
}

// TestRunRejectsBadInput: a missing tag, a relative destination and a bad mode or owner are errors, and no
// tarball is left behind.
func TestRunRejectsBadInput(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "f")
	if err := os.WriteFile(file, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "image.tar")
	for _, tc := range []struct {
		name string
		opts options
	}{
		{"no tag", options{out: out, files: list{file + "=/f"}, owner: "0:0"}},
		{"no layers", options{out: out, tags: list{"localhost/x:1"}, owner: "0:0"}},
		{"relative destination", options{out: out, tags: list{"localhost/x:1"}, files: list{file + "=f"}, owner: "0:0"}},
		{"mode not octal", options{out: out, tags: list{"localhost/x:1"}, files: list{file + "=/f:rwx"}, owner: "0:0"}},
		{"owner without group", options{out: out, tags: list{"localhost/x:1"}, files: list{file + "=/f"}, owner: "0"}},
		{"missing source", options{out: out, tags: list{"localhost/x:1"}, files: list{dir + "/nope=/f"}, owner: "0:0"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := run(tc.opts); err == nil {
				t.Fatal("want an error")
			}
			if _, err := os.Stat(out); !os.IsNotExist(err) {
				t.Fatalf("a tarball was written: %v", err)
			}
		})
	}
}

// writeTar writes an uncompressed tar with the given regular files (mode 0644), parents implied.
func writeTar(t *testing.T, path string, files map[string]string) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	tw := tar.NewWriter(f)
	for name, content := range files {
		if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: int64(len(content)), Typeflag: tar.TypeReg}); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write([]byte(content)); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
}
