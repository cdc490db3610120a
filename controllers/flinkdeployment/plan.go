package flinkdeployment

import (
	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
	"github.com/teal-flink/teal/internal/upgradeplan"
)

// The upgrade plan (which step comes next, how old a checkpoint may be, when a rollback is due) is decided in
// internal/upgradeplan from an upgradeplan.Observation the phases gather (observe).

func jobState(spec *flinkv1beta1.FlinkDeploymentSpec) flinkv1beta1.JobState {
	return upgradeplan.JobState(spec)
}

func upgradeMode(spec *flinkv1beta1.FlinkDeploymentSpec) flinkv1beta1.UpgradeMode {
	return upgradeplan.UpgradeMode(spec)
}
