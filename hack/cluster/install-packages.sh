#!/usr/bin/env bash
# Installs the node's Debian packages the local cluster needs (containerd, runc, the CNI plugins, iptables,
# conntrack) and debootstrap for the Flink image's root filesystem, with apt-get from the machine's Debian
# mirror. Packages already installed are left alone, so a second run costs a dpkg query.
#
#   hack/cluster/install-packages.sh
#
# Installing starts no daemon: the containerd package ships only a systemd unit, and hack/cluster/up.sh runs
# containerd itself, with its own configuration, inside the cluster's network namespace.
set -euo pipefail

packages=(containerd runc containernetworking-plugins iptables conntrack debootstrap)

log() { printf '[install-packages] %s\n' "$*" >&2; }

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
((${#missing[@]})) || exit 0

[[ $(id -u) == 0 ]] || { log "installing ${missing[*]} needs root"; exit 1; }
log "installing ${missing[*]} from Debian"
export DEBIAN_FRONTEND=noninteractive
# policy-rc.d keeps a package's maintainer scripts from starting a service, should an init system be present.
policy=/usr/sbin/policy-rc.d
created_policy=false
if [[ ! -e $policy ]]; then
  printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod +x "$policy" && created_policy=true
fi
trap '$created_policy && rm -f "$policy"' EXIT
if ! apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null; then
  log "apt-get install failed; refreshing the package lists once"
  apt-get update -q >/dev/null
  apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
fi
