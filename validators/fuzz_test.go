package validators_test

import (
	"encoding/json"
	"testing"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
	"github.com/teal-flink/teal/validators"
)

// seed adds the JSON of each object to the corpus.
func seed(f *testing.F, objs ...any) {
	for _, obj := range objs {
		raw, err := json.Marshal(obj)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(raw, raw)
	}
}

func FuzzValidateFlinkDeployment(f *testing.F) {
	deployedObj := applicationCluster()
	deployed(deployedObj, deployedObj.Spec)
	seed(f, applicationCluster(), sessionCluster(), deployedObj)
	f.Fuzz(func(t *testing.T, newRaw, oldRaw []byte) {
		var newObj, oldObj flinkv1beta1.FlinkDeployment
		if json.Unmarshal(newRaw, &newObj) != nil {
			return
		}
		old := &oldObj
		if json.Unmarshal(oldRaw, old) != nil {
			old = nil
		}
		validators.ValidateFlinkDeployment(&newObj, old, testOptions)
		validators.FlinkDeploymentWarnings(&newObj)
	})
}

func FuzzValidateFlinkSessionJob(f *testing.F) {
	seed(f, sessionJob(), sessionCluster())
	f.Fuzz(func(t *testing.T, jobRaw, sessionRaw []byte) {
		var job flinkv1beta1.FlinkSessionJob
		var session flinkv1beta1.FlinkDeployment
		if json.Unmarshal(jobRaw, &job) != nil {
			return
		}
		target := &session
		if json.Unmarshal(sessionRaw, target) != nil {
			target = nil
		}
		validators.ValidateFlinkSessionJob(&job, nil, target, testOptions)
		validators.FlinkSessionJobWarnings(&job)
	})
}

func FuzzValidateFlinkStateSnapshot(f *testing.F) {
	seed(f, &flinkv1beta1.FlinkStateSnapshot{Spec: flinkv1beta1.FlinkStateSnapshotSpec{
		Savepoint: &flinkv1beta1.SavepointSpec{}, JobReference: &flinkv1beta1.JobReference{Name: "x"}}})
	f.Fuzz(func(t *testing.T, raw, _ []byte) {
		var snapshot flinkv1beta1.FlinkStateSnapshot
		if json.Unmarshal(raw, &snapshot) != nil {
			return
		}
		validators.ValidateFlinkStateSnapshot(&snapshot, nil, len(raw)%2 == 0, testOptions)
	})
}

func FuzzValidateFlinkBlueGreenDeployment(f *testing.F) {
	seed(f, blueGreen())
	f.Fuzz(func(t *testing.T, raw, _ []byte) {
		var bg flinkv1beta1.FlinkBlueGreenDeployment
		if json.Unmarshal(raw, &bg) != nil {
			return
		}
		validators.ValidateFlinkBlueGreenDeployment(&bg, nil, testOptions)
		validators.FlinkBlueGreenDeploymentWarnings(&bg)
	})
}

func FuzzParseFlinkDuration(f *testing.F) {
	for _, s := range []string{"10 min", "PT10M", "500", "P1DT2H3M4.5S", "1 µs"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		if d, err := validators.ParseFlinkDuration(text); err == nil && d < 0 {
			t.Fatalf("negative duration %v from %q", d, text)
		}
	})
}
