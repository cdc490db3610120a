# Shared settings and helpers of the local cluster scripts (sourced by up.sh, down.sh, kubectl, exec).
#
# The cluster lives in its own network namespace, named after the cluster, with addresses only from
# 198.18.0.0/15 (reserved for benchmarking, routed nowhere): nothing in it can reach another machine, and every
# client reaches it from inside that namespace (hack/cluster/exec, hack/cluster/kubectl). Two clusters with
# different CLUSTER_NAMEs may use the same addresses, each in its own namespace.

CLUSTER_NAME=${CLUSTER_NAME:-teal}
[[ $CLUSTER_NAME =~ ^[a-z][a-z0-9-]{0,20}$ ]] || { echo "CLUSTER_NAME must be a short DNS label" >&2; exit 2; }

cluster_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# All state of a cluster (certificates, etcd, containerd, kubelet, logs) lives here and goes with cluster-down.
STATE=${TEAL_CLUSTER_STATE:-/var/lib/teal-cluster}/$CLUSTER_NAME
NETNS=teal-$CLUSTER_NAME
NETNS_PATH=/run/netns/$NETNS
# cgroup (in every v1 hierarchy) holding the cluster's daemons and, through kubelet's cgroupRoot, its pods:
# teardown finds every process of the cluster there.
CGROUP=teal-$CLUSTER_NAME

NODE_NAME=$CLUSTER_NAME-node
NODE_IP=198.18.0.2
NODE_CIDR=198.18.0.2/24
POD_SUBNET=198.18.128.0/24
CLUSTER_CIDR=198.18.128.0/17
SERVICE_CIDR=198.19.0.0/16
API_SERVICE_IP=198.19.0.1
DNS_SERVICE_IP=198.19.0.10
API_PORT=6443
CLUSTER_DOMAIN=cluster.local

BIN=$cluster_root/bin
KUBECONFIG_ADMIN=$STATE/admin.kubeconfig

# Host paths that kubelet and containerd write to whatever their configuration says; teardown removes the ones
# the cluster created.
HOST_PATHS=(/run/containerd /var/lib/kubelet /var/log/containers /var/log/pods /var/lib/cni /etc/cni /opt/cni /opt/containerd /run/netns)

# The sysctls kubelet insists on (pkg/kubelet/cm setupKernelTunables). They are global, not per network
# namespace, so kubelet sees these values through bind mounts in a mount namespace of its own and never writes
# the host's.
KUBELET_SYSCTLS=(vm/overcommit_memory=1 vm/panic_on_oom=0 kernel/panic=10 kernel/panic_on_oops=1
  kernel/keys/root_maxkeys=1000000 kernel/keys/root_maxbytes=25000000)

log() { printf '[cluster] %s\n' "$*" >&2; }
die() { printf '[cluster] ERROR: %s\n' "$*" >&2; exit 1; }

# in_netns CMD...: run a command inside the cluster's network namespace only (nsenter --net keeps the host's
# mount namespace and /sys, which kubelet needs; `ip netns exec` would remount /sys).
in_netns() { nsenter --net="$NETNS_PATH" "$@"; }

# cgroup_dirs prints the cluster's cgroup directory in every mounted cgroup hierarchy (existing or not).
cgroup_dirs() {
  awk '$9 == "cgroup" || $9 == "cgroup2" {print $5}' /proc/self/mountinfo | while read -r h; do
    echo "$h/$CGROUP"
  done
}

# cluster_pids prints every process of the cluster: the members of its cgroups in any hierarchy.
cluster_pids() {
  local d
  for d in $(cgroup_dirs); do
    if [[ -d $d ]]; then find "$d" -name cgroup.procs -exec cat {} + 2>/dev/null || true; fi
  done | sort -un
}

# mounts_under <dir>: mount points at or below dir, deepest first.
mounts_under() {
  awk -v d="$1" '$5 == d || index($5, d "/") == 1 {print $5}' /proc/self/mountinfo | awk '{print length($0) " " $0}' |
    sort -rn | cut -d' ' -f2-
}
