package reconciled

import (
	"testing"

	. "github.com/onsi/gomega"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
)

func TestParsesUpstreamRecords(t *testing.T) {
	g := NewWithT(t)
	// As the Apache operator writes it (field order and metadata included).
	upstream := `{"spec":{"job":{"jarURI":"local:///opt/flink/examples/streaming/StateMachineExample.jar","parallelism":2,"entryClass":null,"args":[],"state":"running","savepointTriggerNonce":null,"initialSavepointPath":null,"checkpointTriggerNonce":null,"upgradeMode":"stateless","allowNonRestoredState":null,"savepointRedeployNonce":null,"autoscalerResetNonce":null},"restartNonce":null,"flinkConfiguration":{"taskmanager.numberOfTaskSlots":"2"},"image":"flink:1.20","imagePullPolicy":null,"serviceAccount":"flink","flinkVersion":"v1_20","ingress":null,"podTemplate":null,"jobManager":{"resource":{"cpu":1.0,"memory":"2048m","ephemeralStorage":null},"replicas":1,"podTemplate":null},"taskManager":{"resource":{"cpu":1.0,"memory":"2048m","ephemeralStorage":null},"replicas":null,"podTemplate":null},"logConfiguration":null,"mode":null},"resource_metadata":{"apiVersion":"flink.apache.org/v1beta1","metadata":{"generation":2},"firstDeployment":false}}`
	spec, meta, ok, err := Parse[flinkv1beta1.FlinkDeploymentSpec](upstream)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(ok).To(BeTrue())
	g.Expect(meta).To(Equal(Metadata{APIVersion: "flink.apache.org/v1beta1", FirstDeployment: false}))
	g.Expect(spec.Image).To(Equal("flink:1.20"))
	g.Expect(spec.Job.UpgradeMode).To(Equal(flinkv1beta1.UpgradeModeStateless))
	slots, set := spec.FlinkConfiguration.Get("taskmanager.numberOfTaskSlots")
	g.Expect(set).To(BeTrue())
	g.Expect(slots).To(Equal("2"))
}

func TestRoundTrip(t *testing.T) {
	g := NewWithT(t)
	spec := flinkv1beta1.FlinkSessionJobSpec{DeploymentName: "session", Job: &flinkv1beta1.JobSpec{JarURI: "https://x/j.jar"}}
	serialized, err := Serialize(spec, true)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(serialized).To(ContainSubstring(`"resource_metadata":{"apiVersion":"flink.apache.org/v1beta1","firstDeployment":true}`))
	parsed, meta, ok, err := Parse[flinkv1beta1.FlinkSessionJobSpec](serialized)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(ok).To(BeTrue())
	g.Expect(meta.FirstDeployment).To(BeTrue())
	g.Expect(parsed).To(Equal(spec))
}

func TestEmptyMeansNotDeployed(t *testing.T) {
	g := NewWithT(t)
	_, _, ok, err := Parse[flinkv1beta1.FlinkDeploymentSpec]("")
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(ok).To(BeFalse())
	_, _, _, err = Parse[flinkv1beta1.FlinkDeploymentSpec]("{not json")
	g.Expect(err).To(HaveOccurred())
}
