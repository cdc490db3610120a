// Package specdiff decides what a spec change means for a running Flink deployment or session job: nothing to do
// (IGNORE), an in-place rescale (SCALE), a full upgrade (UPGRADE) or a redeploy from a chosen savepoint
// (SAVEPOINT_REDEPLOY). The rules follow the Apache Flink Kubernetes Operator's annotated spec fields, so a
// change that upstream applies in place is applied in place here too.
package specdiff
