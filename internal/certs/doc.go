// Package certs provides the webhook server's TLS certificate for clusters without cert-manager: the operator
// keeps a CA and a serving certificate in a Secret, injects the CA bundle into its own webhook configurations,
// and rotates both before they expire without a restart. A new CA is added to the bundle a check interval
// before it signs anything and the retired CA stays in the bundle until it expires, so the API server trusts
// every certificate any replica serves throughout a rotation.
package certs
