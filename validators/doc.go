// Package validators holds Teal's admission rules as pure functions: given an object (and, on update, the old
// object, and any cluster state the caller looked up) they return every problem at once as a field.ErrorList
// whose paths name the offending field (spec.job.upgradeMode) and whose messages state the rule and the fix.
// They reproduce the accept/reject decisions of the Apache Flink Kubernetes Operator's DefaultValidator for
// FlinkDeployment, FlinkSessionJob and FlinkStateSnapshot, and add rules for FlinkBlueGreenDeployment, which
// upstream does not validate. The webhooks and the controllers call the same functions; a Registry runs the
// built-in rules plus any custom Validator (for example the JSON Schema policies of package policy).
package validators
