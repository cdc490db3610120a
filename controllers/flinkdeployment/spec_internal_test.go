package flinkdeployment

import (
	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
)

func spec(mode flinkv1beta1.UpgradeMode, state flinkv1beta1.JobState) *flinkv1beta1.FlinkDeploymentSpec {
	return &flinkv1beta1.FlinkDeploymentSpec{Image: "flink:1.20", Job: &flinkv1beta1.JobSpec{UpgradeMode: mode, State: state}}
}
