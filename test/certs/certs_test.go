package certs_test

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	. "github.com/onsi/gomega"
	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/rand"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/config"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"
	"sigs.k8s.io/controller-runtime/pkg/webhook"

	flinkv1beta1 "github.com/teal-flink/teal/api/v1beta1"
	"github.com/teal-flink/teal/internal/certs"
	"github.com/teal-flink/teal/internal/manager"
	"github.com/teal-flink/teal/test/builders"
	"github.com/teal-flink/teal/test/testenv"
)

var env *testenv.Env

func TestMain(m *testing.M) { testenv.Main(m, &env, testenv.Options{}) }

const (
	secretNamespace = "teal-system"
	secretName      = "teal-webhook-cert"
	timeout         = 30 * time.Second
	interval        = 50 * time.Millisecond
)

// TestBuiltinCertificates runs the operator's webhooks with built-in certificates whose CA lives 12 s and whose
// serving certificate lives 3 s: within the test the serving certificate is renewed and the CA is replaced, while
// admission requests keep flowing and none of them fails.
func TestBuiltinCertificates(t *testing.T) {
	g := NewWithT(t)
	ctx := context.Background()
	port := freePort(g)
	manifests, err := os.ReadFile(filepath.Join(env.Root, "config", "webhook", "manifests.yaml"))
	g.Expect(err).NotTo(HaveOccurred())
	validating, mutating, err := manager.LocalWebhookConfigurations(manifests, "teal-certs-test", "https://127.0.0.1:"+strconv.Itoa(port))
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(env.Client.Create(ctx, validating)).To(Succeed())
	g.Expect(env.Client.Create(ctx, mutating)).To(Succeed())
	g.Expect(env.Client.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: secretNamespace}})).To(Succeed())

	certificates, err := manager.BuiltinCertificates(env.Config, certs.Options{
		Namespace: secretNamespace, SecretName: secretName, ServiceName: "teal-webhook",
		IPAddresses:        []net.IP{net.ParseIP("127.0.0.1")},
		ValidatingWebhooks: []string{validating.Name}, MutatingWebhooks: []string{mutating.Name},
		CAValidity: 12 * time.Second, CertValidity: 3 * time.Second, CheckInterval: 100 * time.Millisecond,
	})
	g.Expect(err).NotTo(HaveOccurred())
	skipNameValidation := true
	mgr, err := ctrl.NewManager(env.Config, ctrl.Options{
		Scheme: env.Scheme, Metrics: metricsserver.Options{BindAddress: "0"}, HealthProbeBindAddress: "0",
		Controller: config.Controller{SkipNameValidation: &skipNameValidation},
		WebhookServer: webhook.NewServer(webhook.Options{
			Host: "127.0.0.1", Port: port, TLSOpts: []func(*tls.Config){certificates.TLSOption()},
		}),
	})
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(manager.AddCertificates(mgr, certificates)).To(Succeed())
	g.Expect(manager.Setup(mgr, manager.Options{Webhooks: true})).To(Succeed())
	operator := testenv.StartManager(mgr)
	defer func() { g.Expect(operator.Stop()).To(Succeed()) }()

	t.Log("the operator writes the Secret and injects its CA bundle into both webhook configurations")
	var firstCA *x509.Certificate
	g.Eventually(func(g Gomega) {
		secret := &corev1.Secret{}
		g.Expect(env.Client.Get(ctx, client.ObjectKey{Namespace: secretNamespace, Name: secretName}, secret)).To(Succeed())
		g.Expect(secret.Type).To(Equal(corev1.SecretTypeTLS))
		g.Expect(secret.Data).To(HaveKey(certs.KeyServingCert))
		g.Expect(secret.Data).To(HaveKey(certs.KeyServingKey))
		bundle := secret.Data[certs.KeyCABundle]
		g.Expect(bundle).NotTo(BeEmpty())
		firstCA = parseCert(g, secret.Data[certs.KeyCACert])
		current := &admissionregistrationv1.ValidatingWebhookConfiguration{}
		g.Expect(env.Client.Get(ctx, client.ObjectKeyFromObject(validating), current)).To(Succeed())
		for _, webhook := range current.Webhooks {
			g.Expect(webhook.ClientConfig.CABundle).To(Equal(bundle))
		}
		currentMutating := &admissionregistrationv1.MutatingWebhookConfiguration{}
		g.Expect(env.Client.Get(ctx, client.ObjectKeyFromObject(mutating), currentMutating)).To(Succeed())
		for _, webhook := range currentMutating.Webhooks {
			g.Expect(webhook.ClientConfig.CABundle).To(Equal(bundle))
		}
	}, timeout, interval).Should(Succeed())

	t.Log("a webhook call succeeds: a valid spec is admitted, an invalid one is denied by the webhook")
	g.Eventually(func() error { return admit(ctx, "valid") }, timeout, interval).Should(Succeed())
	invalid := builders.NewFlinkDeployment("invalid-"+rand.String(5), builders.WithParallelism(-1))
	err = env.Client.Create(ctx, invalid, client.DryRunAll)
	g.Expect(err).To(MatchError(ContainSubstring(`admission webhook "vflinkdeployment.flink.apache.org" denied the request`)))

	t.Log("calls keep succeeding while the serving certificate is renewed and the CA replaced")
	var calls, failures atomic.Int64
	var lastFailure atomic.Value
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			calls.Add(1)
			if err := admit(ctx, fmt.Sprintf("load-%d", i)); err != nil {
				failures.Add(1)
				lastFailure.Store(err.Error())
			}
		}
	}()
	// Serial numbers of the served certificates, per signing CA (authority key id).
	servedByCA := map[string]map[string]bool{}
	g.Eventually(func(g Gomega) {
		served := servedCert(g, port)
		ca := string(served.AuthorityKeyId)
		if servedByCA[ca] == nil {
			servedByCA[ca] = map[string]bool{}
		}
		servedByCA[ca][served.SerialNumber.String()] = true
		g.Expect(len(servedByCA)).To(BeNumerically(">=", 2), "certificates from a second CA were served")
		renewedUnderOneCA := false
		for _, serials := range servedByCA {
			renewedUnderOneCA = renewedUnderOneCA || len(serials) >= 2
		}
		g.Expect(renewedUnderOneCA).To(BeTrue(), "a serving certificate was renewed under the same CA")
	}, timeout, interval).Should(Succeed())
	// And the next renewal under the new CA, with the old CA retired from the bundle once expired.
	g.Eventually(func(g Gomega) {
		secret := &corev1.Secret{}
		g.Expect(env.Client.Get(ctx, client.ObjectKey{Namespace: secretNamespace, Name: secretName}, secret)).To(Succeed())
		g.Expect(time.Now().After(firstCA.NotAfter)).To(BeTrue())
		for _, cert := range parseBundle(g, secret.Data[certs.KeyCABundle]) {
			g.Expect(cert.Equal(firstCA)).To(BeFalse(), "the expired first CA left the bundle")
		}
	}, timeout, interval).Should(Succeed())
	g.Eventually(func() int64 { return calls.Load() }, timeout, interval).Should(BeNumerically(">", 20))
	close(stop)
	<-done
	g.Expect(failures.Load()).To(BeZero(), "%d of %d admission calls failed during rotation; last: %v", failures.Load(), calls.Load(), lastFailure.Load())
	t.Logf("%d admission calls through the webhooks during rotation, none failed", calls.Load())
}

// admit sends a valid FlinkDeployment through both webhooks (a dry-run stores nothing).
func admit(ctx context.Context, name string) error {
	deployment := builders.NewFlinkDeployment(name+"-"+rand.String(5), builders.WithUpgradeMode(flinkv1beta1.UpgradeModeStateless))
	return env.Client.Create(ctx, deployment, client.DryRunAll)
}

// servedCert is the certificate the webhook server presents now.
func servedCert(g Gomega, port int) *x509.Certificate {
	conn, err := tls.Dial("tcp", "127.0.0.1:"+strconv.Itoa(port), &tls.Config{InsecureSkipVerify: true}) //nolint:gosec // reading the certificate only
	g.Expect(err).NotTo(HaveOccurred())
	defer conn.Close()
	return conn.ConnectionState().PeerCertificates[0]
}

func parseCert(g Gomega, data []byte) *x509.Certificate {
	certificates := parseBundle(g, data)
	g.Expect(certificates).To(HaveLen(1))
	return certificates[0]
}

func parseBundle(g Gomega, data []byte) []*x509.Certificate {
	var certificates []*x509.Certificate
	for {
		var block *pem.Block
		block, data = pem.Decode(data)
		if block == nil {
			return certificates
		}
		cert, err := x509.ParseCertificate(block.Bytes)
		g.Expect(err).NotTo(HaveOccurred())
		certificates = append(certificates, cert)
	}
}

func freePort(g Gomega) int {
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	g.Expect(err).NotTo(HaveOccurred())
	defer listener.Close()
	return listener.Addr().(*net.TCPAddr).Port
}
