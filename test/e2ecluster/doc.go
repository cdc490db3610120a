// Package e2ecluster is the end-to-end suite on real pods: it drives Teal, installed by Helm in the local
// single-node Kubernetes of hack/cluster (docs/cluster.md), and asserts every scenario twice, from Kubernetes
// (status, conditions, the objects Teal made) and from Flink's own REST API (the job RUNNING with every task
// running, the checkpoint or savepoint it restored from). Its tests run inside the cluster's network namespace
// (`make e2e-cluster`); without TEAL_E2E_CLUSTER set they are skipped, so `go test ./...` stays fast. A failed
// scenario leaves each pod's logs and the objects' YAML under test/e2ecluster/_output.
package e2ecluster
