package upgradeplan

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
)

const (
	// KeyParallelismOverrides sets per-vertex parallelism ("<vertex id>:<parallelism>,…").
	KeyParallelismOverrides = "pipeline.jobvertex-parallelism-overrides"
	// keyScheduler selects Flink's scheduler; only the adaptive one rescales a running job.
	keyScheduler = "jobmanager.scheduler"
)

// ParseParallelismOverrides reads pipeline.jobvertex-parallelism-overrides.
func ParseParallelismOverrides(value string) (map[string]int, error) {
	overrides := map[string]int{}
	for _, entry := range strings.Split(value, ",") {
		entry = strings.TrimSpace(entry)
		if entry == "" {
			continue
		}
		vertex, parallelism, found := strings.Cut(entry, ":")
		vertex = strings.TrimSpace(vertex)
		number, err := strconv.Atoi(strings.TrimSpace(parallelism))
		if !found || vertex == "" || err != nil || number < 1 {
			return nil, fmt.Errorf("%s: %q is not <vertex id>:<parallelism> with a parallelism of at least 1", KeyParallelismOverrides, entry)
		}
		overrides[vertex] = number
	}
	return overrides, nil
}

// RescalesInPlace reports whether a native cluster applies parallelism overrides to its running job without a
// restart: Flink 1.18 or newer with the adaptive scheduler.
func RescalesInPlace(version flinkv1beta1.FlinkVersion, config map[string]string) bool {
	return version.IsEqualOrNewer(flinkv1beta1.FlinkVersionV1_18) && strings.EqualFold(strings.TrimSpace(config[keyScheduler]), "adaptive")
}

// ShutdownRemaining is how long a finished job's JobManager still runs.
func ShutdownRemaining(now, finishedAt time.Time, ttl time.Duration) time.Duration {
	return finishedAt.Add(ttl).Sub(now)
}

// ActsOnFlink reports whether the step has a side effect in Flink or on the cluster that a decision made on an
// outdated status would repeat: a second savepoint, a cancel of the new job, a cluster deleted twice.
func (s Step) ActsOnFlink() bool {
	switch s {
	case StepStopWithSavepoint, StepCheckpointAndCancel, StepCancel, StepDeleteCluster, StepDeploy,
		StepRecoverJobManager, StepScale, StepShutDownFinished:
		return true
	}
	return false
}
