#!/usr/bin/env bash
# The end-to-end suite on real pods (test/e2ecluster), run by `make e2e-cluster`:
#   1. compiles the test binary (outside the cluster's network namespace: the Go module proxy is not reachable
#      from inside it);
#   2. reuses a running cluster of CLUSTER_NAME with Teal installed, or brings one up (hack/cluster/up.sh) and then
#      tears it down on exit, whether the tests passed or not;
#   3. runs the tests inside the network namespace (hack/cluster/exec), with the Flink pods' state in a host
#      directory under the cluster's state directory.
# A failed scenario keeps each pod's logs and the objects' YAML under test/e2ecluster/_output.
#
#   E2E_CLUSTER_RUN='TestNativeApplication/flink-1.20' hack/cluster/e2e.sh    # a subset (go test -run)
#   E2E_CLUSTER_PARALLEL=1 hack/cluster/e2e.sh                                  # one scenario at a time
set -euo pipefail
# shellcheck source=hack/cluster/lib.sh
source "$(dirname "$0")/lib.sh"
[[ $(id -u) == 0 ]] || die "the local cluster needs root"
cd "$cluster_root"

seconds() { date +%s; }
start=$(seconds)
go test -c -o "$BIN/e2ecluster.test" ./test/e2ecluster
log "compiled the suite in $(($(seconds) - start))s"

# A cluster counts as running when its API server answers and Teal's Deployment is available.
running() {
  [[ -e $NETNS_PATH && -f $KUBECONFIG_ADMIN ]] &&
    "$cluster_root/hack/cluster/kubectl" -n teal-system wait --for=condition=Available deployment/teal --timeout=5s >/dev/null 2>&1
}

# The suite's Helm values (hack/cluster/e2e-values.yaml) on top of the chart's defaults.
values=$cluster_root/hack/cluster/e2e-values.yaml
if running; then
  log "reusing the running cluster $CLUSTER_NAME (it stays up); helm upgrade with $values"
  config() { "$cluster_root/hack/cluster/kubectl" -n teal-system get configmap teal-config -o jsonpath='{.data}'; }
  before=$(config)
  "$cluster_root/hack/cluster/exec" env HELM_CACHE_HOME="$STATE/helm/cache" HELM_CONFIG_HOME="$STATE/helm/config" \
    HELM_DATA_HOME="$STATE/helm/data" "$BIN/helm" upgrade teal "$cluster_root/charts/teal" -n teal-system \
    --reuse-values -f "$values" --wait --timeout 5m >/dev/null
  # With dynamic configuration (the chart's default) a changed operator configuration is reloaded in place once
  # the kubelet refreshes the mounted ConfigMap, up to a minute after helm returns: the first scenarios would
  # meet the old one (an http jarURI refused by the webhook). A restart reads it now.
  if [[ $(config) != "$before" ]]; then
    log "the operator configuration changed: restarting Teal to read it"
    "$cluster_root/hack/cluster/kubectl" -n teal-system rollout restart deployment/teal >/dev/null
    "$cluster_root/hack/cluster/kubectl" -n teal-system rollout status deployment/teal --timeout 5m >/dev/null
  fi
else
  up_start=$(seconds)
  teardown() {
    local code=$? down_start
    down_start=$(seconds)
    "$cluster_root/hack/cluster/down.sh" || code=1
    log "cluster-down took $(($(seconds) - down_start))s"
    exit "$code"
  }
  trap teardown EXIT
  TEAL_HELM_ARGS="-f $values" "$cluster_root/hack/cluster/up.sh"
  log "bring-up took $(($(seconds) - up_start))s"
fi

data=$STATE/e2e-data
mkdir -p "$data"
tests_start=$(seconds)
status=0
"$cluster_root/hack/cluster/exec" env TEAL_E2E_CLUSTER=1 TEAL_E2E_DATA="$data" TEAL_E2E_NAMESPACE=teal-system \
  "$BIN/e2ecluster.test" -test.v -test.timeout "${E2E_CLUSTER_TIMEOUT:-60m}" -test.run "${E2E_CLUSTER_RUN:-.}" \
  -test.parallel "${E2E_CLUSTER_PARALLEL:-4}" || status=$?
log "the scenarios took $(($(seconds) - tests_start))s"
exit "$status"
