// Package certs tests the built-in webhook certificates against a real API server: the operator writes the
// Secret and the CA bundle, admission requests go through its webhooks over TLS, and they keep succeeding while
// the serving certificate is renewed and the CA replaced.
package certs
