package flinksessionjob

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
	"github.com/minio/minio-go/v7"
	miniocredentials "github.com/minio/minio-go/v7/pkg/credentials"
	. "github.com/onsi/gomega"

	"github.com/teal-flink/teal/internal/operatorconfig"
)

// TestJarFetcherHonoursArtifactSettings: user.artifacts.http.header is sent and user.artifacts.base.dir holds
// the jars (before, both keys were ignored).
func TestJarFetcherHonoursArtifactSettings(t *testing.T) {
	g := NewWithT(t)
	server := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer s3cret" || r.Header.Get("X-Team") != "a" {
			http.Error(w, "no", http.StatusUnauthorized)
			return
		}
		_, _ = w.Write([]byte("jar"))
	}))
	defer server.Close()
	baseDir := t.TempDir()
	options, err := FetchOptionsFrom(operatorconfig.New(map[string]string{
		operatorconfig.KeyArtifactsHTTPHeader: "Authorization:Bearer s3cret,X-Team:a",
		operatorconfig.KeyArtifactsBaseDir:    baseDir,
	}))
	g.Expect(err).NotTo(HaveOccurred())
	fetcher := &JarFetcher{Dir: t.TempDir()}
	jarPath, err := fetcher.Fetch(context.Background(), server.URL+"/job.jar", options)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(strings.HasPrefix(jarPath, baseDir+string(filepath.Separator))).To(BeTrue(), jarPath)
	g.Expect(os.ReadFile(jarPath)).To(Equal([]byte("jar")))

	_, err = fetcher.Fetch(context.Background(), server.URL+"/other.jar", FetchOptions{})
	g.Expect(err).To(MatchError(ContainSubstring("401")), "without the headers the server refuses")

	_, err = FetchOptionsFrom(operatorconfig.New(map[string]string{operatorconfig.KeyArtifactsHTTPHeader: "no-colon"}))
	g.Expect(err).To(MatchError(ContainSubstring(operatorconfig.KeyArtifactsHTTPHeader)))
}

// TestJarDownloadsDoNotWaitForEachOther: a slow jar server holds only the jobs of that jar (before, one global
// lock serialized every download of every session job).
func TestJarDownloadsDoNotWaitForEachOther(t *testing.T) {
	g := NewWithT(t)
	release := make(chan struct{})
	slowStarted := make(chan struct{})
	server := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/slow.jar" {
			close(slowStarted)
			<-release
		}
		_, _ = w.Write([]byte("jar"))
	}))
	defer server.Close()
	fetcher := &JarFetcher{Dir: t.TempDir()}
	slowDone := make(chan error, 1)
	go func() {
		_, err := fetcher.Fetch(context.Background(), server.URL+"/slow.jar", FetchOptions{})
		slowDone <- err
	}()
	<-slowStarted
	_, err := fetcher.Fetch(context.Background(), server.URL+"/fast.jar", FetchOptions{})
	g.Expect(err).NotTo(HaveOccurred(), "the fast jar was fetched while the slow one is still downloading")
	close(release)
	g.Expect(<-slowDone).To(Succeed())
}

func TestJarDownloadsAreBounded(t *testing.T) {
	g := NewWithT(t)
	g.Expect(defaultDownloadClient.Timeout).To(Equal(DefaultDownloadTimeout))
	g.Expect(DefaultDownloadTimeout).To(BeNumerically(">", 0))
}

// TestJarFetcherReadsS3 fetches an s3:// jar with an S3 client from a local S3-compatible server (gofakes3 on
// loopback), with the s3.* options Flink's S3 file systems take; a missing object is an error naming it.
func TestJarFetcherReadsS3(t *testing.T) {
	g := NewWithT(t)
	backend := s3mem.New()
	server := httptest.NewServer(gofakes3.New(backend).Server())
	defer server.Close()
	// Upload through the S3 API, as a build pipeline would.
	uploader, err := minio.New(strings.TrimPrefix(server.URL, "http://"), &minio.Options{
		Creds: miniocredentials.NewStaticV4("teal", "secret", ""), BucketLookup: minio.BucketLookupPath})
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(uploader.MakeBucket(context.Background(), "jars", minio.MakeBucketOptions{})).To(Succeed())
	content := []byte("PK jar bytes")
	_, err = uploader.PutObject(context.Background(), "jars", "team/job.jar", bytes.NewReader(content), int64(len(content)), minio.PutObjectOptions{})
	g.Expect(err).NotTo(HaveOccurred())

	options := FetchOptions{S3: S3OptionsFrom(map[string]string{
		"s3.endpoint": server.URL, "s3.access-key": "teal", "s3.secret-key": "secret", "s3.path.style.access": "true",
	})}
	g.Expect(options.S3.PathStyle).To(BeTrue())
	fetcher := &JarFetcher{Dir: t.TempDir()}
	jarPath, err := fetcher.Fetch(context.Background(), "s3://jars/team/job.jar", options)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(os.ReadFile(jarPath)).To(Equal(content))

	_, err = fetcher.Fetch(context.Background(), "s3://jars/team/missing.jar", options)
	g.Expect(err).To(MatchError(ContainSubstring("s3://jars/team/missing.jar")))
}
