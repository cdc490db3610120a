// Package testenv starts the shared test control plane: a real kube-apiserver and etcd (built from source into
// bin/ by hack/install-tools.sh) with Teal's CRDs installed and, optionally, its admission webhooks served over
// TLS. Each test package starts one control plane in TestMain and shares it across its tests.
package testenv
