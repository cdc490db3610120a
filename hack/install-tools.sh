#!/usr/bin/env bash
# Builds the test control plane and CLI tools from the Go module proxy, caches them by version outside the
# clone (CI clones afresh every run), and links them into bin/.
#
#   hack/install-tools.sh [tool ...]
#
# tools: kube-apiserver etcd kubectl controller-gen helm (the default), and for the local cluster (hack/cluster):
# kubelet kube-controller-manager kube-scheduler kube-proxy coredns (or `cluster` for all of those).
#
# Every tool lands in $TEAL_CACHE/tools/<tool>-<version>/<tool>; a second run only re-links.
set -euo pipefail

KUBE_VERSION=${KUBE_VERSION:-1.36.3}
ETCD_VERSION=${ETCD_VERSION:-3.6.16}
CONTROLLER_TOOLS_VERSION=${CONTROLLER_TOOLS_VERSION:-v0.21.0}
HELM_VERSION=${HELM_VERSION:-v3.20.0}
COREDNS_VERSION=${COREDNS_VERSION:-v1.15.0}

root=$(cd "$(dirname "$0")/.." && pwd)
cache=${TEAL_CACHE:-$HOME/.cache/teal}/tools
bindir=$root/bin
mkdir -p "$cache" "$bindir"

log() { printf '[install-tools] %s\n' "$*" >&2; }

# link <tool> <cached path>: expose a cached binary under bin/.
link() { ln -sf "$2" "$bindir/$1"; }

# kube_wrapper <dir>: a throwaway module that pins k8s.io/kubernetes and points its staging modules (pinned at
# v0.0.0 upstream, resolved through replace directives in the monorepo) at their published v0.<minor> tags.
kube_wrapper() {
  local dir=$1 staging
  mkdir -p "$dir"
  (cd "$dir" && go mod download -json "k8s.io/kubernetes@v$KUBE_VERSION" >/dev/null)
  staging=$(grep -E '^\s*k8s.io/\S+ v0.0.0$' "$(go env GOMODCACHE)/cache/download/k8s.io/kubernetes/@v/v$KUBE_VERSION.mod" | awk '{print $1}' | sort -u)
  {
    echo "module teal.local/kubetools"
    echo "go 1.26"
    echo "require k8s.io/kubernetes v$KUBE_VERSION"
    for m in $staging; do echo "replace $m => $m v0.${KUBE_VERSION#1.}"; done
  } >"$dir/go.mod"
}

kube_ldflags() {
  local minor=${KUBE_VERSION#1.}; minor=${minor%%.*}
  echo "-s -w -X k8s.io/component-base/version.gitVersion=v$KUBE_VERSION -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=$minor"
}

build_kube() { # build_kube <tool>...: k8s.io/kubernetes/cmd/<tool> for each
  local missing=() pkgs=() tool src=$cache/src-kubernetes-v$KUBE_VERSION tmp
  for tool in "$@"; do [[ -x $cache/$tool-v$KUBE_VERSION/$tool ]] || missing+=("$tool"); done
  if ((${#missing[@]})); then
    log "building ${missing[*]} v$KUBE_VERSION from the Go module proxy (several minutes, once)"
    [[ -f $src/go.sum ]] || { kube_wrapper "$src"; (cd "$src" && GOFLAGS=-mod=mod go get "k8s.io/kubernetes/cmd/kube-apiserver@v$KUBE_VERSION" "k8s.io/kubernetes/cmd/kubectl@v$KUBE_VERSION"); }
    for tool in "${missing[@]}"; do pkgs+=("k8s.io/kubernetes/cmd/$tool"); done
    # The wrapper first resolved the dependencies of kube-apiserver and kubectl; the node's other components
    # (kubelet, kube-proxy, ...) need a few more modules, added to the same wrapper once.
    (cd "$src" && go list -deps -mod=readonly "${pkgs[@]}" >/dev/null 2>&1) ||
      (cd "$src" && GOFLAGS=-mod=mod go get "${pkgs[@]/%/@v$KUBE_VERSION}")
    # One go build for all of them: they share most packages, and both cores stay busy through every
    # component's own packages and links instead of idling at the end of each build.
    tmp=$(mktemp -d "$cache/.kube-build.XXXXXX")
    (cd "$src" && CGO_ENABLED=0 go build -trimpath -ldflags "$(kube_ldflags)" -o "$tmp/" "${pkgs[@]}")
    for tool in "${missing[@]}"; do
      mkdir -p "$cache/$tool-v$KUBE_VERSION"
      mv "$tmp/$tool" "$cache/$tool-v$KUBE_VERSION/$tool"
    done
    rm -rf "$tmp"
  fi
  for tool in "$@"; do link "$tool" "$cache/$tool-v$KUBE_VERSION/$tool"; done
}

build_etcd() {
  local out=$cache/etcd-v$ETCD_VERSION
  if [[ ! -x $out/etcd ]]; then
    log "building etcd v$ETCD_VERSION from the Go module proxy (a few minutes, once)"
    local src=$cache/src-etcd-v$ETCD_VERSION
    mkdir -p "$src" "$out"
    if [[ ! -f $src/go.sum ]]; then
      printf 'module teal.local/etcdtool\ngo 1.26\n' >"$src/go.mod"
      (cd "$src" && GOFLAGS=-mod=mod go get "go.etcd.io/etcd/server/v3@v$ETCD_VERSION")
    fi
    (cd "$src" && CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o "$out/etcd.tmp" go.etcd.io/etcd/server/v3)
    mv "$out/etcd.tmp" "$out/etcd"
  fi
  link etcd "$out/etcd"
}

# The plugins hack/cluster/coredns.yaml's Corefile uses. CoreDNS's own main links all ~60 in-tree plugins (cloud
# DNS back ends, etcd, gRPC, ...); a build with only these is the same server for this Corefile and builds in a
# fraction of the time on a cold machine. A Corefile naming any other plugin fails to start with "unknown directive".
COREDNS_PLUGINS=(cache errors health kubernetes loadbalance metrics ready reload)

build_coredns() {
  local out=$cache/coredns-$COREDNS_VERSION-$(printf '%s\n' "${COREDNS_PLUGINS[@]}" | sha256sum | cut -c1-8)
  if [[ ! -x $out/coredns ]]; then
    log "building CoreDNS $COREDNS_VERSION with plugins ${COREDNS_PLUGINS[*]} (a few minutes, once)"
    local src=$out.src p
    rm -rf "$src"
    mkdir -p "$src" "$out"
    printf 'module teal.local/coredns\ngo 1.26\n' >"$src/go.mod"
    {
      echo '// Generated by hack/install-tools.sh: CoreDNS with the plugins the local cluster'"'"'s Corefile uses.'
      echo 'package main'
      echo 'import ('
      for p in "${COREDNS_PLUGINS[@]}"; do echo "	_ \"github.com/coredns/coredns/plugin/$p\""; done
      echo '	"github.com/coredns/coredns/coremain"'
      echo ')'
      echo 'func main() { coremain.Run() }'
    } >"$src/main.go"
    (cd "$src" && GOFLAGS=-mod=mod go get "github.com/coredns/coredns@$COREDNS_VERSION" &&
      CGO_ENABLED=0 GOFLAGS=-mod=mod go build -trimpath -ldflags "-s -w" -o "$out/coredns.tmp" .)
    mv "$out/coredns.tmp" "$out/coredns"
  fi
  link coredns "$out/coredns"
}

go_install() { # go_install <tool> <module path>@<version>
  local tool=$1 pkg=$2 out=$cache/$1-${2##*@}
  if [[ ! -x $out/$tool ]]; then
    log "installing $pkg"
    mkdir -p "$out"
    GOBIN=$out CGO_ENABLED=0 go install -trimpath "$pkg"
  fi
  link "$tool" "$out/$tool"
}

tools=("$@")
[[ ${#tools[@]} -gt 0 ]] || tools=(controller-gen helm etcd kube-apiserver kubectl)
if [[ " ${tools[*]} " == *" cluster "* ]]; then
  tools=(etcd kube-apiserver kubectl kube-controller-manager kube-scheduler kube-proxy kubelet coredns helm)
fi
kube=()
for t in "${tools[@]}"; do
  case $t in
    kube-apiserver | kubectl | kubelet | kube-controller-manager | kube-scheduler | kube-proxy) kube+=("$t") ;;
  esac
done
((${#kube[@]} == 0)) || build_kube "${kube[@]}"
for t in "${tools[@]}"; do
  case $t in
    kube-apiserver | kubectl | kubelet | kube-controller-manager | kube-scheduler | kube-proxy) ;; # built above
    coredns) build_coredns ;;
    etcd) build_etcd ;;
    controller-gen) go_install controller-gen "sigs.k8s.io/controller-tools/cmd/controller-gen@$CONTROLLER_TOOLS_VERSION" ;;
    helm) go_install helm "helm.sh/helm/v3/cmd/helm@$HELM_VERSION" ;;
    *) echo "unknown tool: $t" >&2; exit 2 ;;
  esac
done
