package webhooks

import (
	"bytes"
	"testing"

	"github.com/go-logr/logr"
	"github.com/go-logr/logr/funcr"
	. "github.com/onsi/gomega"
	"go.uber.org/zap/zapcore"
	admissionv1 "k8s.io/api/admission/v1"
	authenticationv1 "k8s.io/api/authentication/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"
	"sigs.k8s.io/controller-runtime/pkg/webhook/admission"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
)

func admissionRequest() *admission.Request {
	return &admission.Request{AdmissionRequest: admissionv1.AdmissionRequest{
		UID: "42", Namespace: "flink", Name: "topspeed",
		Resource: metav1.GroupVersionResource{Group: "flink.apache.org", Version: "v1beta1", Resource: "flinkdeployments"},
		UserInfo: authenticationv1.UserInfo{Username: "alice"},
	}}
}

// TestRequestLoggerWritesTheRequestWithEachMessage: a message logged through the request logger carries what
// controller-runtime's own constructor attaches (kind, object, user, request ID), attributed to its caller.
func TestRequestLoggerWritesTheRequestWithEachMessage(t *testing.T) {
	g := NewWithT(t)
	var lines []string
	base := funcr.New(func(prefix, args string) { lines = append(lines, prefix+" "+args) }, funcr.Options{LogCaller: funcr.All, Verbosity: 1})
	log := requestLogger(flinkv1beta1.GroupVersion.WithKind("FlinkDeployment"))(base.WithName("admission"), admissionRequest())
	log.Info("checked", "rule", "jarURI")
	log.V(1).Error(nil, "rejected")
	log.V(2).Info("not written")
	log.WithValues("extra", 1).Info("with values")
	g.Expect(lines).To(HaveLen(3))
	for _, line := range lines {
		g.Expect(line).To(ContainSubstring(`"requestID"="42"`))
		g.Expect(line).To(ContainSubstring(`"user"="alice"`))
		g.Expect(line).To(ContainSubstring(`"webhookKind"="FlinkDeployment"`))
		g.Expect(line).To(ContainSubstring(`"FlinkDeployment"={"name"="topspeed" "namespace"="flink"}`))
		g.Expect(line).To(ContainSubstring(`{"file"="logger_test.go"`), "attributed to the caller, not the wrapper")
	}
	g.Expect(lines[0]).To(ContainSubstring(`"rule"="jarURI"`))
	g.Expect(lines[2]).To(ContainSubstring(`"extra"=1`))
	g.Expect(lines[0]).To(HavePrefix("admission "))
}

// TestRequestLoggerCostsLittleWhenNothingIsLogged: building the request logger and a debug line that is not
// written allocates a fraction of what controller-runtime's eager constructor does with a zap logger (which
// encodes every attached value at once). Allocation counts are deterministic.
func TestRequestLoggerCostsLittleWhenNothingIsLogged(t *testing.T) {
	g := NewWithT(t)
	var out bytes.Buffer
	base := zap.New(zap.WriteTo(&out), zap.Level(zapcore.InfoLevel), zap.UseDevMode(false))
	req := admissionRequest()
	kind := flinkv1beta1.GroupVersion.WithKind("FlinkDeployment")
	build := func(constructor func(logr.Logger, *admission.Request) logr.Logger) float64 {
		return testing.AllocsPerRun(50, func() {
			constructor(base, req).V(5).Info("received request")
			constructor(base, req).V(5).Info("wrote response")
		})
	}
	eager, lazy := build(admission.DefaultLogConstructor), build(requestLogger(kind))
	t.Logf("allocations per request: %v eager, %v lazy", eager, lazy)
	g.Expect(lazy).To(BeNumerically("<", eager/4), "lazy %v allocations, eager %v", lazy, eager)
	g.Expect(out.Len()).To(BeZero())
}
