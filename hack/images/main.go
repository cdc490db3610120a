// Command images writes a container image as a `docker save` tarball without a Docker engine, for the local
// cluster (hack/cluster): `ctr -n k8s.io images import` reads the result.
//
// An image is a stack of layers: tar files made by the caller (-layer, e.g. a Debian root filesystem) and
// files listed on the command line (-file, -dir), which this command packs into one more layer, owned by root
// unless -owner says otherwise. There is no base image: every byte comes from the layers given.
//
//	images -out flink.tar -tag docker.io/library/flink:1.20.3 \
//	  -layer rootfs.tar.gz -layer flink.tar -file entrypoint.sh=/docker-entrypoint.sh:0755 \
//	  -entrypoint /docker-entrypoint.sh -cmd help -env FLINK_HOME=/opt/flink -workdir /opt/flink -port 8081/tcp
package main

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
)

// list is a repeatable string flag.
type list []string

func (l *list) String() string     { return strings.Join(*l, ",") }
func (l *list) Set(v string) error { *l = append(*l, v); return nil }

// options holds the parsed command line.
type options struct {
	out        string
	tags       list
	layers     list
	files      list
	dirs       list
	owner      string
	entrypoint list
	cmd        list
	env        list
	user       string
	workdir    string
	ports      list
}

func main() {
	var o options
	flag.StringVar(&o.out, "out", "", "the image tarball to write")
	flag.Var(&o.tags, "tag", "an image reference to name the image (repeatable)")
	flag.Var(&o.layers, "layer", "a layer: a tar file, gzip-compressed or not (repeatable, bottom first)")
	flag.Var(&o.files, "file", "SRC=DST[:MODE]: a file for the last layer (repeatable)")
	flag.Var(&o.dirs, "dir", "DST[:MODE]: a directory for the last layer (repeatable)")
	flag.StringVar(&o.owner, "owner", "0:0", "UID:GID owning the entries of the last layer")
	flag.Var(&o.entrypoint, "entrypoint", "one word of the entrypoint (repeatable)")
	flag.Var(&o.cmd, "cmd", "one word of the default command (repeatable)")
	flag.Var(&o.env, "env", "KEY=VALUE in the image's environment (repeatable)")
	flag.StringVar(&o.user, "user", "", "the user the image runs as (UID[:GID])")
	flag.StringVar(&o.workdir, "workdir", "", "the working directory")
	flag.Var(&o.ports, "port", "an exposed port, e.g. 8081/tcp (repeatable)")
	flag.Parse()
	if err := run(o); err != nil {
		fmt.Fprintln(os.Stderr, "images:", err)
		os.Exit(1)
	}
}

func run(o options) error {
	if o.out == "" || len(o.tags) == 0 {
		return errors.New("-out and at least one -tag are required")
	}
	refs := make([]name.Reference, 0, len(o.tags))
	for _, t := range o.tags {
		ref, err := name.NewTag(t, name.StrictValidation)
		if err != nil {
			return fmt.Errorf("-tag %q: %w", t, err)
		}
		refs = append(refs, ref)
	}
	var layers []v1.Layer
	for _, p := range o.layers {
		// Layers arriving uncompressed (the Flink distribution: jars compress poorly) are gzipped at the fastest
		// level; a .tar.gz is taken as it is.
		layer, err := tarball.LayerFromFile(p, tarball.WithCompressionLevel(gzip.BestSpeed))
		if err != nil {
			return fmt.Errorf("-layer %s: %w", p, err)
		}
		layers = append(layers, layer)
	}
	if len(o.files)+len(o.dirs) > 0 {
		layer, err := fileLayer(o.files, o.dirs, o.owner)
		if err != nil {
			return err
		}
		layers = append(layers, layer)
	}
	if len(layers) == 0 {
		return errors.New("no layers: give -layer, -file or -dir")
	}

	cfg := &v1.ConfigFile{
		Architecture: "amd64",
		OS:           "linux",
		Created:      v1.Time{Time: time.Unix(0, 0).UTC()},
		Config: v1.Config{
			Entrypoint: o.entrypoint,
			Cmd:        o.cmd,
			Env:        o.env,
			User:       o.user,
			WorkingDir: o.workdir,
		},
	}
	if len(o.ports) > 0 {
		cfg.Config.ExposedPorts = map[string]struct{}{}
		for _, p := range o.ports {
			cfg.Config.ExposedPorts[p] = struct{}{}
		}
	}
	img, err := mutate.ConfigFile(empty.Image, cfg)
	if err != nil {
		return err
	}
	if img, err = mutate.AppendLayers(img, layers...); err != nil {
		return err
	}
	byRef := make(map[name.Reference]v1.Image, len(refs))
	for _, ref := range refs {
		byRef[ref] = img
	}
	tmp := o.out + ".tmp"
	if err := tarball.MultiRefWriteToFile(tmp, byRef); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("writing %s: %w", o.out, err)
	}
	return os.Rename(tmp, o.out)
}

// fileLayer packs the -dir and -file entries into one uncompressed tar layer, parents first, each entry owned by
// owner (UID:GID).
func fileLayer(files, dirs []string, owner string) (v1.Layer, error) {
	uid, gid, err := parseOwner(owner)
	if err != nil {
		return nil, err
	}
	type entry struct {
		dst  string
		src  string // empty for a directory
		mode int64
	}
	entries := map[string]entry{}
	addParents := func(dst string) {
		for dir := path.Dir(dst); dir != "/" && dir != "."; dir = path.Dir(dir) {
			if _, ok := entries[dir]; !ok {
				entries[dir] = entry{dst: dir, mode: 0o755}
			}
		}
	}
	for _, d := range dirs {
		dst, mode, err := splitMode(d, 0o755)
		if err != nil {
			return nil, fmt.Errorf("-dir %q: %w", d, err)
		}
		addParents(dst)
		entries[dst] = entry{dst: dst, mode: mode}
	}
	for _, f := range files {
		src, rest, ok := strings.Cut(f, "=")
		if !ok {
			return nil, fmt.Errorf("-file %q: want SRC=DST[:MODE]", f)
		}
		dst, mode, err := splitMode(rest, 0o644)
		if err != nil {
			return nil, fmt.Errorf("-file %q: %w", f, err)
		}
		addParents(dst)
		entries[dst] = entry{dst: dst, src: src, mode: mode}
	}
	names := make([]string, 0, len(entries))
	for n := range entries {
		names = append(names, n)
	}
	// Sorted paths put every directory before what it holds.
	sort.Strings(names)

	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, n := range names {
		e := entries[n]
		hdr := &tar.Header{Name: strings.TrimPrefix(e.dst, "/"), Mode: e.mode, Uid: uid, Gid: gid, ModTime: time.Unix(0, 0)}
		if e.src == "" {
			hdr.Typeflag = tar.TypeDir
			hdr.Name += "/"
			if err := tw.WriteHeader(hdr); err != nil {
				return nil, err
			}
			continue
		}
		data, err := os.ReadFile(e.src)
		if err != nil {
			return nil, err
		}
		hdr.Typeflag = tar.TypeReg
		hdr.Size = int64(len(data))
		if err := tw.WriteHeader(hdr); err != nil {
			return nil, err
		}
		if _, err := tw.Write(data); err != nil {
			return nil, err
		}
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	data := buf.Bytes()
	return tarball.LayerFromOpener(func() (io.ReadCloser, error) {
		return io.NopCloser(bytes.NewReader(data)), nil
	}, tarball.WithCompressionLevel(gzip.BestSpeed))
}

// splitMode splits "DST[:MODE]" (MODE in octal) and requires an absolute DST.
func splitMode(s string, def int64) (string, int64, error) {
	dst, modeText, hasMode := strings.Cut(s, ":")
	if !path.IsAbs(dst) {
		return "", 0, fmt.Errorf("destination %q must be an absolute path", dst)
	}
	if !hasMode {
		return path.Clean(dst), def, nil
	}
	mode, err := strconv.ParseInt(modeText, 8, 32)
	if err != nil {
		return "", 0, fmt.Errorf("mode %q must be octal, like 0755", modeText)
	}
	return path.Clean(dst), mode, nil
}

// parseOwner parses "UID:GID".
func parseOwner(s string) (int, int, error) {
	u, g, ok := strings.Cut(s, ":")
	uid, err1 := strconv.Atoi(u)
	gid, err2 := strconv.Atoi(g)
	if !ok || err1 != nil || err2 != nil {
		return 0, 0, fmt.Errorf("-owner %q: want UID:GID", s)
	}
	return uid, gid, nil
}
