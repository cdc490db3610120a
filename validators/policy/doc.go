// Package policy validates Teal's resources against JSON Schema documents that an operator administrator
// writes and changes without recompiling Teal. Each policy document names the kind it applies to and carries a
// JSON Schema (draft 2020-12 by default); a resource that does not satisfy the schema is rejected with one
// field error per failure, at the failing location turned into a field path (spec.image) and with the schema's
// message. Policies come from files or from a ConfigMap (one document per key) that a Watcher reloads whenever
// it changes; a Set is a validators.Validator, registered with the validators.Registry.
package policy
