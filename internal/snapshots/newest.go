package snapshots

import (
	"time"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
)

// Newest is the newest completed state of a job that has to be started over (its cluster lost it): the newest
// of its completed snapshot resources and the last savepoint recorded in status, else the restore point its
// last upgrade handed over (status.jobStatus.upgradeSavepointPath). "" when there is none.
func Newest(jobStatus *flinkv1beta1.JobStatus, owned []flinkv1beta1.FlinkStateSnapshot) string {
	newest, path := time.Time{}, jobStatus.UpgradeSavepointPath
	if info := jobStatus.SavepointInfo; info != nil && info.LastSavepoint != nil && info.LastSavepoint.Location != "" {
		newest, path = time.UnixMilli(info.LastSavepoint.TimeStamp), info.LastSavepoint.Location
	}
	for i := range owned {
		snapshot := &owned[i]
		if snapshot.Status.State != flinkv1beta1.SnapshotStateCompleted || snapshot.Status.Path == "" {
			continue
		}
		if at := Time(snapshot); at.After(newest) {
			newest, path = at, snapshot.Status.Path
		}
	}
	return path
}
