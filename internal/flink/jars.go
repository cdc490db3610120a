package flink

import (
	"context"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"net/url"
	"os"
	"path/filepath"
	"strings"
)

// RunJarRequest submits a job from an uploaded jar (POST /jars/:jarid/run).
type RunJarRequest struct {
	// EntryClass is the main class; empty uses the jar manifest's.
	EntryClass string `json:"entryClass,omitempty"`
	// ProgramArgs are the program arguments. Sent as programArgsList, the only form Flink 2.x accepts.
	ProgramArgs []string `json:"programArgsList,omitempty"`
	// Parallelism is the default parallelism; 0 uses the cluster's.
	Parallelism int `json:"parallelism,omitempty"`
	// SavepointPath restores the job from a savepoint or retained checkpoint.
	SavepointPath string `json:"savepointPath,omitempty"`
	// AllowNonRestoredState lets the restore skip state no operator claims.
	AllowNonRestoredState bool `json:"allowNonRestoredState,omitempty"`
	// JobID fixes the new job's ID (32 hex characters); empty lets Flink pick one.
	JobID string `json:"jobId,omitempty"`
	// ClaimMode is how the restored snapshot is owned: CLAIM, NO_CLAIM (default) or LEGACY (1.x only).
	ClaimMode string `json:"claimMode,omitempty"`
	// FlinkConfiguration are job-level configuration overrides.
	FlinkConfiguration map[string]string `json:"flinkConfiguration,omitempty"`
}

// UploadJar uploads the jar at jarPath (POST /jars/upload, multipart field "jarfile") and returns its jar ID,
// the base name of the stored file. The upload is streamed and not retried.
func (c *Client) UploadJar(ctx context.Context, jarPath string) (string, error) {
	file, err := os.Open(jarPath)
	if err != nil {
		return "", fmt.Errorf("opening jar: %w", err)
	}
	defer file.Close()

	reader, writer := io.Pipe()
	form := multipart.NewWriter(writer)
	go func() {
		header := textproto.MIMEHeader{}
		header.Set("Content-Disposition",
			fmt.Sprintf(`form-data; name="jarfile"; filename=%q`, filepath.Base(jarPath)))
		// Flink's upload handler wants this content type, which generic multipart helpers do not set.
		header.Set("Content-Type", "application/x-java-archive")
		part, err := form.CreatePart(header)
		if err == nil {
			_, err = io.Copy(part, file)
		}
		if err == nil {
			err = form.Close()
		}
		writer.CloseWithError(err)
	}()
	defer reader.Close()

	var response struct {
		Filename string `json:"filename"`
		Status   string `json:"status"`
	}
	err = c.do(ctx, request{
		method:      http.MethodPost,
		endpoint:    "POST /jars/upload",
		path:        "/jars/upload",
		rawBody:     func() (io.Reader, error) { return reader, nil },
		contentType: form.FormDataContentType(),
		out:         &response,
	})
	if err != nil {
		return "", err
	}
	if response.Status != "success" || response.Filename == "" {
		return "", fmt.Errorf("flink POST /jars/upload: unexpected answer status %q filename %q",
			response.Status, response.Filename)
	}
	// Flink answers with the stored file's path; the jar ID is its base name.
	return response.Filename[strings.LastIndexAny(response.Filename, `/\`)+1:], nil
}

// RunJar submits a job from an uploaded jar and returns the new job's ID. Not retried: a repeated submission
// without a fixed JobID would start a second job.
func (c *Client) RunJar(ctx context.Context, jarID string, run RunJarRequest) (string, error) {
	var response struct {
		JobID string `json:"jobid"`
	}
	err := c.do(ctx, request{
		method:    http.MethodPost,
		endpoint:  "POST /jars/:jarid/run",
		path:      "/jars/" + url.PathEscape(jarID) + "/run",
		jsonBody:  run,
		retryable: false,
		out:       &response,
	})
	if err != nil {
		return "", err
	}
	if response.JobID == "" {
		return "", fmt.Errorf("flink POST /jars/:jarid/run: answer carries no jobid")
	}
	return response.JobID, nil
}

// DeleteJar deletes an uploaded jar (DELETE /jars/:jarid).
func (c *Client) DeleteJar(ctx context.Context, jarID string) error {
	return c.do(ctx, request{
		method:    http.MethodDelete,
		endpoint:  "DELETE /jars/:jarid",
		path:      "/jars/" + url.PathEscape(jarID),
		retryable: true,
	})
}
