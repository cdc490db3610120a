package manager

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	"k8s.io/apimachinery/pkg/runtime"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"k8s.io/client-go/rest"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/teal-flink/teal/internal/certs"
)

// BuiltinCertificates creates the built-in webhook certificate manager. Its client reads the Secret and the
// webhook configurations directly rather than through the manager's cache, which would watch every Secret.
// Pass its TLSOption to the webhook server and register it with AddCertificates.
func BuiltinCertificates(config *rest.Config, opts certs.Options) (*certs.Manager, error) {
	direct, err := client.New(config, client.Options{})
	if err != nil {
		return nil, fmt.Errorf("creating the certificate client: %w", err)
	}
	return certs.New(direct, opts)
}

// AddCertificates runs certificates on every replica and holds readiness until the certificate is served and
// trusted.
func AddCertificates(mgr ctrl.Manager, certificates *certs.Manager) error {
	if err := mgr.Add(certificates); err != nil {
		return err
	}
	return mgr.AddReadyzCheck("webhook-certificates", certificates.ReadyCheck)
}

// LocalWebhookConfigurations reads the generated webhook configurations (config/webhook/manifests.yaml), names
// them with prefix and points them at a webhook server outside the cluster (baseURL, e.g. https://127.0.0.1:9443),
// without a CA bundle: the demo and the certificate tests run the operator next to the API server, and the
// built-in certificates fill the bundle in.
func LocalWebhookConfigurations(manifests []byte, prefix, baseURL string) (*admissionregistrationv1.ValidatingWebhookConfiguration, *admissionregistrationv1.MutatingWebhookConfiguration, error) {
	validating := &admissionregistrationv1.ValidatingWebhookConfiguration{}
	mutating := &admissionregistrationv1.MutatingWebhookConfiguration{}
	decoder := utilyaml.NewYAMLOrJSONDecoder(bytes.NewReader(manifests), 4096)
	for {
		var raw map[string]any
		if err := decoder.Decode(&raw); err != nil {
			if errors.Is(err, io.EOF) {
				break
			}
			return nil, nil, fmt.Errorf("reading webhook manifests: %w", err)
		}
		var target any
		switch raw["kind"] {
		case "ValidatingWebhookConfiguration":
			target = validating
		case "MutatingWebhookConfiguration":
			target = mutating
		default:
			continue
		}
		if err := convert(raw, target); err != nil {
			return nil, nil, err
		}
	}
	baseURL = strings.TrimSuffix(baseURL, "/")
	validating.Name, mutating.Name = prefix+"-validating", prefix+"-mutating"
	for i := range validating.Webhooks {
		validating.Webhooks[i].ClientConfig = localClientConfig(validating.Webhooks[i].ClientConfig, baseURL)
	}
	for i := range mutating.Webhooks {
		mutating.Webhooks[i].ClientConfig = localClientConfig(mutating.Webhooks[i].ClientConfig, baseURL)
	}
	if len(validating.Webhooks) == 0 || len(mutating.Webhooks) == 0 {
		return nil, nil, errors.New("the webhook manifests hold no webhooks")
	}
	return validating, mutating, nil
}

func localClientConfig(config admissionregistrationv1.WebhookClientConfig, baseURL string) admissionregistrationv1.WebhookClientConfig {
	url := baseURL
	if config.Service != nil && config.Service.Path != nil {
		url += *config.Service.Path
	}
	return admissionregistrationv1.WebhookClientConfig{URL: &url}
}

func convert(raw map[string]any, target any) error {
	return runtimeConverter.FromUnstructured(raw, target)
}

var runtimeConverter = runtime.DefaultUnstructuredConverter
