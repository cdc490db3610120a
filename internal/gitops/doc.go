// Package gitops implements the status contract every Teal kind follows (docs/gitops.md): Ready always present,
// Reconciling and Stalled present only while True and never together, each condition carrying the generation it
// speaks for, and status.observedGeneration advanced only on a terminal outcome (Ready or Stalled). kstatus,
// Flux and the shipped Argo CD health scripts read exactly these fields. Patcher writes them: one status write
// per patch (conditions, observedGeneration and state fields in the same stored version), bound by JSON patch
// tests to the UID and resourceVersion the reconcile read.
package gitops
