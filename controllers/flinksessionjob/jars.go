package flinksessionjob

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strings"
	"sync"
)

// JarFetcher downloads job jars once and keeps them on local disk for uploads to session clusters. Which schemes
// a jarURI may use is the validators' business (kubernetes.operator.user.artifacts.allowed-schemes).
type JarFetcher struct {
	// Dir holds the downloaded jars; empty uses a directory under the OS temp dir.
	Dir string
	// HTTPClient downloads http(s) jars; nil uses http.DefaultClient.
	HTTPClient *http.Client

	mu sync.Mutex
}

// Fetch returns a local path of the jar at jarURI: http(s) URIs are downloaded (cached by URI), file: URIs and
// plain paths are used in place.
func (f *JarFetcher) Fetch(ctx context.Context, jarURI string) (string, error) {
	parsed, err := url.Parse(jarURI)
	if err != nil {
		return "", err
	}
	switch strings.ToLower(parsed.Scheme) {
	case "", "file", "local":
		return parsed.Path, nil
	case "http", "https":
	default:
		return "", fmt.Errorf("cannot fetch jars over %q", parsed.Scheme)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	dir := f.Dir
	if dir == "" {
		dir = filepath.Join(os.TempDir(), "teal-jars")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	sum := sha256.Sum256([]byte(jarURI))
	name := path.Base(parsed.Path)
	if !strings.HasSuffix(name, ".jar") {
		name += ".jar"
	}
	target := filepath.Join(dir, hex.EncodeToString(sum[:8]), name)
	if _, err := os.Stat(target); err == nil {
		return target, nil
	}
	request, err := http.NewRequestWithContext(ctx, http.MethodGet, jarURI, nil)
	if err != nil {
		return "", err
	}
	httpClient := f.HTTPClient
	if httpClient == nil {
		httpClient = http.DefaultClient
	}
	response, err := httpClient.Do(request)
	if err != nil {
		return "", err
	}
	defer response.Body.Close()
	if response.StatusCode != http.StatusOK {
		return "", fmt.Errorf("GET %s: %s", jarURI, response.Status)
	}
	if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
		return "", err
	}
	// Written aside and renamed, so a failed download never leaves a truncated jar in the cache.
	partial := target + ".part"
	out, err := os.Create(partial)
	if err != nil {
		return "", err
	}
	if _, err := io.Copy(out, response.Body); err != nil {
		out.Close()
		return "", err
	}
	if err := out.Close(); err != nil {
		return "", err
	}
	return target, os.Rename(partial, target)
}
