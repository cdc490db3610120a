// Package crd tests Teal's generated CustomResourceDefinitions against a real API server: the samples and
// upstream-shaped manifests are accepted and read back unchanged, and values outside the enums are rejected with
// the field path in the message.
package crd
