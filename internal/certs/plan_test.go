package certs

import (
	"testing"
	"time"

	. "github.com/onsi/gomega"
)

// TestPlanRotatesThroughTheBundle walks one CA lifetime: the next CA joins the bundle before it signs anything,
// and the retired CA stays in the bundle until it expires.
func TestPlanRotatesThroughTheBundle(t *testing.T) {
	l := lifetimes{caValidity: 9 * time.Hour, certValidity: 3 * time.Hour, dnsNames: []string{"teal-webhook.teal-system.svc"}}
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	cases := []struct {
		name    string
		at      time.Duration
		reasons []string
		bundle  int
	}{
		{name: "fresh start", at: 0, reasons: []string{"created a CA", "issued a serving certificate"}, bundle: 1},
		{name: "nothing due", at: time.Hour, bundle: 1},
		{name: "serving certificate renewed", at: 2*time.Hour + time.Minute, reasons: []string{"renewed the serving certificate"}, bundle: 1},
		{name: "next CA prepared, not used", at: 3*time.Hour + time.Minute, bundle: 2, reasons: []string{"prepared the next CA"}},
		{name: "next CA promoted, serving certificate from it", at: 6*time.Hour + time.Minute, bundle: 2,
			reasons: []string{"promoted the next CA", "issued a serving certificate"}},
		{name: "old CA dropped once expired, while the CA after next is prepared", at: 9*time.Hour + time.Minute, bundle: 2,
			reasons: []string{"prepared the next CA", "dropped an expired CA", "renewed the serving certificate"}},
	}
	g := NewWithT(t)
	current := decode(nil)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			g := NewWithT(t)
			next, reasons, err := plan(start.Add(tc.at), current, l)
			g.Expect(err).NotTo(HaveOccurred())
			g.Expect(reasons).To(Equal(tc.reasons))
			g.Expect(next.serving.cert.CheckSignatureFrom(next.ca.cert)).To(Succeed())
			g.Expect(next.serving.cert.DNSNames).To(Equal(l.dnsNames))
			g.Expect(decodeBundle(next.bundle())).To(HaveLen(tc.bundle))
			// Round trip through the Secret.
			current = decode(next.encode())
			g.Expect(current.bundle()).To(Equal(next.bundle()))
		})
	}
	g.Expect(current.ca).NotTo(BeNil())
}

func TestPlanReissuesForNewNames(t *testing.T) {
	g := NewWithT(t)
	now := time.Now()
	first, _, err := plan(now, decode(nil), lifetimes{caValidity: 9 * time.Hour, certValidity: 3 * time.Hour, dnsNames: []string{"a"}})
	g.Expect(err).NotTo(HaveOccurred())
	_, reasons, err := plan(now, first, lifetimes{caValidity: 9 * time.Hour, certValidity: 3 * time.Hour, dnsNames: []string{"b"}})
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(reasons).To(ConsistOf("reissued the serving certificate for new names"))
}

func decodeBundle(bundle []byte) []string {
	var certs []string
	s := decode(map[string][]byte{KeyPreviousCAs: bundle})
	for _, cert := range s.previousCAs {
		certs = append(certs, cert.Subject.CommonName)
	}
	return certs
}
