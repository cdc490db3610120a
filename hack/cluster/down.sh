#!/usr/bin/env bash
# Tears the local cluster down without a trace, also after a crashed or interrupted run (hack/cluster/up.sh
# calls it first):
#   1. every process of the cluster, found by PID in the cluster's cgroups (daemons, containerd shims, pods),
#      gets SIGTERM, then SIGKILL;
#   2. every mount under the state directory is unmounted, deepest first;
#   3. the network namespace goes, and with it every interface and iptables rule of the cluster;
#   4. the cgroups are removed, then the host paths the cluster created (see HOST_PATHS) and the state directory.
#
#   CLUSTER_NAME=teal hack/cluster/down.sh
set -euo pipefail
# shellcheck source=hack/cluster/lib.sh
source "$(dirname "$0")/lib.sh"
[[ $(id -u) == 0 ]] || die "the local cluster needs root"

# 1. Processes. Pods' processes are in the cgroups too (kubelet's cgroupRoot), so they stop with the rest:
# first kubelet (so that it restarts nothing), then everything but the API server and etcd, then the API server
# (its clients gone, it shuts down at once), then etcd; SIGKILL for whatever outlives 10 s.
daemon_pid() { [[ -f $STATE/pids/$1 ]] && cat "$STATE/pids/$1" || true; }
stop_processes() {
  local round pids apiserver etcd rest
  apiserver=$(daemon_pid kube-apiserver) etcd=$(daemon_pid etcd)
  for round in $(seq 1 60); do
    pids=$(cluster_pids)
    [[ -z $pids ]] && return 0
    rest=$(grep -vxF -e "${apiserver:-none}" -e "${etcd:-none}" <<<"$pids" || true)
    if ((round == 1)); then
      log "stopping $(wc -w <<<"$pids") processes"
      local kubelet
      kubelet=$(daemon_pid kubelet)
      # Only a PID found in the cgroups: a stale PID file must not hit an unrelated process.
      if [[ -n $kubelet ]] && grep -qxF "$kubelet" <<<"$pids"; then kill -TERM "$kubelet" 2>/dev/null || true; fi
      kill -TERM $rest 2>/dev/null || true
    elif [[ -z $rest ]] && grep -qxF "${apiserver:-none}" <<<"$pids"; then
      kill -TERM "$apiserver" 2>/dev/null || true
    elif [[ -z $rest ]]; then
      kill -TERM $pids 2>/dev/null || true
    fi
    if ((round == 20)); then
      log "sending SIGKILL to what is left: $(for p in $pids; do cat "/proc/$p/comm" 2>/dev/null; done | sort | uniq -c | xargs)"
    fi
    ((round < 20)) || kill -KILL $pids 2>/dev/null || true
    sleep 0.5
  done
  die "processes still running in the cluster's cgroups: $(cluster_pids | tr '\n' ' ')"
}
stop_processes

# 2. Mounts: pod volumes, container root filesystems, pod network namespaces, the state directory's own bind.
if [[ -d $STATE ]]; then
  for round in 1 2 3; do
    mounts=$(mounts_under "$STATE")
    [[ -z $mounts ]] && break
    while read -r m; do
      umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || true
    done <<<"$mounts"
  done
  [[ -z $(mounts_under "$STATE") ]] || die "could not unmount: $(mounts_under "$STATE" | tr '\n' ' ')"
fi

# 3. The network namespace (its interfaces, routes and iptables rules go with it).
if [[ -e $NETNS_PATH ]]; then
  ip netns delete "$NETNS" 2>/dev/null || { umount "$NETNS_PATH" 2>/dev/null; rm -f "$NETNS_PATH"; }
fi

# 4. cgroups, deepest first.
for d in $(cgroup_dirs); do
  [[ -d $d ]] && find "$d" -depth -type d -exec rmdir {} + 2>/dev/null || true
  [[ ! -d $d ]] || die "could not remove cgroup $d"
done

# Host paths this cluster created, unless another local cluster still runs and may use them.
if [[ -f $STATE/created-paths ]]; then
  others=$(find "${STATE%/*}" -mindepth 1 -maxdepth 1 -type d ! -path "$STATE" 2>/dev/null | wc -l)
  while read -r p; do
    [[ -n $p && -e $p ]] || continue
    if ((others > 0)) && [[ $p != /run/netns ]]; then
      log "keeping $p: another local cluster exists"
      continue
    fi
    if [[ $p == /run/netns ]]; then
      # `ip netns add` bind-mounted /run/netns onto itself; keep it while other namespaces live there.
      [[ -z $(ls -A /run/netns) ]] || continue
      while mountpoint -q /run/netns; do umount /run/netns; done
      rmdir /run/netns
      continue
    fi
    [[ -z $(mounts_under "$p") ]] || die "$p still has mounts: $(mounts_under "$p" | tr '\n' ' ')"
    rm -rf "$p"
  done <"$STATE/created-paths"
fi

rm -rf "$STATE"
rmdir "${STATE%/*}" 2>/dev/null || true
log "cluster $CLUSTER_NAME removed"
