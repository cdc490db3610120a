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
	"time"

	"github.com/teal-flink/teal/internal/operatorconfig"
)

// JarFetcher downloads job jars once and keeps them on local disk for uploads to session clusters. Which schemes
// a jarURI may use is the validators' business (kubernetes.operator.user.artifacts.allowed-schemes).
type JarFetcher struct {
	// Dir holds the downloaded jars when the operator configuration sets no
	// kubernetes.operator.user.artifacts.base.dir; empty uses a directory under the OS temp dir.
	Dir string
	// HTTPClient downloads http(s) jars; nil uses a client with DefaultDownloadTimeout.
	HTTPClient *http.Client

	// locks holds one mutex per cached jar: downloads of different jars run in parallel, a second request for
	// the same jar waits for the first and then finds it cached.
	locks sync.Map
}

// DefaultDownloadTimeout bounds one jar download, so that a server that never answers cannot hold a reconcile.
const DefaultDownloadTimeout = 5 * time.Minute

// FetchOptions are the operator settings a download uses.
type FetchOptions struct {
	// BaseDir is kubernetes.operator.user.artifacts.base.dir; empty uses the fetcher's Dir.
	BaseDir string
	// Headers are kubernetes.operator.user.artifacts.http.header, sent with http(s) downloads.
	Headers map[string]string
}

// FetchOptionsFrom reads the artifact settings from the operator configuration in force for a job.
func FetchOptionsFrom(config *operatorconfig.Config) (FetchOptions, error) {
	options := FetchOptions{}
	if config.IsSet(operatorconfig.KeyArtifactsBaseDir) {
		options.BaseDir = config.String(operatorconfig.KeyArtifactsBaseDir)
	}
	if raw := config.String(operatorconfig.KeyArtifactsHTTPHeader); raw != "" {
		headers, err := operatorconfig.ParseMap(raw)
		if err != nil {
			return FetchOptions{}, fmt.Errorf("%s: %w", operatorconfig.KeyArtifactsHTTPHeader, err)
		}
		options.Headers = headers
	}
	return options, nil
}

var defaultDownloadClient = &http.Client{Timeout: DefaultDownloadTimeout}

// Fetch returns a local path of the jar at jarURI: http(s) URIs are downloaded (cached by URI), file: URIs and
// plain paths are used in place.
func (f *JarFetcher) Fetch(ctx context.Context, jarURI string, options FetchOptions) (string, error) {
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
	dir := options.BaseDir
	if dir == "" {
		dir = f.Dir
	}
	if dir == "" {
		dir = filepath.Join(os.TempDir(), "teal-jars")
	}
	sum := sha256.Sum256([]byte(jarURI))
	name := path.Base(parsed.Path)
	if !strings.HasSuffix(name, ".jar") {
		name += ".jar"
	}
	target := filepath.Join(dir, hex.EncodeToString(sum[:8]), name)
	lock, _ := f.locks.LoadOrStore(target, &sync.Mutex{})
	lock.(*sync.Mutex).Lock()
	defer lock.(*sync.Mutex).Unlock()
	if _, err := os.Stat(target); err == nil {
		return target, nil
	}
	request, err := http.NewRequestWithContext(ctx, http.MethodGet, jarURI, nil)
	if err != nil {
		return "", err
	}
	for header, value := range options.Headers {
		request.Header.Set(header, value)
	}
	httpClient := f.HTTPClient
	if httpClient == nil {
		httpClient = defaultDownloadClient
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
