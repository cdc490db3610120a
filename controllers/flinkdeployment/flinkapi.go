package flinkdeployment

import "github.com/teal-flink/teal/internal/flinkapi"

// JobInfo is what the controller reads about the cluster's job (flinkapi.JobInfo).
type JobInfo = flinkapi.JobInfo
