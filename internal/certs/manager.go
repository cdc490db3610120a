package certs

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/util/wait"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// Options configure the built-in webhook certificates.
type Options struct {
	// Namespace and SecretName locate the Secret with the CAs and the serving certificate.
	Namespace, SecretName string
	// ServiceName is the webhook Service; its in-cluster DNS names go into the serving certificate.
	ServiceName string
	// DNSNames and IPAddresses are further names of the webhook server (a URL clientConfig in tests and the demo).
	DNSNames    []string
	IPAddresses []net.IP
	// ValidatingWebhooks and MutatingWebhooks name the webhook configurations that receive the CA bundle.
	ValidatingWebhooks, MutatingWebhooks []string
	// CAValidity and CertValidity are the validity periods (defaults three years and one year); each is renewed
	// when a third of it remains, and CAValidity must exceed CertValidity.
	CAValidity, CertValidity time.Duration
	// CheckInterval is how often the Secret and the webhook configurations are checked; zero derives it from the
	// validities (a twelfth of the serving certificate's, at most ten minutes).
	CheckInterval time.Duration
	// CertDir, when set, also receives tls.crt and tls.key, for a webhook server that watches a directory.
	CertDir string
	// Now is the clock; nil uses the wall clock.
	Now func() time.Time
}

// Manager keeps the webhook certificates: a manager Runnable on every replica (not only the leader, as every
// replica serves webhooks). Several replicas share the Secret through optimistic concurrency: the first write
// wins, the others adopt it on their next check.
type Manager struct {
	client    client.Client
	opts      Options
	lifetimes lifetimes
	// serving is the certificate the webhook server presents.
	serving atomic.Pointer[tls.Certificate]
	// injected is the CA bundle last seen in every webhook configuration.
	injected atomic.Pointer[[]byte]
}

// New validates opts; c must read Secrets and webhook configurations directly (not from a cache, which would
// watch every Secret in the cluster).
func New(c client.Client, opts Options) (*Manager, error) {
	if opts.Namespace == "" || opts.SecretName == "" {
		return nil, errors.New("built-in webhook certificates need the Secret's namespace and name")
	}
	if opts.CAValidity == 0 {
		opts.CAValidity = 3 * 365 * 24 * time.Hour
	}
	if opts.CertValidity == 0 {
		opts.CertValidity = 365 * 24 * time.Hour
	}
	if opts.CAValidity <= opts.CertValidity {
		return nil, fmt.Errorf("the webhook CA validity (%s) must exceed the serving certificate validity (%s)", opts.CAValidity, opts.CertValidity)
	}
	if opts.CheckInterval == 0 {
		opts.CheckInterval = min(opts.CertValidity/12, 10*time.Minute)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	dnsNames := append([]string(nil), opts.DNSNames...)
	if opts.ServiceName != "" {
		service := opts.ServiceName + "." + opts.Namespace + ".svc"
		dnsNames = append([]string{service, service + ".cluster.local"}, dnsNames...)
	}
	return &Manager{client: c, opts: opts, lifetimes: lifetimes{
		caValidity: opts.CAValidity, certValidity: opts.CertValidity, dnsNames: dnsNames, ipAddresses: opts.IPAddresses,
	}}, nil
}

// TLSOption makes a webhook server present the managed certificate; controller-runtime then skips its own
// certificate watcher.
func (m *Manager) TLSOption() func(*tls.Config) {
	return func(config *tls.Config) { config.GetCertificate = m.GetCertificate }
}

// GetCertificate returns the current serving certificate (tls.Config.GetCertificate): a rotation takes effect
// on the next TLS handshake, without a restart.
func (m *Manager) GetCertificate(*tls.ClientHelloInfo) (*tls.Certificate, error) {
	if cert := m.serving.Load(); cert != nil {
		return cert, nil
	}
	return nil, errors.New("the webhook serving certificate is not ready yet")
}

// ReadyCheck is a readiness check: ready once a certificate is served and its CA is in every webhook configuration.
func (m *Manager) ReadyCheck(*http.Request) error {
	if m.serving.Load() == nil || m.injected.Load() == nil {
		return errors.New("webhook certificates not ready")
	}
	return nil
}

// NeedLeaderElection is false: every replica serves webhooks and needs the certificate.
func (m *Manager) NeedLeaderElection() bool { return false }

// Start checks the certificates at once and then every CheckInterval until ctx ends (a manager Runnable).
func (m *Manager) Start(ctx context.Context) error {
	log := ctrl.LoggerFrom(ctx).WithName("webhook-certs")
	backoff := wait.Backoff{Duration: 100 * time.Millisecond, Factor: 2, Steps: 8, Cap: m.opts.CheckInterval}
	for {
		delay := m.opts.CheckInterval
		if err := m.Check(ctx); err != nil {
			if ctx.Err() != nil {
				return nil
			}
			delay = min(backoff.Step(), m.opts.CheckInterval)
			log.Error(err, "checking the webhook certificates; retrying", "after", delay)
		} else {
			backoff = wait.Backoff{Duration: 100 * time.Millisecond, Factor: 2, Steps: 8, Cap: m.opts.CheckInterval}
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(delay):
		}
	}
}

// Check makes the Secret, the webhook configurations and the served certificate current: the CA bundle of the
// Secret as read is injected first, so that a CA is trusted before any change planned now can depend on it.
func (m *Manager) Check(ctx context.Context) error {
	log := ctrl.LoggerFrom(ctx).WithName("webhook-certs")
	secret := &corev1.Secret{}
	err := m.client.Get(ctx, client.ObjectKey{Namespace: m.opts.Namespace, Name: m.opts.SecretName}, secret)
	exists := err == nil
	if err != nil && !apierrors.IsNotFound(err) {
		return fmt.Errorf("reading Secret %s/%s: %w", m.opts.Namespace, m.opts.SecretName, err)
	}
	current := decode(secret.Data)
	if exists && current.ca != nil {
		if err := m.inject(ctx, current.bundle()); err != nil {
			return err
		}
	}
	next, reasons, err := plan(m.opts.Now(), current, m.lifetimes)
	if err != nil {
		return err
	}
	if len(reasons) > 0 {
		secret.Namespace, secret.Name = m.opts.Namespace, m.opts.SecretName
		secret.Type = corev1.SecretTypeTLS
		secret.Data = next.encode()
		if exists {
			err = m.client.Update(ctx, secret)
		} else {
			err = m.client.Create(ctx, secret)
		}
		if apierrors.IsConflict(err) || apierrors.IsAlreadyExists(err) {
			// Another replica wrote first: adopt its certificates on the next check.
			return fmt.Errorf("another replica updated Secret %s/%s: %w", m.opts.Namespace, m.opts.SecretName, err)
		}
		if err != nil {
			return fmt.Errorf("writing Secret %s/%s: %w", m.opts.Namespace, m.opts.SecretName, err)
		}
		log.Info("webhook certificates updated", "changes", strings.Join(reasons, ", "),
			"servingNotAfter", next.serving.cert.NotAfter, "caNotAfter", next.ca.cert.NotAfter)
		if err := m.inject(ctx, next.bundle()); err != nil {
			return err
		}
	}
	return m.serve(next)
}

// serve switches the webhook server (and CertDir) to the planned serving certificate.
func (m *Manager) serve(s *state) error {
	cert, err := s.tlsCertificate()
	if err != nil {
		return err
	}
	if served := m.serving.Load(); served != nil && bytes.Equal(served.Certificate[0], cert.Certificate[0]) {
		return nil
	}
	if m.opts.CertDir != "" {
		if err := writeAtomically(m.opts.CertDir, KeyServingKey, s.serving.keyPEM); err != nil {
			return err
		}
		if err := writeAtomically(m.opts.CertDir, KeyServingCert, s.serving.certPEM); err != nil {
			return err
		}
	}
	m.serving.Store(cert)
	return nil
}

// inject writes bundle into every webhook of the configured webhook configurations that lacks it; checked on
// every pass, so a bundle lost to a helm upgrade or a manual edit comes back within a check interval.
func (m *Manager) inject(ctx context.Context, bundle []byte) error {
	for _, name := range m.opts.ValidatingWebhooks {
		configuration := &admissionregistrationv1.ValidatingWebhookConfiguration{}
		if err := m.update(ctx, name, configuration, func() bool {
			changed := false
			for i := range configuration.Webhooks {
				changed = setBundle(&configuration.Webhooks[i].ClientConfig, bundle) || changed
			}
			return changed
		}); err != nil {
			return err
		}
	}
	for _, name := range m.opts.MutatingWebhooks {
		configuration := &admissionregistrationv1.MutatingWebhookConfiguration{}
		if err := m.update(ctx, name, configuration, func() bool {
			changed := false
			for i := range configuration.Webhooks {
				changed = setBundle(&configuration.Webhooks[i].ClientConfig, bundle) || changed
			}
			return changed
		}); err != nil {
			return err
		}
	}
	injected := bytes.Clone(bundle)
	m.injected.Store(&injected)
	return nil
}

func (m *Manager) update(ctx context.Context, name string, configuration client.Object, change func() bool) error {
	if err := m.client.Get(ctx, client.ObjectKey{Name: name}, configuration); err != nil {
		return fmt.Errorf("reading webhook configuration %s: %w", name, err)
	}
	if !change() {
		return nil
	}
	if err := m.client.Update(ctx, configuration); err != nil {
		return fmt.Errorf("injecting the CA bundle into webhook configuration %s: %w", name, err)
	}
	return nil
}

func setBundle(config *admissionregistrationv1.WebhookClientConfig, bundle []byte) bool {
	if bytes.Equal(config.CABundle, bundle) {
		return false
	}
	config.CABundle = bytes.Clone(bundle)
	return true
}

// writeAtomically replaces dir/name by renaming a temporary file, so a watcher never reads half a file.
func writeAtomically(dir, name string, data []byte) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	temporary, err := os.CreateTemp(dir, "."+name+"-")
	if err != nil {
		return err
	}
	defer os.Remove(temporary.Name())
	if _, err := temporary.Write(data); err != nil {
		temporary.Close()
		return err
	}
	if err := temporary.Close(); err != nil {
		return err
	}
	return os.Rename(temporary.Name(), filepath.Join(dir, name))
}
