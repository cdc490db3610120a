package webhooks_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"syscall"
	"testing"
	"time"

	admissionv1 "k8s.io/api/admission/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/webhook/admission"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
	"github.com/teal-flink/teal/test/builders"
	"github.com/teal-flink/teal/validators"
	"github.com/teal-flink/teal/validators/policy"
	"github.com/teal-flink/teal/webhooks"
)

// handlerCase is one admission call of test/webhookbench's mix, as the API server sends it.
type handlerCase struct {
	name    string
	webhook *admission.Webhook
	object  client.Object
}

// handlerCases wires the webhooks as main.go does (the built-in rules plus an empty policy set, the informer
// cache holding the session cluster) and pairs each with the objects of the mix.
func handlerCases(t testing.TB) []handlerCase {
	scheme := runtime.NewScheme()
	if err := flinkv1beta1.AddToScheme(scheme); err != nil {
		t.Fatal(err)
	}
	const namespace = "bench"
	session := builders.NewFlinkDeployment("session", builders.InNamespace(namespace), builders.WithSessionCluster())
	opts := webhooks.Options{Validator: validators.NewRegistry(policy.NewSet()), Reader: webhooks.CacheOnly(newFakeCache(t, true, session))}
	deployment := func(options ...builders.DeploymentOption) client.Object {
		return builders.NewFlinkDeployment("bench", append([]builders.DeploymentOption{builders.InNamespace(namespace)}, options...)...)
	}
	blueGreen := func(options ...builders.BlueGreenOption) client.Object {
		return builders.NewFlinkBlueGreenDeployment("bench", []builders.DeploymentOption{builders.InNamespace(namespace)}, options...)
	}
	validateFD := admission.WithValidator(scheme, webhooks.NewFlinkDeploymentValidator(opts))
	validateSJ := admission.WithValidator(scheme, webhooks.NewFlinkSessionJobValidator(opts))
	validateSnapshot := admission.WithValidator(scheme, webhooks.NewFlinkStateSnapshotValidator(opts))
	validateBG := admission.WithValidator(scheme, webhooks.NewFlinkBlueGreenDeploymentValidator(opts))
	return []handlerCase{
		{"mutate FlinkDeployment", admission.WithDefaulter(scheme, &webhooks.FlinkDeploymentDefaulter{}), deployment()},
		{"validate FlinkDeployment valid", validateFD, deployment()},
		{"validate FlinkDeployment invalid", validateFD, deployment(builders.WithConfig("kubernetes.operator.rest.url-template", "http://victim"))},
		{"mutate FlinkSessionJob", admission.WithDefaulter(scheme, &webhooks.FlinkSessionJobDefaulter{}),
			builders.NewFlinkSessionJob("bench", namespace, "session", "https://93.184.216.34/job.jar")},
		{"validate FlinkSessionJob valid", validateSJ, builders.NewFlinkSessionJob("bench", namespace, "session", "https://93.184.216.34/job.jar")},
		{"validate FlinkSessionJob invalid", validateSJ, builders.NewFlinkSessionJob("bench", namespace, "session", "ftp://repo.example.com/job.jar")},
		{"mutate FlinkStateSnapshot", admission.WithDefaulter(scheme, &webhooks.FlinkStateSnapshotDefaulter{}), builders.NewSavepoint("bench", namespace, "session")},
		{"validate FlinkStateSnapshot valid", validateSnapshot, builders.NewSavepoint("bench", namespace, "session")},
		{"validate FlinkStateSnapshot invalid", validateSnapshot, builders.NewSavepoint("bench", namespace, "missing")},
		{"mutate FlinkBlueGreenDeployment", admission.WithDefaulter(scheme, &webhooks.FlinkBlueGreenDeploymentDefaulter{}), blueGreen()},
		{"validate FlinkBlueGreenDeployment valid", validateBG, blueGreen()},
		{"validate FlinkBlueGreenDeployment invalid", validateBG,
			blueGreen(builders.WithBlueGreenConfig("kubernetes.operator.bluegreen.abort.grace-period", "soon"))},
	}
}

// reviewBody is the AdmissionReview the API server would send for a create of obj.
func reviewBody(t testing.TB, obj client.Object) []byte {
	raw, err := json.Marshal(obj)
	if err != nil {
		t.Fatal(err)
	}
	review := admissionv1.AdmissionReview{
		TypeMeta: metav1.TypeMeta{APIVersion: "admission.k8s.io/v1", Kind: "AdmissionReview"},
		Request: &admissionv1.AdmissionRequest{
			UID: "bench", Operation: admissionv1.Create, Name: obj.GetName(), Namespace: obj.GetNamespace(),
			Kind:   metav1.GroupVersionKind{Group: flinkv1beta1.GroupVersion.Group, Version: "v1beta1", Kind: obj.GetObjectKind().GroupVersionKind().Kind},
			Object: runtime.RawExtension{Raw: raw},
		},
	}
	body, err := json.Marshal(review)
	if err != nil {
		t.Fatal(err)
	}
	return body
}

// BenchmarkAdmissionHandlers measures each webhook's own work per call, without TLS and HTTP/2 and on an idle
// core: decoding the AdmissionReview and the object, the look-ups, the validators, the warnings and encoding the
// answer (run with -benchmem for the allocations; test/webhookbench measures the same under load).
func BenchmarkAdmissionHandlers(b *testing.B) {
	for _, tc := range handlerCases(b) {
		body := reviewBody(b, tc.object)
		b.Run(tc.name, func(b *testing.B) {
			b.ReportAllocs()
			cpuBefore := processCPU(b)
			for b.Loop() {
				request := httptest.NewRequest(http.MethodPost, "/webhook", bytes.NewReader(body))
				request.Header.Set("Content-Type", "application/json")
				response := httptest.NewRecorder()
				tc.webhook.ServeHTTP(response, request)
				if response.Code != http.StatusOK {
					b.Fatalf("HTTP %d: %s", response.Code, response.Body)
				}
			}
			// CPU time rather than wall time: on a shared machine it is what the webhook costs, whatever the load.
			b.ReportMetric(float64((processCPU(b)-cpuBefore).Nanoseconds())/float64(b.N), "cpu-ns/op")
		})
	}
}

// processCPU is the user + system CPU time this process has used (every thread, the garbage collector's too).
func processCPU(b *testing.B) time.Duration {
	var usage syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &usage); err != nil {
		b.Fatal(err)
	}
	return time.Duration(usage.Utime.Nano() + usage.Stime.Nano())
}
