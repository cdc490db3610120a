package flinkapi

import (
	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
	"github.com/teal-flink/teal/internal/flink"
)

// effectiveJobState is the state the controller acts on for a job of /jobs/overview. Flink reports a job
// RUNNING as soon as it is scheduled, while its tasks may still wait for slots: on a real node a TaskManager pod
// can stay Pending (no CPU left) and the job never processes a record. Until every task is RUNNING or FINISHED the
// job counts as CREATED, as the Apache operator's effective job status does, so Ready=True (and the last stable
// spec) never stands for a job that has not run.
func effectiveJobState(job flink.JobOverview) flinkv1beta1.JobStatusState {
	return flinkv1beta1.JobStatusState(job.EffectiveState())
}
