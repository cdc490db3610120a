package certs

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net"
	"slices"
	"time"
)

// Keys of the webhook Secret. ca.crt is the trust bundle injected into the webhook configurations: the current
// CA, the next one once it is prepared and the previous one until it expires, so that no replica's serving
// certificate is ever signed by a CA the API server does not trust yet (or any more).
const (
	KeyCABundle      = "ca.crt"
	KeyCACert        = "ca-current.crt"
	KeyCAKey         = "ca-current.key"
	KeyNextCACert    = "ca-next.crt"
	KeyNextCAKey     = "ca-next.key"
	KeyPreviousCAs   = "ca-previous.crt"
	KeyServingCert   = "tls.crt"
	KeyServingKey    = "tls.key"
	organizationName = "teal"
)

// keyPair is a certificate with its private key, parsed and in PEM.
type keyPair struct {
	cert    *x509.Certificate
	key     crypto.Signer
	certPEM []byte
	keyPEM  []byte
}

// state is what the webhook Secret holds.
type state struct {
	ca, nextCA, serving *keyPair
	// previousCAs are retired CAs still inside their validity, in PEM.
	previousCAs []*x509.Certificate
}

// lifetimes are the validity periods and the renewal points derived from them.
type lifetimes struct {
	caValidity, certValidity time.Duration
	dnsNames                 []string
	ipAddresses              []net.IP
}

// caRenewBefore is when the next CA takes over; it is prepared (added to the bundle) twice as early, so the
// bundle carrying it reaches the API server at least a check interval before any certificate it signs is served.
func (l lifetimes) caRenewBefore() time.Duration   { return l.caValidity / 3 }
func (l lifetimes) certRenewBefore() time.Duration { return l.certValidity / 3 }

// decode reads a Secret's data; missing or unreadable parts are left nil, and plan replaces them.
func decode(data map[string][]byte) *state {
	s := &state{}
	s.ca, _ = parseKeyPair(data[KeyCACert], data[KeyCAKey])
	s.nextCA, _ = parseKeyPair(data[KeyNextCACert], data[KeyNextCAKey])
	s.serving, _ = parseKeyPair(data[KeyServingCert], data[KeyServingKey])
	rest := data[KeyPreviousCAs]
	for {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			break
		}
		if cert, err := x509.ParseCertificate(block.Bytes); err == nil {
			s.previousCAs = append(s.previousCAs, cert)
		}
	}
	return s
}

// encode writes the state as Secret data.
func (s *state) encode() map[string][]byte {
	data := map[string][]byte{
		KeyCABundle: s.bundle(),
		KeyCACert:   s.ca.certPEM, KeyCAKey: s.ca.keyPEM,
		KeyServingCert: s.serving.certPEM, KeyServingKey: s.serving.keyPEM,
	}
	if s.nextCA != nil {
		data[KeyNextCACert], data[KeyNextCAKey] = s.nextCA.certPEM, s.nextCA.keyPEM
	}
	if len(s.previousCAs) > 0 {
		var previous []byte
		for _, cert := range s.previousCAs {
			previous = append(previous, pemCert(cert.Raw)...)
		}
		data[KeyPreviousCAs] = previous
	}
	return data
}

// bundle is the CA bundle the API server must trust: current, next and previous CAs.
func (s *state) bundle() []byte {
	var bundle []byte
	if s.ca != nil {
		bundle = append(bundle, s.ca.certPEM...)
	}
	if s.nextCA != nil {
		bundle = append(bundle, s.nextCA.certPEM...)
	}
	for _, cert := range s.previousCAs {
		bundle = append(bundle, pemCert(cert.Raw)...)
	}
	return bundle
}

// tlsCertificate is the serving certificate for the webhook server.
func (s *state) tlsCertificate() (*tls.Certificate, error) {
	cert, err := tls.X509KeyPair(s.serving.certPEM, s.serving.keyPEM)
	if err != nil {
		return nil, err
	}
	return &cert, nil
}

// plan decides what the Secret must hold at now: it creates what is missing or expired, prepares the next CA,
// promotes it, and renews the serving certificate. It returns the new state and why it changed (empty when it
// did not). It only generates keys; it never talks to the API server.
func plan(now time.Time, current *state, l lifetimes) (*state, []string, error) {
	next := &state{ca: current.ca, nextCA: current.nextCA, serving: current.serving}
	var reasons []string
	if next.ca == nil || !now.Before(next.ca.cert.NotAfter) {
		ca, err := newCA(now, l.caValidity)
		if err != nil {
			return nil, nil, err
		}
		next.ca, next.nextCA, next.serving = ca, nil, nil
		reasons = append(reasons, "created a CA")
	}
	if next.nextCA != nil && !now.Before(next.nextCA.cert.NotAfter) {
		next.nextCA = nil
	}
	caRemaining := next.ca.cert.NotAfter.Sub(now)
	switch {
	case next.nextCA != nil && caRemaining < l.caRenewBefore():
		next.previousCAs = append(next.previousCAs, next.ca.cert)
		next.ca, next.nextCA, next.serving = next.nextCA, nil, nil
		reasons = append(reasons, "promoted the next CA")
	case next.nextCA == nil && caRemaining < 2*l.caRenewBefore():
		ca, err := newCA(now, l.caValidity)
		if err != nil {
			return nil, nil, err
		}
		next.nextCA = ca
		reasons = append(reasons, "prepared the next CA")
	}
	for _, cert := range current.previousCAs {
		if now.Before(cert.NotAfter) {
			next.previousCAs = append(next.previousCAs, cert)
		} else {
			reasons = append(reasons, "dropped an expired CA")
		}
	}
	if reason := servingNeedsRenewal(now, next, l); reason != "" {
		serving, err := newServingCert(now, next.ca, l)
		if err != nil {
			return nil, nil, err
		}
		next.serving = serving
		reasons = append(reasons, reason)
	}
	return next, reasons, nil
}

func servingNeedsRenewal(now time.Time, s *state, l lifetimes) string {
	switch {
	case s.serving == nil:
		return "issued a serving certificate"
	case s.serving.cert.CheckSignatureFrom(s.ca.cert) != nil:
		return "issued a serving certificate from the current CA"
	case s.serving.cert.NotAfter.Sub(now) < l.certRenewBefore():
		return "renewed the serving certificate"
	case !slices.Equal(s.serving.cert.DNSNames, l.dnsNames) || !equalIPs(s.serving.cert.IPAddresses, l.ipAddresses):
		return "reissued the serving certificate for new names"
	}
	return ""
}

func equalIPs(a, b []net.IP) bool {
	return slices.EqualFunc(a, b, func(x, y net.IP) bool { return x.Equal(y) })
}

func newCA(now time.Time, validity time.Duration) (*keyPair, error) {
	template := &x509.Certificate{
		Subject:               pkix.Name{CommonName: "teal-webhook-ca", Organization: []string{organizationName}},
		NotBefore:             now.Add(-time.Minute), // tolerate clocks slightly behind
		NotAfter:              now.Add(validity),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
		IsCA:                  true,
		MaxPathLenZero:        true,
	}
	return issue(template, nil)
}

func newServingCert(now time.Time, ca *keyPair, l lifetimes) (*keyPair, error) {
	notAfter := now.Add(l.certValidity)
	if notAfter.After(ca.cert.NotAfter) {
		notAfter = ca.cert.NotAfter
	}
	commonName := "teal-webhook"
	if len(l.dnsNames) > 0 {
		commonName = l.dnsNames[0]
	}
	template := &x509.Certificate{
		Subject:     pkix.Name{CommonName: commonName, Organization: []string{organizationName}},
		NotBefore:   now.Add(-time.Minute),
		NotAfter:    notAfter,
		KeyUsage:    x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		DNSNames:    l.dnsNames,
		IPAddresses: l.ipAddresses,
	}
	return issue(template, ca)
}

// issue signs template with parent (self-signed when parent is nil) for a new ECDSA P-256 key: fast to
// generate, and accepted by every API server.
func issue(template *x509.Certificate, parent *keyPair) (*keyPair, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("generating a key: %w", err)
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		return nil, err
	}
	template.SerialNumber = serial
	parentCert, signer := template, crypto.Signer(key)
	if parent != nil {
		parentCert, signer = parent.cert, parent.key
	}
	der, err := x509.CreateCertificate(rand.Reader, template, parentCert, key.Public(), signer)
	if err != nil {
		return nil, fmt.Errorf("signing a certificate: %w", err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, err
	}
	return parseKeyPair(pemCert(der), pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}))
}

func parseKeyPair(certPEM, keyPEM []byte) (*keyPair, error) {
	certBlock, _ := pem.Decode(certPEM)
	keyBlock, _ := pem.Decode(keyPEM)
	if certBlock == nil || keyBlock == nil {
		return nil, errors.New("no PEM data")
	}
	cert, err := x509.ParseCertificate(certBlock.Bytes)
	if err != nil {
		return nil, err
	}
	parsed, err := x509.ParsePKCS8PrivateKey(keyBlock.Bytes)
	if err != nil {
		return nil, err
	}
	key, ok := parsed.(crypto.Signer)
	if !ok {
		return nil, errors.New("the key cannot sign")
	}
	if _, err := tls.X509KeyPair(certPEM, keyPEM); err != nil {
		return nil, err
	}
	return &keyPair{cert: cert, key: key, certPEM: bytes.Clone(certPEM), keyPEM: bytes.Clone(keyPEM)}, nil
}

func pemCert(der []byte) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
}
