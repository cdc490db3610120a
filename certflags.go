package main

import (
	"flag"
	"fmt"
	"time"

	"k8s.io/client-go/rest"

	"github.com/teal-flink/teal/internal/certs"
	"github.com/teal-flink/teal/internal/manager"
)

// webhookCertFlags choose where the webhook server's certificate comes from: a directory (cert-manager's Secret
// mounted, reloaded by controller-runtime's certificate watcher) or the built-in CA (see internal/certs).
type webhookCertFlags struct {
	mode, secret, service, validating, mutating string
	caValidity, certValidity                    time.Duration
}

func (f *webhookCertFlags) register() {
	flag.StringVar(&f.mode, "webhook-cert-mode", "dir", "Webhook certificate source: dir (tls.crt/tls.key in --webhook-cert-dir, e.g. from cert-manager) or builtin (the operator's own CA in a Secret, rotated before expiry).")
	flag.StringVar(&f.secret, "webhook-cert-secret", "teal-webhook-cert", "builtin: the Secret, in the operator's namespace, holding the CA and serving certificate.")
	flag.StringVar(&f.service, "webhook-service", "teal-webhook", "builtin: the webhook Service, whose DNS names the serving certificate carries.")
	flag.StringVar(&f.validating, "validating-webhook-configuration", "teal-validating", "builtin: the ValidatingWebhookConfiguration that receives the CA bundle.")
	flag.StringVar(&f.mutating, "mutating-webhook-configuration", "teal-mutating", "builtin: the MutatingWebhookConfiguration that receives the CA bundle.")
	flag.DurationVar(&f.caValidity, "webhook-ca-validity", 3*365*24*time.Hour, "builtin: validity of the CA.")
	flag.DurationVar(&f.certValidity, "webhook-cert-validity", 365*24*time.Hour, "builtin: validity of the serving certificate.")
}

// certificates returns the built-in certificate manager, or nil in dir mode. With a --webhook-cert-dir in builtin
// mode, the certificate is written there too.
func (f *webhookCertFlags) certificates(config *rest.Config, namespace, certDir string) (*certs.Manager, error) {
	switch f.mode {
	case "dir":
		return nil, nil
	case "builtin":
		return manager.BuiltinCertificates(config, certs.Options{
			Namespace: namespace, SecretName: f.secret, ServiceName: f.service,
			ValidatingWebhooks: []string{f.validating}, MutatingWebhooks: []string{f.mutating},
			CAValidity: f.caValidity, CertValidity: f.certValidity, CertDir: certDir,
		})
	}
	return nil, fmt.Errorf("--webhook-cert-mode must be dir or builtin, not %q", f.mode)
}
