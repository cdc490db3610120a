package webhooks_test

import (
	"context"
	"encoding/json"
	"net/netip"
	"testing"

	admissionv1 "k8s.io/api/admission/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"
	"sigs.k8s.io/controller-runtime/pkg/webhook/admission"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
	"github.com/teal-flink/teal/validators"
	"github.com/teal-flink/teal/webhooks"
)

// handlers builds the admission handlers exactly as SetupWithManager wires them, over a fake cluster holding
// one session cluster.
func handlers(t testing.TB) []admission.Handler {
	scheme := runtime.NewScheme()
	if err := clientgoscheme.AddToScheme(scheme); err != nil {
		t.Fatal(err)
	}
	if err := flinkv1beta1.AddToScheme(scheme); err != nil {
		t.Fatal(err)
	}
	session := &flinkv1beta1.FlinkDeployment{ObjectMeta: metav1.ObjectMeta{Name: "session", Namespace: "flink"}}
	opts := webhooks.Options{
		Validator:        validators.NewRegistry(),
		ValidatorOptions: validators.Options{Resolver: validators.StaticResolver{"repo.example.com": {netip.MustParseAddr("93.184.216.34")}}},
		Reader:           fake.NewClientBuilder().WithScheme(scheme).WithObjects(session).Build(),
	}
	return []admission.Handler{
		admission.WithValidator(scheme, webhooks.NewFlinkDeploymentValidator(opts)).Handler,
		admission.WithValidator(scheme, webhooks.NewFlinkSessionJobValidator(opts)).Handler,
		admission.WithValidator(scheme, webhooks.NewFlinkStateSnapshotValidator(opts)).Handler,
		admission.WithValidator(scheme, webhooks.NewFlinkBlueGreenDeploymentValidator(opts)).Handler,
		admission.WithDefaulter(scheme, &webhooks.FlinkDeploymentDefaulter{}).Handler,
		admission.WithDefaulter(scheme, &webhooks.FlinkSessionJobDefaulter{}).Handler,
		admission.WithDefaulter(scheme, &webhooks.FlinkStateSnapshotDefaulter{}).Handler,
		admission.WithDefaulter(scheme, &webhooks.FlinkBlueGreenDeploymentDefaulter{}).Handler,
	}
}

// FuzzAdmissionDecode feeds arbitrary request bodies through the decode-and-validate path of every handler:
// a malformed request must come back as an error response, never a panic.
func FuzzAdmissionDecode(f *testing.F) {
	all := handlers(f)
	for _, kind := range []string{"FlinkDeployment", "FlinkSessionJob", "FlinkStateSnapshot", "FlinkBlueGreenDeployment"} {
		raw, _ := json.Marshal(map[string]any{"apiVersion": "flink.apache.org/v1beta1", "kind": kind,
			"metadata": map[string]any{"name": "x", "namespace": "flink"},
			"spec":     map[string]any{"deploymentName": "session", "job": map[string]any{"jarURI": "https://repo.example.com/a.jar"}}})
		f.Add(uint8(0), raw, raw)
		f.Add(uint8(1), raw, []byte(`{}`))
	}
	f.Add(uint8(2), []byte(`{"spec":{"flinkConfiguration":[1]}}`), []byte(`null`))
	f.Fuzz(func(t *testing.T, operation uint8, object, oldObject []byte) {
		operations := []admissionv1.Operation{admissionv1.Create, admissionv1.Update, admissionv1.Delete, admissionv1.Connect}
		request := admission.Request{AdmissionRequest: admissionv1.AdmissionRequest{
			UID:       "fuzz",
			Operation: operations[int(operation)%len(operations)],
			Namespace: "flink",
			Object:    runtime.RawExtension{Raw: object},
			OldObject: runtime.RawExtension{Raw: oldObject},
		}}
		for _, handler := range all {
			handler.Handle(context.Background(), request)
		}
	})
}

func TestAdmissionDecodeRejectsGarbage(t *testing.T) {
	for _, handler := range handlers(t) {
		response := handler.Handle(context.Background(), admission.Request{AdmissionRequest: admissionv1.AdmissionRequest{
			Operation: admissionv1.Create, Object: runtime.RawExtension{Raw: []byte("{not json")}}})
		if response.Allowed {
			t.Fatalf("garbage was admitted by %T", handler)
		}
	}
}
