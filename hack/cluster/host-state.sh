#!/usr/bin/env bash
# Prints the host's state that a local cluster could leave behind, one fact per line, for a before/after diff
# (docs/cluster.md, "Checking the teardown"): network namespaces, interfaces, addresses, routes, iptables rules
# (both backends), sysctls the cluster's daemons care about, mounts, cgroups, processes of the cluster's
# binaries, and the files under the host paths kubelet and containerd use.
#
#   hack/cluster/host-state.sh >before; make cluster; make cluster-down; hack/cluster/host-state.sh | diff before -
set -uo pipefail

section() { printf '## %s\n' "$1"; }
section netns;      ip netns list 2>/dev/null; ls -A /run/netns 2>/dev/null
section links;      ip -o link show | awk '{print $2, $3}'
section addresses;  ip -o addr show | awk '{print $2, $3, $4}'
section routes;     ip route show table all
for t in iptables-legacy-save iptables-nft-save ip6tables-legacy-save ip6tables-nft-save; do
  section "$t"
  command -v "$t" >/dev/null && "$t" 2>/dev/null | grep -v '^#' | sed 's/\[[0-9]*:[0-9]*\]//'
done
section sysctls
for s in net/ipv4/ip_forward net/ipv4/conf/all/route_localnet net/bridge/bridge-nf-call-iptables \
  net/netfilter/nf_conntrack_max net/netfilter/nf_conntrack_tcp_timeout_established vm/overcommit_memory \
  vm/panic_on_oom kernel/panic kernel/panic_on_oops kernel/keys/root_maxkeys kernel/keys/root_maxbytes; do
  [[ -r /proc/sys/$s ]] && echo "$s=$(cat "/proc/sys/$s")"
done
section mounts;     awk '{print $5, $9}' /proc/self/mountinfo | sort
section cgroups;    find /sys/fs/cgroup -mindepth 2 -maxdepth 3 -type d \( -name 'teal-*' -o -name 'kubepods*' \) 2>/dev/null
section processes
# The cluster's own binaries anywhere; etcd, kube-apiserver, java and teal also run in the test suites, so those
# count only inside a local cluster's cgroups.
for p in /proc/[0-9]*; do
  comm=$(cat "$p/comm" 2>/dev/null) || continue
  case $comm in
    kube-controller*|kube-scheduler|kubelet|kube-proxy|containerd*|coredns|pause) echo "$comm" ;;
    etcd|kube-apiserver|java|teal) grep -q ':/teal-' "$p/cgroup" 2>/dev/null && echo "$comm (in a cluster cgroup)" ;;
  esac
done | sort | uniq -c
section files
for p in /run/containerd /var/lib/kubelet /var/log/containers /var/log/pods /var/lib/cni /etc/cni /opt/cni \
  /opt/containerd /run/netns /var/lib/teal-cluster /var/lib/containerd; do
  [[ -e $p ]] && find "$p" 2>/dev/null
done
