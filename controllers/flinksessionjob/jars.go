package flinksessionjob

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/minio/minio-go/v7"
	miniocredentials "github.com/minio/minio-go/v7/pkg/credentials"

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
	// S3 reaches s3:// (s3a, s3p) jars: Flink's own s3.* options of the session cluster and the job.
	S3 S3Options
}

// S3Options are the Flink s3.* options Teal reads to fetch s3:// jars the way Flink's S3 file systems would.
type S3Options struct {
	// Endpoint is s3.endpoint (empty: AWS, s3.amazonaws.com).
	Endpoint string
	// AccessKey and SecretKey are s3.access-key and s3.secret-key (empty: anonymous).
	AccessKey, SecretKey string
	// PathStyle is s3.path.style.access.
	PathStyle bool
	// Region is s3.region (empty: from the endpoint).
	Region string
}

// S3OptionsFrom reads the s3.* options from a flat Flink configuration.
func S3OptionsFrom(flinkConfig map[string]string) S3Options {
	pathStyle, _ := strconv.ParseBool(strings.TrimSpace(flinkConfig["s3.path.style.access"]))
	return S3Options{
		Endpoint: strings.TrimSpace(flinkConfig["s3.endpoint"]), AccessKey: flinkConfig["s3.access-key"],
		SecretKey: flinkConfig["s3.secret-key"], PathStyle: pathStyle, Region: strings.TrimSpace(flinkConfig["s3.region"]),
	}
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
	scheme := strings.ToLower(parsed.Scheme)
	switch scheme {
	case "", "file", "local":
		return parsed.Path, nil
	case "http", "https", "s3", "s3a", "s3p":
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
	var body io.ReadCloser
	if scheme == "http" || scheme == "https" {
		body, err = f.openHTTP(ctx, jarURI, options.Headers)
	} else {
		body, err = f.openS3(ctx, parsed, options.S3)
	}
	if err != nil {
		return "", err
	}
	defer body.Close()
	if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
		return "", err
	}
	// Written aside and renamed, so a failed download never leaves a truncated jar in the cache.
	partial := target + ".part"
	out, err := os.Create(partial)
	if err != nil {
		return "", err
	}
	if _, err := io.Copy(out, body); err != nil {
		out.Close()
		return "", err
	}
	if err := out.Close(); err != nil {
		return "", err
	}
	return target, os.Rename(partial, target)
}

func (f *JarFetcher) openHTTP(ctx context.Context, jarURI string, headers map[string]string) (io.ReadCloser, error) {
	request, err := http.NewRequestWithContext(ctx, http.MethodGet, jarURI, nil)
	if err != nil {
		return nil, err
	}
	for header, value := range headers {
		request.Header.Set(header, value)
	}
	httpClient := f.HTTPClient
	if httpClient == nil {
		httpClient = defaultDownloadClient
	}
	response, err := httpClient.Do(request)
	if err != nil {
		return nil, err
	}
	if response.StatusCode != http.StatusOK {
		response.Body.Close()
		return nil, fmt.Errorf("GET %s: %s", jarURI, response.Status)
	}
	return response.Body, nil
}

// openS3 reads s3://bucket/key with an S3 client, as Flink's S3 file systems would with the same s3.* options.
func (f *JarFetcher) openS3(ctx context.Context, jarURI *url.URL, options S3Options) (io.ReadCloser, error) {
	bucket, key := jarURI.Host, strings.TrimPrefix(jarURI.Path, "/")
	if bucket == "" || key == "" {
		return nil, fmt.Errorf("%s: an S3 jarURI names a bucket and a key: s3://bucket/path/job.jar", jarURI)
	}
	endpoint, secure := "s3.amazonaws.com", true
	if options.Endpoint != "" {
		parsed, err := url.Parse(options.Endpoint)
		if err != nil || parsed.Host == "" {
			// s3.endpoint may be a bare host[:port].
			endpoint = options.Endpoint
		} else {
			endpoint, secure = parsed.Host, parsed.Scheme != "http"
		}
	}
	var credentials *miniocredentials.Credentials
	if options.AccessKey != "" {
		credentials = miniocredentials.NewStaticV4(options.AccessKey, options.SecretKey, "")
	} else {
		credentials = miniocredentials.NewStatic("", "", "", miniocredentials.SignatureAnonymous)
	}
	lookup := minio.BucketLookupAuto
	if options.PathStyle {
		lookup = minio.BucketLookupPath
	}
	transport := http.DefaultTransport
	if f.HTTPClient != nil && f.HTTPClient.Transport != nil {
		transport = f.HTTPClient.Transport
	}
	client, err := minio.New(endpoint, &minio.Options{Creds: credentials, Secure: secure, Region: options.Region,
		BucketLookup: lookup, Transport: transport})
	if err != nil {
		return nil, fmt.Errorf("S3 client for %s: %w", endpoint, err)
	}
	ctx, cancel := context.WithTimeout(ctx, DefaultDownloadTimeout)
	object, err := client.GetObject(ctx, bucket, key, minio.GetObjectOptions{})
	if err != nil {
		cancel()
		return nil, fmt.Errorf("GET %s: %w", jarURI, err)
	}
	// GetObject is lazy: Stat surfaces a missing object or a refused credential before the copy starts.
	if _, err := object.Stat(); err != nil {
		object.Close()
		cancel()
		return nil, fmt.Errorf("GET %s: %w", jarURI, err)
	}
	return cancelOnClose{ReadCloser: object, cancel: cancel}, nil
}

// cancelOnClose ends a download's context when its body is closed.
type cancelOnClose struct {
	io.ReadCloser
	cancel context.CancelFunc
}

func (c cancelOnClose) Close() error {
	defer c.cancel()
	return c.ReadCloser.Close()
}

// sessionJobFlinkConfig is the Flink configuration the job's jar is fetched with: the session cluster's, then
// the job's own (s3.* options reach S3 as Flink's file systems would).
func sessionJobFlinkConfig(s *scope) map[string]string {
	merged := map[string]string{}
	if s.session != nil {
		if flat, err := s.session.Spec.FlinkConfiguration.Flatten(); err == nil {
			maps.Copy(merged, flat)
		}
	}
	if s.target != nil {
		if flat, err := s.target.FlinkConfiguration.Flatten(); err == nil {
			maps.Copy(merged, flat)
		}
	}
	return merged
}
