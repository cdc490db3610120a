package flinkstandin

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// metadataFile is the file Flink writes into every savepoint directory; its presence marks a complete savepoint.
const metadataFile = "_metadata"

// savepointMetadata is what the stand-in stores in _metadata: enough to restore the checkpoint counter.
type savepointMetadata struct {
	JobID        string    `json:"jobId"`
	CheckpointID int64     `json:"checkpointId"`
	FlinkVersion string    `json:"flinkVersion"`
	CreatedAt    time.Time `json:"createdAt"`
}

// localPath turns a Flink file URI ("file:/x", "file:///x") or plain path into a local path.
func localPath(location string) string {
	switch {
	case strings.HasPrefix(location, "file://"):
		return strings.TrimPrefix(location, "file://")
	case strings.HasPrefix(location, "file:"):
		return strings.TrimPrefix(location, "file:")
	}
	return location
}

// writeSavepoint creates <targetDir>/savepoint-<job prefix>-<random> with a _metadata file and returns its
// location in Flink's form, "file:/abs/path".
func writeSavepoint(targetDir, jobID string, checkpointID int64, flinkVersion string, at time.Time) (string, error) {
	dir, err := filepath.Abs(localPath(targetDir))
	if err != nil {
		return "", fmt.Errorf("resolving savepoint directory %q: %w", targetDir, err)
	}
	dir = filepath.Join(dir, fmt.Sprintf("savepoint-%s-%s", jobID[:6], randomHex(6)))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("creating savepoint directory: %w", err)
	}
	metadata, err := json.Marshal(savepointMetadata{JobID: jobID, CheckpointID: checkpointID,
		FlinkVersion: flinkVersion, CreatedAt: at.UTC()})
	if err != nil {
		return "", fmt.Errorf("encoding savepoint metadata: %w", err)
	}
	if err := os.WriteFile(filepath.Join(dir, metadataFile), metadata, 0o644); err != nil {
		return "", fmt.Errorf("writing savepoint metadata: %w", err)
	}
	return "file:" + dir, nil
}

// readSavepoint loads the metadata of the savepoint at location and returns it with the normalized location.
func readSavepoint(location string) (savepointMetadata, string, error) {
	dir, err := filepath.Abs(localPath(location))
	if err != nil {
		return savepointMetadata{}, "", fmt.Errorf("resolving savepoint path %q: %w", location, err)
	}
	var metadata savepointMetadata
	raw, err := os.ReadFile(filepath.Join(dir, metadataFile))
	if err != nil {
		return metadata, "", fmt.Errorf("cannot find meta data file '%s' in directory '%s': %w", metadataFile, dir, err)
	}
	if err := json.Unmarshal(raw, &metadata); err != nil {
		return metadata, "", fmt.Errorf("reading savepoint metadata in %s: %w", dir, err)
	}
	return metadata, "file:" + dir, nil
}
