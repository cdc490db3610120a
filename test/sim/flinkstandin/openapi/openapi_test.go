package openapi_test

import (
	"net/url"
	"path/filepath"
	"testing"

	. "github.com/onsi/gomega"

	"github.com/teal-flink/teal/test/sim/flinkstandin/openapi"
)

// TestValidatorCatchesDrift proves the validator bites: each case drifts from the spec in one way.
func TestValidatorCatchesDrift(t *testing.T) {
	dir, err := openapi.SpecDir()
	if err != nil {
		t.Fatal(err)
	}
	jobID := "0123456789abcdef0123456789abcdef"
	cases := []struct {
		name     string
		method   string
		path     string
		status   int
		response string
		request  string
		wantErr  bool
	}{
		{name: "valid job details", method: "GET", path: "/jobs/" + jobID, status: 200,
			response: `{"jid":"` + jobID + `","state":"RUNNING","vertices":[]}`},
		{name: "unknown job state", method: "GET", path: "/jobs/" + jobID, status: 200,
			response: `{"jid":"` + jobID + `","state":"RUNNNING"}`, wantErr: true},
		{name: "operation null is not in the spec", method: "GET", path: "/jobs/" + jobID + "/savepoints/" + jobID,
			status: 200, response: `{"status":{"id":"IN_PROGRESS"},"operation":null}`, wantErr: true},
		{name: "completed savepoint", method: "GET", path: "/jobs/" + jobID + "/savepoints/" + jobID,
			status: 200, response: `{"status":{"id":"COMPLETED"},"operation":{"location":"file:/x"}}`},
		{name: "checkpoint statistics without className", method: "GET", path: "/jobs/" + jobID + "/checkpoints",
			status: 200, response: `{"latest":{"completed":{"id":1}}}`, wantErr: true},
		{name: "undeclared success status", method: "POST", path: "/jobs/" + jobID + "/savepoints", status: 200,
			request: `{}`, response: `{"request-id":"` + jobID + `"}`, wantErr: true},
		{name: "error without errors body", method: "GET", path: "/overview", status: 500, response: `oops`, wantErr: true},
		{name: "wrongly typed request field", method: "POST", path: "/jobs/" + jobID + "/savepoints", status: 202,
			request: `{"cancel-job":"yes"}`, response: `{"request-id":"` + jobID + `"}`, wantErr: true},
		{name: "bad trigger id in request", method: "POST", path: "/jobs/" + jobID + "/stop", status: 202,
			request: `{"triggerId":"nope"}`, response: `{"request-id":"` + jobID + `"}`, wantErr: true},
		{name: "unknown path", method: "GET", path: "/nope", status: 200, response: `{}`, wantErr: true},
		{name: "job metrics as Flink sends them (an array)", method: "GET", path: "/jobs/" + jobID + "/metrics", status: 200,
			response: `[{"id":"numRestarts","value":"3"}]`},
		{name: "job metrics as the specification describes them", method: "GET", path: "/jobs/" + jobID + "/metrics", status: 200,
			response: `{"metrics":[{"id":"numRestarts","value":"3"}]}`},
		{name: "job metric without an id", method: "GET", path: "/jobs/" + jobID + "/metrics", status: 200,
			response: `[{"value":"3"}]`, wantErr: true},
	}
	for _, file := range []string{"rest_v1_dispatcher-1.20.yml", "rest_v1_dispatcher-2.1.yml"} {
		spec, err := openapi.Load(filepath.Join(dir, file))
		if err != nil {
			t.Fatal(err)
		}
		for _, tc := range cases {
			t.Run(file+"/"+tc.name, func(t *testing.T) {
				g := NewWithT(t)
				target := &url.URL{Path: tc.path}
				requestErr := spec.ValidateRequest(tc.method, target, "application/json", []byte(tc.request))
				responseErr := spec.ValidateResponse(tc.method, target, tc.status, []byte(tc.response))
				if tc.wantErr {
					g.Expect(requestErr != nil || responseErr != nil).To(BeTrue())
					return
				}
				g.Expect(requestErr).NotTo(HaveOccurred())
				g.Expect(responseErr).NotTo(HaveOccurred())
			})
		}
	}
}
