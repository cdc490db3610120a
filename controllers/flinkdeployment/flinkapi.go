package flinkdeployment

import "github.com/teal-flink/teal/internal/flinkapi"

// JobInfo is what the controller reads about the cluster's job (flinkapi.JobInfo).
type JobInfo = flinkapi.JobInfo

// JobException is one entry of a job's exception history (flinkapi.JobException).
type JobException = flinkapi.JobException
