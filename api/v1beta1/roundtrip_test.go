package v1beta1

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	. "github.com/onsi/gomega"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/yaml"
)

// TestJSONRoundTripUpstreamFixtures decodes documents written with upstream's field names into the Go types and
// encodes them again: every field must survive, so a manifest written for the Apache operator means the same
// thing to Teal.
func TestJSONRoundTripUpstreamFixtures(t *testing.T) {
	cases := []struct {
		file   string
		object runtime.Object
	}{
		{"flinkdeployment.yaml", &FlinkDeployment{}},
		{"flinksessionjob.yaml", &FlinkSessionJob{}},
		{"flinkstatesnapshot-savepoint.yaml", &FlinkStateSnapshot{}},
		{"flinkstatesnapshot-checkpoint.yaml", &FlinkStateSnapshot{}},
		{"flinkbluegreendeployment.yaml", &FlinkBlueGreenDeployment{}},
	}
	for _, tc := range cases {
		t.Run(tc.file, func(t *testing.T) {
			g := NewWithT(t)
			raw, err := os.ReadFile(filepath.Join("testdata", tc.file))
			g.Expect(err).NotTo(HaveOccurred())
			fixture, err := yaml.YAMLToJSON(raw)
			g.Expect(err).NotTo(HaveOccurred())

			g.Expect(strictUnmarshal(fixture, tc.object)).To(Succeed(), "every fixture field must map to a Go field")
			encoded, err := json.Marshal(tc.object)
			g.Expect(err).NotTo(HaveOccurred())
			want, got := normalize(g, fixture), normalize(g, encoded)
			pruneEncodingArtifacts(want, got)
			if diff := cmp.Diff(want, got); diff != "" {
				t.Fatalf("round trip changed the document (-fixture +encoded):\n%s", diff)
			}
		})
	}
}

// strictUnmarshal fails on a field the Go type does not know, which a plain round trip would silently drop.
func strictUnmarshal(data []byte, into any) error {
	decoder := json.NewDecoder(bytesReader(data))
	decoder.DisallowUnknownFields()
	return decoder.Decode(into)
}

// normalize decodes JSON into generic values and drops nulls, which encode "absent" either way.
func normalize(g Gomega, data []byte) any {
	var value any
	g.Expect(json.Unmarshal(data, &value)).To(Succeed())
	return dropNulls(value)
}

func dropNulls(value any) any {
	switch typed := value.(type) {
	case map[string]any:
		for key, child := range typed {
			if child == nil {
				delete(typed, key)
				continue
			}
			typed[key] = dropNulls(child)
		}
	case []any:
		for i, child := range typed {
			typed[i] = dropNulls(child)
		}
	}
	return value
}

func TestConfigObjectKeepsDocumentAndFlattens(t *testing.T) {
	cases := []struct {
		name string
		doc  string
		flat map[string]string
	}{
		{
			name: "flat keys",
			doc:  `{"taskmanager.numberOfTaskSlots":"2","state.savepoints.dir":"file:///sp"}`,
			flat: map[string]string{"taskmanager.numberOfTaskSlots": "2", "state.savepoints.dir": "file:///sp"},
		},
		{
			name: "nested keys and typed values",
			doc:  `{"execution":{"checkpointing":{"interval":"10s","unaligned":true}},"parallelism.default":4}`,
			flat: map[string]string{"execution.checkpointing.interval": "10s", "execution.checkpointing.unaligned": "true", "parallelism.default": "4"},
		},
		{
			name: "mixed flat and nested",
			doc:  `{"high-availability":{"type":"kubernetes"},"high-availability.storageDir":"file:///ha"}`,
			flat: map[string]string{"high-availability.type": "kubernetes", "high-availability.storageDir": "file:///ha"},
		},
		{
			name: "lists use Flink's legacy separator",
			doc:  `{"pipeline.jars":["file:///a.jar","file:///b.jar"],"big":12345678901234567890}`,
			flat: map[string]string{"pipeline.jars": "file:///a.jar;file:///b.jar", "big": "12345678901234567890"},
		},
		{name: "empty", doc: `{}`, flat: map[string]string{}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			g := NewWithT(t)
			var config ConfigObject
			g.Expect(json.Unmarshal([]byte(tc.doc), &config)).To(Succeed())
			flat, err := config.Flatten()
			g.Expect(err).NotTo(HaveOccurred())
			g.Expect(flat).To(Equal(tc.flat))
			encoded, err := json.Marshal(config)
			g.Expect(err).NotTo(HaveOccurred())
			g.Expect(encoded).To(MatchJSON(tc.doc))
		})
	}
}

func TestConfigObjectRejectsNonObjects(t *testing.T) {
	for _, doc := range []string{`"a=b"`, `["a"]`, `42`} {
		t.Run(doc, func(t *testing.T) {
			g := NewWithT(t)
			var config ConfigObject
			g.Expect(json.Unmarshal([]byte(doc), &config)).To(MatchError(ContainSubstring("must be an object")))
		})
	}
}

func TestFlinkVersionOrdering(t *testing.T) {
	g := NewWithT(t)
	g.Expect(FlinkVersionV2_0.IsEqualOrNewer(FlinkVersionV1_20)).To(BeTrue())
	g.Expect(FlinkVersionV1_15.IsEqualOrNewer(FlinkVersionV1_15)).To(BeTrue())
	g.Expect(FlinkVersionV1_14.IsEqualOrNewer(FlinkVersionV1_15)).To(BeFalse())
	g.Expect(FlinkVersion("v9_9").IsEqualOrNewer(FlinkVersionV1_13)).To(BeFalse())
}

// pruneEncodingArtifacts removes from got the empty objects that Go's encoding of core types adds where the
// document had nothing (a container's "resources": {}); an empty object the document wrote itself stays.
func pruneEncodingArtifacts(want, got any) {
	wantMap, wantIsMap := want.(map[string]any)
	gotMap, gotIsMap := got.(map[string]any)
	if wantIsMap && gotIsMap {
		for key, child := range gotMap {
			wantChild, present := wantMap[key]
			if !present {
				if empty, isMap := child.(map[string]any); isMap && len(empty) == 0 {
					delete(gotMap, key)
				}
				continue
			}
			pruneEncodingArtifacts(wantChild, child)
		}
		return
	}
	wantList, wantIsList := want.([]any)
	gotList, gotIsList := got.([]any)
	if wantIsList && gotIsList && len(wantList) == len(gotList) {
		for i := range gotList {
			pruneEncodingArtifacts(wantList[i], gotList[i])
		}
	}
}
