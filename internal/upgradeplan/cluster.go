package upgradeplan

import (
	"crypto/sha256"
	"encoding/hex"
	"strconv"
)

const (
	// AnnotationSpecHash on the JobManager Deployment identifies the reconciled spec it was built from, so that an
	// operator restarted mid-upgrade can tell the new cluster from the old one.
	AnnotationSpecHash = "teal.flink.apache.org/spec-hash"
	// AnnotationRestarts on the JobManager Deployment is the number of operator-made job restarts it was created
	// after (status.clusterHealth.restarts), so a restart recorded in status tells the old cluster from the new.
	AnnotationRestarts = "teal.flink.apache.org/restarts"
)

// ClusterAnnotations mark the JobManager Deployment built from the deployed spec (its serialized record) after
// restarts operator-made restarts.
func ClusterAnnotations(deployedRecord string, restarts int64) map[string]string {
	return map[string]string{AnnotationSpecHash: specHash(deployedRecord), AnnotationRestarts: strconv.FormatInt(restarts, 10)}
}

// ClusterBuild compares an existing JobManager Deployment's annotations with the deployed spec and the restarts
// recorded: isTarget when it was built from that spec after the latest restart; restarting when it was built
// from it before a restart recorded since (the restart has not replaced it yet).
func ClusterBuild(annotations map[string]string, deployedRecord string, restarts int64) (isTarget, restarting bool) {
	sameSpec := annotations[AnnotationSpecHash] == specHash(deployedRecord)
	builtAfter, _ := strconv.ParseInt(annotations[AnnotationRestarts], 10, 64)
	return sameSpec && builtAfter >= restarts, sameSpec && builtAfter < restarts
}

// SpecHashAfterInPlaceChange is the spec hash to write on a running JobManager Deployment when a change is
// recorded in place (no new cluster) from previousRecord to currentRecord: only a JobManager built from
// previousRecord is relabelled, and only when the hash changes.
func SpecHashAfterInPlaceChange(annotations map[string]string, previousRecord, currentRecord string) (string, bool) {
	previous, current := specHash(previousRecord), specHash(currentRecord)
	if annotations[AnnotationSpecHash] != previous || current == previous {
		return "", false
	}
	return current, true
}

func specHash(serialized string) string {
	sum := sha256.Sum256([]byte(serialized))
	return hex.EncodeToString(sum[:8])
}
