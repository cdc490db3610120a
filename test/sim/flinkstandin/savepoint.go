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
	// Checkpoint marks a retained checkpoint rather than a savepoint.
	Checkpoint bool `json:"checkpoint,omitempty"`
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
	return writeSnapshot(dir, savepointMetadata{JobID: jobID, CheckpointID: checkpointID, FlinkVersion: flinkVersion, CreatedAt: at.UTC()})
}

// writeCheckpoint creates <checkpointDir>/<job id>/chk-<id> with a _metadata file, as a retained checkpoint
// of Flink's, and returns its location.
func writeCheckpoint(checkpointDir, jobID string, checkpointID int64, flinkVersion string, at time.Time) (string, error) {
	dir, err := filepath.Abs(localPath(checkpointDir))
	if err != nil {
		return "", fmt.Errorf("resolving checkpoint directory %q: %w", checkpointDir, err)
	}
	dir = filepath.Join(dir, jobID, fmt.Sprintf("chk-%d", checkpointID))
	return writeSnapshot(dir, savepointMetadata{JobID: jobID, CheckpointID: checkpointID, FlinkVersion: flinkVersion,
		CreatedAt: at.UTC(), Checkpoint: true})
}

// writeSnapshot creates dir with metadata in its _metadata file and returns the location in Flink's form,
// "file:/abs/path".
func writeSnapshot(dir string, metadata savepointMetadata) (string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("creating snapshot directory: %w", err)
	}
	raw, err := json.Marshal(metadata)
	if err != nil {
		return "", fmt.Errorf("encoding snapshot metadata: %w", err)
	}
	if err := os.WriteFile(filepath.Join(dir, metadataFile), raw, 0o644); err != nil {
		return "", fmt.Errorf("writing snapshot metadata: %w", err)
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
