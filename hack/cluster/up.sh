#!/usr/bin/env bash
# Brings up a local single-node Kubernetes cluster: etcd, kube-apiserver, kube-controller-manager,
# kube-scheduler, containerd + runc, kubelet and kube-proxy as processes, CoreDNS as a pod, all inside a network
# namespace of their own with addresses from 198.18.0.0/15 (see lib.sh), with a cluster CA, Node+RBAC
# authorization and service-account tokens. It imports the images in bin/images (hack/images/build.sh) and,
# unless INSTALL_TEAL=false, installs Teal with `helm install` of charts/teal.
#
#   CLUSTER_NAME=teal hack/cluster/up.sh      (make cluster builds the binaries and images first)
#
# Leftovers of an earlier run are removed first (hack/cluster/down.sh), and a failed bring-up tears itself
# down unless KEEP_FAILED=true, so a crashed run never breaks the next one.
set -euo pipefail
# shellcheck source=hack/cluster/lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=hack/images/names.sh
source "$cluster_root/hack/images/names.sh"

INSTALL_TEAL=${INSTALL_TEAL:-true}
KEEP_FAILED=${KEEP_FAILED:-false}

[[ $(id -u) == 0 ]] || die "the local cluster needs root (network namespace, containerd, kubelet)"
for tool in etcd kube-apiserver kube-controller-manager kube-scheduler kubelet kube-proxy kubectl helm; do
  [[ -x $BIN/$tool ]] || die "bin/$tool is missing: run make cluster (or hack/install-tools.sh cluster)"
done
for tool in containerd containerd-shim-runc-v2 runc ctr iptables conntrack; do
  command -v "$tool" >/dev/null || die "$tool is missing: run hack/cluster/install-packages.sh"
done
[[ -f $BIN/images/pause.tar && -f $BIN/images/coredns.tar ]] || die "bin/images is missing images: run make images"

start_time=$(date +%s)
"$cluster_root/hack/cluster/down.sh" 2>/dev/null || "$cluster_root/hack/cluster/down.sh"

on_exit() {
  local rc=$?
  ((rc == 0)) && return
  log "bring-up failed; the last lines of each log:"
  for f in "$STATE"/logs/*.log; do
    [[ -f $f ]] && { echo "--- $f" >&2; tail -n 15 "$f" >&2; }
  done
  if [[ $KEEP_FAILED == true ]]; then
    log "KEEP_FAILED=true: the cluster stays for inspection; make cluster-down removes it"
  else
    "$cluster_root/hack/cluster/down.sh" || true
  fi
  # The background import ends once containerd is gone; nothing of this run outlives it.
  [[ -z ${flink_import:-} ]] || wait "$flink_import" 2>/dev/null || true
}
trap on_exit EXIT

mkdir -p "$STATE"/{pki,logs,pids,etcd,cni/net.d,cni/ipam,pod-logs,sysctl,kubelet,containerd}
for p in "${HOST_PATHS[@]}"; do
  [[ -e $p ]] || echo "$p" >>"$STATE/created-paths"
done

# --- network namespace -------------------------------------------------------------------------------------
log "network namespace $NETNS: node $NODE_IP, pods $POD_SUBNET, services $SERVICE_CIDR"
ip netns add "$NETNS"
in_netns ip link set lo up
# The node's address sits on an ifb device: packets routed to it are dropped, none leaves the namespace.
in_netns ip link add node0 type ifb
in_netns ip addr add "$NODE_CIDR" dev node0
in_netns ip link set node0 up
# ClusterIP traffic from the node needs a route before kube-proxy's DNAT picks the pod.
in_netns ip route add default dev node0
in_netns sysctl -q -w net.ipv4.ip_forward=1

# --- certificates ------------------------------------------------------------------------------------------
pki=$STATE/pki
openssl_quiet() { openssl "$@" 2>/dev/null; }
openssl_quiet req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 3650 \
  -keyout "$pki/ca.key" -out "$pki/ca.crt" -subj "/CN=teal-$CLUSTER_NAME-ca"
# cert <name> <subject> <client|server|both> [subjectAltNames]
cert() {
  local name=$1 subject=$2 usage=$3 sans=${4:-} eku
  case $usage in client) eku=clientAuth ;; server) eku=serverAuth ;; both) eku=serverAuth,clientAuth ;; esac
  openssl_quiet req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
    -keyout "$pki/$name.key" -out "$pki/$name.csr" -subj "$subject"
  {
    echo "basicConstraints=critical,CA:FALSE"
    echo "keyUsage=critical,digitalSignature,keyEncipherment"
    echo "extendedKeyUsage=$eku"
    [[ -n $sans ]] && echo "subjectAltName=$sans"
  } >"$pki/$name.ext"
  openssl_quiet x509 -req -in "$pki/$name.csr" -CA "$pki/ca.crt" -CAkey "$pki/ca.key" -CAcreateserial \
    -days 365 -extfile "$pki/$name.ext" -out "$pki/$name.crt"
  rm -f "$pki/$name.csr" "$pki/$name.ext"
}
cert etcd "/CN=etcd" both "IP:127.0.0.1,DNS:localhost"
cert apiserver-etcd-client "/CN=kube-apiserver-etcd-client" client
cert apiserver "/CN=kube-apiserver" server \
  "IP:$NODE_IP,IP:$API_SERVICE_IP,IP:127.0.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.$CLUSTER_DOMAIN"
cert apiserver-kubelet-client "/O=system:masters/CN=kube-apiserver-kubelet-client" client
cert admin "/O=system:masters/CN=kubernetes-admin" client
cert controller-manager "/CN=system:kube-controller-manager" client
cert scheduler "/CN=system:kube-scheduler" client
cert kube-proxy "/CN=system:kube-proxy" client
# The Node authorizer and NodeRestriction admit the kubelet by this identity only.
cert kubelet-client "/O=system:nodes/CN=system:node:$NODE_NAME" client
cert kubelet "/CN=$NODE_NAME" server "IP:$NODE_IP,DNS:$NODE_NAME"
# The front proxy's own CA and client certificate, for requests the API server forwards to aggregated APIs; the
# other components read this CA from kube-system/extension-apiserver-authentication and log errors without it.
openssl_quiet req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 3650 \
  -keyout "$pki/front-proxy-ca.key" -out "$pki/front-proxy-ca.crt" -subj "/CN=teal-$CLUSTER_NAME-front-proxy-ca"
front_proxy_client() {
  openssl_quiet req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
    -keyout "$pki/front-proxy-client.key" -out "$pki/front-proxy-client.csr" -subj "/CN=front-proxy-client"
  printf 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=clientAuth\n' \
    >"$pki/front-proxy-client.ext"
  openssl_quiet x509 -req -in "$pki/front-proxy-client.csr" -CA "$pki/front-proxy-ca.crt" \
    -CAkey "$pki/front-proxy-ca.key" -CAcreateserial -days 365 -extfile "$pki/front-proxy-client.ext" \
    -out "$pki/front-proxy-client.crt"
  rm -f "$pki/front-proxy-client.csr" "$pki/front-proxy-client.ext"
}
front_proxy_client
openssl_quiet ecparam -name prime256v1 -genkey -noout -out "$pki/sa.key"
openssl_quiet ec -in "$pki/sa.key" -pubout -out "$pki/sa.pub"
chmod 0600 "$pki"/*.key

# kubeconfig <file> <cert name>
kubeconfig() {
  cat >"$1" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: $CLUSTER_NAME
  cluster:
    server: https://$NODE_IP:$API_PORT
    certificate-authority-data: $(base64 -w0 "$pki/ca.crt")
users:
- name: $2
  user:
    client-certificate-data: $(base64 -w0 "$pki/$2.crt")
    client-key-data: $(base64 -w0 "$pki/$2.key")
contexts:
- name: $CLUSTER_NAME
  context: {cluster: $CLUSTER_NAME, user: $2}
current-context: $CLUSTER_NAME
EOF
  chmod 0600 "$1"
}
kubeconfig "$KUBECONFIG_ADMIN" admin
kubeconfig "$STATE/controller-manager.kubeconfig" controller-manager
kubeconfig "$STATE/scheduler.kubeconfig" scheduler
kubeconfig "$STATE/kube-proxy.kubeconfig" kube-proxy
kubeconfig "$STATE/kubelet.kubeconfig" kubelet-client

# --- cgroups and daemons -----------------------------------------------------------------------------------
for d in $(cgroup_dirs); do
  mkdir -p "$d"
  # A new cpuset cgroup starts with no CPUs and no memory nodes: give it its parent's.
  if [[ -f $d/cpuset.cpus ]]; then
    cat "${d%/*}/cpuset.cpus" >"$d/cpuset.cpus"
    cat "${d%/*}/cpuset.mems" >"$d/cpuset.mems"
  fi
done
daemons_cgroup=$(awk '$9 == "cgroup" && $NF ~ /(^|,)pids(,|$)/ {print $5}' /proc/self/mountinfo | head -n1)/$CGROUP/daemons
mkdir -p "$daemons_cgroup"

# start <name> CMD...: run a daemon inside the namespace, in the cluster's cgroup, with its PID recorded.
start() {
  local name=$1
  shift
  (
    echo "$BASHPID" >"$daemons_cgroup/cgroup.procs"
    exec nsenter --net="$NETNS_PATH" "$@" </dev/null >"$STATE/logs/$name.log" 2>&1
  ) &
  echo $! >"$STATE/pids/$name"
}

# wait_for <what> <seconds> CMD...: poll until CMD succeeds, failing with the daemon logs after the deadline.
wait_for() {
  local what=$1 seconds=$2 deadline
  shift 2
  deadline=$(($(date +%s) + seconds))
  until "$@" >/dev/null 2>&1; do
    (($(date +%s) < deadline)) || die "timed out after ${seconds}s waiting for $what"
    for f in "$STATE"/pids/*; do
      kill -0 "$(cat "$f")" 2>/dev/null || die "${f##*/} exited (see $STATE/logs/${f##*/}.log)"
    done
    sleep 0.5
  done
}

# containerd: state, sockets, runc state and CNI files under the state directory.
cat >"$STATE/containerd/config.toml" <<EOF
version = 2
root = "$STATE/containerd/root"
state = "$STATE/containerd/state"
[grpc]
  address = "$STATE/containerd/containerd.sock"
[ttrpc]
  address = "$STATE/containerd/containerd.sock.ttrpc"
[plugins."io.containerd.internal.v1.opt"]
  path = "$STATE/containerd/opt"
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "$PAUSE_IMAGE"
  # Root here lacks CAP_SYS_RESOURCE: runc cannot lower oom_score_adj, and every sandbox would fail.
  restrict_oom_score_adj = true
  netns_mounts_under_state_dir = true
  stream_server_address = "127.0.0.1"
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        SystemdCgroup = false
        Root = "$STATE/runc"
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = "$STATE/cni/net.d"
EOF
cat >"$STATE/cni/net.d/10-teal.conflist" <<EOF
{
  "cniVersion": "1.0.0",
  "name": "teal-$CLUSTER_NAME",
  "plugins": [
    {
      "type": "bridge",
      "bridge": "cni0",
      "isGateway": true,
      "ipMasq": false,
      "hairpinMode": true,
      "ipam": {
        "type": "host-local",
        "dataDir": "$STATE/cni/ipam",
        "ranges": [[{"subnet": "$POD_SUBNET"}]],
        "routes": [{"dst": "0.0.0.0/0"}]
      }
    },
    {"type": "portmap", "capabilities": {"portMappings": true}}
  ]
}
EOF

# The state directory is a shared mount, so that the mounts kubelet makes from its own mount namespace (pod
# volumes) reach containerd and runc in the host's.
mount --bind "$STATE" "$STATE"
mount --make-shared "$STATE"

log "starting etcd and containerd"
start etcd "$BIN/etcd" --name "$NODE_NAME" --data-dir "$STATE/etcd" \
  --listen-client-urls https://127.0.0.1:2379 --advertise-client-urls https://127.0.0.1:2379 \
  --listen-peer-urls http://127.0.0.1:2380 --initial-advertise-peer-urls http://127.0.0.1:2380 \
  --initial-cluster "$NODE_NAME=http://127.0.0.1:2380" \
  --cert-file "$pki/etcd.crt" --key-file "$pki/etcd.key" --trusted-ca-file "$pki/ca.crt" --client-cert-auth \
  --unsafe-no-fsync --log-level warn
start containerd containerd --config "$STATE/containerd/config.toml"

wait_for etcd 60 in_netns curl -sf --cacert "$pki/ca.crt" --cert "$pki/apiserver-etcd-client.crt" \
  --key "$pki/apiserver-etcd-client.key" https://127.0.0.1:2379/health

log "starting kube-apiserver"
start kube-apiserver "$BIN/kube-apiserver" \
  --advertise-address "$NODE_IP" --secure-port "$API_PORT" \
  --etcd-servers https://127.0.0.1:2379 --etcd-cafile "$pki/ca.crt" \
  --etcd-certfile "$pki/apiserver-etcd-client.crt" --etcd-keyfile "$pki/apiserver-etcd-client.key" \
  --client-ca-file "$pki/ca.crt" --tls-cert-file "$pki/apiserver.crt" --tls-private-key-file "$pki/apiserver.key" \
  --kubelet-client-certificate "$pki/apiserver-kubelet-client.crt" \
  --kubelet-client-key "$pki/apiserver-kubelet-client.key" --kubelet-certificate-authority "$pki/ca.crt" \
  --kubelet-preferred-address-types InternalIP,Hostname \
  --authorization-mode Node,RBAC --enable-admission-plugins NodeRestriction \
  --service-cluster-ip-range "$SERVICE_CIDR" \
  --service-account-issuer "https://kubernetes.default.svc.$CLUSTER_DOMAIN" \
  --service-account-key-file "$pki/sa.pub" --service-account-signing-key-file "$pki/sa.key" \
  --requestheader-client-ca-file "$pki/front-proxy-ca.crt" --requestheader-allowed-names front-proxy-client \
  --requestheader-username-headers X-Remote-User --requestheader-group-headers X-Remote-Group \
  --requestheader-extra-headers-prefix X-Remote-Extra- \
  --proxy-client-cert-file "$pki/front-proxy-client.crt" --proxy-client-key-file "$pki/front-proxy-client.key" \
  --allow-privileged=true --profiling=false --v=1

# Images go in while the control plane starts; the large Flink images in the background, awaited at the end.
wait_for containerd 60 in_netns ctr --address "$STATE/containerd/containerd.sock" version
import_image() {
  in_netns ctr --address "$STATE/containerd/containerd.sock" -n k8s.io images import "$1" \
    >>"$STATE/logs/import.log" 2>&1 || { log "ctr images import $1 failed (see $STATE/logs/import.log)"; return 1; }
}
log "importing the images in bin/images"
import_start=$(date +%s)
for image in "$BIN"/images/*.tar; do
  [[ ${image##*/} == flink-* ]] || import_image "$image"
done
(
  shopt -s nullglob
  flink_images=("$BIN"/images/flink-*.tar)
  for image in "${flink_images[@]}"; do
    import_image "$image" || exit 1
  done
  ((${#flink_images[@]} == 0)) || log "imported the Flink images in $(($(date +%s) - import_start))s"
) &
flink_import=$!

kubectl() { in_netns "$BIN/kubectl" --kubeconfig "$KUBECONFIG_ADMIN" "$@"; }
wait_for kube-apiserver 120 kubectl get --raw /readyz

log "starting kube-controller-manager, kube-scheduler, kubelet, kube-proxy"
start kube-controller-manager "$BIN/kube-controller-manager" \
  --kubeconfig "$STATE/controller-manager.kubeconfig" \
  --authentication-kubeconfig "$STATE/controller-manager.kubeconfig" \
  --authorization-kubeconfig "$STATE/controller-manager.kubeconfig" \
  --bind-address 127.0.0.1 --leader-elect=false --use-service-account-credentials \
  --service-account-private-key-file "$pki/sa.key" --root-ca-file "$pki/ca.crt" \
  --cluster-signing-cert-file "$pki/ca.crt" --cluster-signing-key-file "$pki/ca.key" \
  --service-cluster-ip-range "$SERVICE_CIDR" --v=1
start kube-scheduler "$BIN/kube-scheduler" --kubeconfig "$STATE/scheduler.kubeconfig" \
  --authentication-kubeconfig "$STATE/scheduler.kubeconfig" --authorization-kubeconfig "$STATE/scheduler.kubeconfig" \
  --bind-address 127.0.0.1 --leader-elect=false --v=1

cat >"$STATE/kubelet/config.yaml" <<EOF
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
address: $NODE_IP
readOnlyPort: 0
healthzBindAddress: 127.0.0.1
authentication:
  anonymous: {enabled: false}
  webhook: {enabled: true}
  x509: {clientCAFile: $pki/ca.crt}
authorization: {mode: Webhook}
tlsCertFile: $pki/kubelet.crt
tlsPrivateKeyFile: $pki/kubelet.key
rotateCertificates: false
clusterDomain: $CLUSTER_DOMAIN
clusterDNS: [$DNS_SERVICE_IP]
# No upstream resolver: the cluster has no egress, and pods with dnsPolicy Default get none.
resolvConf: ""
containerRuntimeEndpoint: unix://$STATE/containerd/containerd.sock
podLogsDir: $STATE/pod-logs
cgroupDriver: cgroupfs
cgroupRoot: /$CGROUP
# This machine mounts cgroup v1; kubelet 1.36 refuses it unless told otherwise.
failCgroupV1: false
failSwapOn: false
enforceNodeAllocatable: []
# A small disk must not evict the pods, nor remove the locally imported images.
evictionHard: {}
imageGCHighThresholdPercent: 100
imageGCLowThresholdPercent: 99
serializeImagePulls: false
EOF
for s in "${KUBELET_SYSCTLS[@]}"; do
  mkdir -p "$(dirname "$STATE/sysctl/${s%%=*}")"
  echo "${s#*=}" >"$STATE/sysctl/${s%%=*}"
done
# kubelet gets a mount namespace of its own (still sharing the state directory's mounts with the host) in which
# the global sysctls it would otherwise rewrite read as the values it wants.
sysctl_binds=""
for s in "${KUBELET_SYSCTLS[@]}"; do
  sysctl_binds+="mount --bind '$STATE/sysctl/${s%%=*}' '/proc/sys/${s%%=*}' && "
done
start kubelet unshare --mount --propagation unchanged -- bash -c "${sysctl_binds} exec '$BIN/kubelet' \
  --config '$STATE/kubelet/config.yaml' --kubeconfig '$STATE/kubelet.kubeconfig' \
  --root-dir '$STATE/kubelet' --cert-dir '$pki' \
  --hostname-override '$NODE_NAME' --node-ip '$NODE_IP' --v=1"

cat >"$STATE/kube-proxy.yaml" <<EOF
apiVersion: kubeproxy.config.k8s.io/v1alpha1
kind: KubeProxyConfiguration
mode: iptables
clientConnection: {kubeconfig: $STATE/kube-proxy.kubeconfig}
hostnameOverride: $NODE_NAME
bindAddress: $NODE_IP
clusterCIDR: $CLUSTER_CIDR
healthzBindAddress: 127.0.0.1:10256
metricsBindAddress: 127.0.0.1:10249
# Service traffic between pods on the one bridge returns through the node only when masqueraded.
iptables: {masqueradeAll: true, localhostNodePorts: false}
# Leave the conntrack sysctls as they are (the table size is global).
conntrack: {maxPerCore: 0, min: 0, tcpEstablishedTimeout: 0s, tcpCloseWaitTimeout: 0s}
EOF
start kube-proxy "$BIN/kube-proxy" --config "$STATE/kube-proxy.yaml" --v=1

wait_for "node $NODE_NAME Ready" 120 kubectl wait --for=condition=Ready "node/$NODE_NAME" --timeout=2s

# --- CoreDNS -----------------------------------------------------------------------------------------------
log "deploying CoreDNS"
sed -e "s|@COREDNS_IMAGE@|$COREDNS_IMAGE|g" -e "s|@DNS_SERVICE_IP@|$DNS_SERVICE_IP|g" \
  -e "s|@CLUSTER_DOMAIN@|$CLUSTER_DOMAIN|g" "$cluster_root/hack/cluster/coredns.yaml" | kubectl apply -f - >/dev/null
wait_for "the default service account" 60 kubectl -n default get serviceaccount default
kubectl -n kube-system rollout status deployment/coredns --timeout=180s >/dev/null ||
  die "CoreDNS did not become ready (kubectl -n kube-system describe pods -l k8s-app=kube-dns)"
log "control plane and CoreDNS ready after $(($(date +%s) - start_time))s"

# --- Teal --------------------------------------------------------------------------------------------------
if [[ $INSTALL_TEAL == true ]]; then
  [[ -f $BIN/images/operator.tar ]] || die "bin/images/operator.tar is missing: run make images"
  log "installing Teal: helm install teal charts/teal -n teal-system ${TEAL_HELM_ARGS:-}"
  # TEAL_HELM_ARGS: more helm arguments, split at spaces (make e2e-cluster passes its values file).
  read -r -a helm_args <<<"${TEAL_HELM_ARGS:-}"
  in_netns env KUBECONFIG="$KUBECONFIG_ADMIN" HELM_CACHE_HOME="$STATE/helm/cache" \
    HELM_CONFIG_HOME="$STATE/helm/config" HELM_DATA_HOME="$STATE/helm/data" \
    "$BIN/helm" install teal "$cluster_root/charts/teal" -n teal-system --create-namespace \
    --set image.repository="${OPERATOR_IMAGE%:*}" --set image.tag="${OPERATOR_IMAGE##*:}" \
    --set image.pullPolicy=Never "${helm_args[@]}" --wait --timeout 5m >"$STATE/logs/helm-install.log" 2>&1 ||
    die "helm install failed (see $STATE/logs/helm-install.log)"
fi

wait "$flink_import" || die "importing the Flink images failed (see $STATE/logs/import.log)"
log "cluster $CLUSTER_NAME is up after $(($(date +%s) - start_time))s"
cat <<EOF

Cluster "$CLUSTER_NAME" is up: Kubernetes $("$BIN/kubectl" version --client -o json | sed -n 's/.*"gitVersion": "\(v[^"]*\)".*/\1/p' | head -n1) on node $NODE_NAME ($NODE_IP), inside network namespace $NETNS.
Its addresses exist only in that namespace, so run every client through these wrappers:

  hack/cluster/kubectl get pods -A                 # kubectl with the cluster's admin kubeconfig
  hack/cluster/exec helm list -A                   # any command, inside the namespace, with KUBECONFIG set
  hack/cluster/kubectl -n teal-system apply -f config/samples/flinkdeployment-application.yaml

Flink images: flink:1.20 (1.20.3) and flink:2.3 (2.3.0), built locally. Remove everything with: make cluster-down
EOF
