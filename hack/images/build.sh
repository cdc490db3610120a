#!/usr/bin/env bash
# Builds the local cluster's images without a Docker engine, as `docker save` tarballs made by the small Go
# program next to this script (go-containerregistry), cached by content under $TEAL_CACHE/images and linked into
# bin/images/<image>.tar for hack/cluster/up.sh to import.
#
#   hack/images/build.sh [image ...]    images: pause coredns operator flink-1.20.3 flink-2.3.0 (default: all),
#                                       or rootfs (only the Flink images' cached root filesystem layer)
#
# - flink-<version>: a Debian bookworm root filesystem with the OpenJDK 17 JRE (debootstrap --variant=minbase),
#   the Flink distribution that hack/install-flink.sh installs (jars) with Flink's bin/ scripts and default conf/
#   from the apache-flink wheel, copied into /opt/flink (a symlinked lib/ makes Flink fail with "Flink
#   distribution jar not found"), owned by the user flink (9999, as in the official image),
#   and hack/images/flink/docker-entrypoint.sh as /docker-entrypoint.sh, and the gate's test-jobs jar of the
#   version's line (`make gate-dist`: gate/dist/<flink1|flink2>/) as
#   /opt/flink/usrlib/teal-bluegreen-testjobs-<line>.jar for the real-pod exactly-once scenario. Named
#   docker.io/library/flink:<version> and flink:<major.minor>, so the samples' `image: flink:1.20` runs it.
# - operator: bin/teal (`make build`) as /teal, running as 65532:65532 like the distroless Dockerfile image, and
#   the gate jar as /teal-bluegreen-gate.jar when it was built: GATE_JAR, else the Flink 1.20 line's
#   gate/dist/flink1/teal-bluegreen-gate.jar (`make gate-dist`), else gate/gate/target (`make gate`).
# - pause: the pods' sandbox (hack/images/pause), named as containerd's sandbox_image in hack/cluster.
# - coredns: the CoreDNS binary hack/install-tools.sh builds.
#
# Needs root for debootstrap (the root filesystem is built once per DEBIAN_SUITE and cached).
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
cache=${TEAL_CACHE:-$HOME/.cache/teal}
images=$cache/images
bindir=$root/bin
out=$bindir/images
mkdir -p "$images" "$out"

DEBIAN_SUITE=${DEBIAN_SUITE:-bookworm}
DEBIAN_MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
# The JRE and gosu, which the official image's entrypoint uses to drop root for the user flink.
ROOTFS_PACKAGES=${ROOTFS_PACKAGES:-openjdk-17-jre-headless,gosu}
FLINK_VERSIONS=${FLINK_VERSIONS:-1.20.3 2.3.0}
COREDNS_VERSION=${COREDNS_VERSION:-v1.15.0}
# The entrypoint implementing the official image's contract; FLINK_ENTRYPOINT overrides it (testing only).
FLINK_ENTRYPOINT=${FLINK_ENTRYPOINT:-$root/hack/images/flink/docker-entrypoint.sh}

# Image names, shared with hack/cluster (containerd's sandbox_image, the CoreDNS Deployment, the Helm values).
# shellcheck source=hack/images/names.sh
source "$root/hack/images/names.sh"

log() { printf '[images] %s\n' "$*" >&2; }
die() { printf '[images] ERROR: %s\n' "$*" >&2; exit 1; }

# hash_of <file|dir>...: a short content hash naming a cache entry.
hash_of() {
  local f
  for f in "$@"; do
    # Contents and relative names only, so that every clone of the repository shares the cache entries.
    if [[ -d $f ]]; then (cd "$f" && find . -type f -print0 | sort -z | xargs -0 sha256sum); else sha256sum <"$f"; fi
  done | sha256sum | cut -c1-16
}

# builder prints the image builder's path, building it once per source hash.
builder() {
  local src=$root/hack/images key bin
  key=$(hash_of "$src/go.mod" "$src/go.sum" "$src/main.go")
  bin=$cache/tools/teal-images-$key/images
  if [[ ! -x $bin ]]; then
    log "building the image builder (go-containerregistry)"
    mkdir -p "${bin%/*}"
    (cd "$src" && CGO_ENABLED=0 go build -trimpath -o "$bin.tmp" .) && mv "$bin.tmp" "$bin"
    find "$cache/tools" -maxdepth 1 -name 'teal-images-*' ! -path "${bin%/*}" -exec rm -rf {} +
  fi
  echo "$bin"
}

# publish <image> <cached tar>: link the cached tarball where hack/cluster/up.sh imports it.
publish() { ln -sfn "$2" "$out/$1.tar"; log "$1: $2"; }

build_pause() {
  local key tar
  key=$(hash_of "$root/hack/images/pause/main.go" "$root/hack/images/main.go")
  tar=$images/pause-$key.tar
  if [[ ! -f $tar ]]; then
    local work
    work=$(mktemp -d)
    (cd "$root/hack/images" && CGO_ENABLED=0 go build -trimpath -ldflags='-s -w' -o "$work/pause" ./pause)
    "$(builder)" -out "$tar" -tag "$PAUSE_IMAGE" -file "$work/pause=/pause:0755" -entrypoint /pause
    rm -rf "$work"
    find "$images" -maxdepth 1 -name 'pause-*.tar' ! -path "$tar" -delete
  fi
  publish pause "$tar"
}

build_coredns() {
  local bin tar
  "$root/hack/install-tools.sh" coredns # builds once, then only links bin/coredns to the cached binary
  bin=$(readlink -f "$root/bin/coredns")
  tar=$images/coredns-$COREDNS_VERSION-$(hash_of "$bin" "$root/hack/images/main.go").tar
  if [[ ! -f $tar ]]; then
    "$(builder)" -out "$tar" -tag "$COREDNS_IMAGE" -file "$bin=/coredns:0755" \
      -entrypoint /coredns -port 53/udp -port 53/tcp -port 9153/tcp
    find "$images" -maxdepth 1 -name 'coredns-*.tar' ! -path "$tar" -delete
  fi
  publish coredns "$tar"
}

build_operator() {
  local bin=$bindir/teal tar work gate=${GATE_JAR:-$root/gate/dist/flink1/teal-bluegreen-gate.jar}
  [[ -n ${GATE_JAR:-} || -f $gate ]] || gate=$root/gate/gate/target/teal-bluegreen-gate.jar
  local -a gatefile=()
  [[ -x $bin ]] || die "bin/teal is missing: run make build first"
  # The FLIP-504 gate jar, at the fixed path `teal copy-gate-jar` copies from (internal/gatejar), when
  # `make gate` built it; without it, transitionMode ADVANCED children need a Flink image that carries the jar.
  if [[ -f $gate ]]; then gatefile=(-file "$gate=/teal-bluegreen-gate.jar:0644"); else log "no gate jar (make gate): the operator image carries none"; gate=; fi
  tar=$images/operator-$(hash_of "$bin" "$root/hack/images/main.go" ${gate:+"$gate"}).tar
  if [[ ! -f $tar ]]; then
    work=$(mktemp -d)
    # The same user the distroless image declares, so tools that map the UID to a name find one.
    printf 'root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n' >"$work/passwd"
    printf 'root:x:0:\nnonroot:x:65532:\n' >"$work/group"
    "$(builder)" -out "$tar" -tag "$OPERATOR_IMAGE" -file "$bin=/teal:0755" "${gatefile[@]}" \
      -file "$work/passwd=/etc/passwd:0644" -file "$work/group=/etc/group:0644" \
      -dir /tmp:1777 -dir /home/nonroot:0755 -user 65532:65532 -entrypoint /teal
    rm -rf "$work"
    # Old operator images only take space: keep the newest.
    find "$images" -maxdepth 1 -name 'operator-*.tar' ! -path "$tar" -delete
  fi
  publish operator "$tar"
}

# rootfs prints the cached JRE 17 root filesystem layer (.tar.gz), making it once per suite and package list:
# debootstrap --variant=minbase with ROOTFS_PACKAGES, the flink user and group, apt's caches emptied.
rootfs() {
  local layer
  layer=$images/rootfs-$DEBIAN_SUITE-$(echo "$ROOTFS_PACKAGES" | sha256sum | cut -c1-8).tar.gz
  if [[ ! -f $layer ]]; then
    [[ $(id -u) == 0 ]] || die "debootstrap needs root"
    command -v debootstrap >/dev/null || "$root/hack/cluster/install-packages.sh"
    local dir=$images/.rootfs-$DEBIAN_SUITE
    # debootstrap mounts /proc and /sys inside the target; an interrupted run must not leave them mounted.
    unmount_under "$dir"
    rm -rf "$dir"
    trap 'unmount_under "'"$dir"'"' EXIT
    log "debootstrap $DEBIAN_SUITE (minbase + $ROOTFS_PACKAGES) from $DEBIAN_MIRROR (about 2 minutes, once)"
    debootstrap --variant=minbase --include="$ROOTFS_PACKAGES" "$DEBIAN_SUITE" "$dir" "$DEBIAN_MIRROR" \
      >"$images/.rootfs-$DEBIAN_SUITE.log" 2>&1 || die "debootstrap failed, see $images/.rootfs-$DEBIAN_SUITE.log"
    unmount_under "$dir"
    trap - EXIT
    rm -rf "$dir"/var/cache/apt/archives/*.deb "$dir"/var/lib/apt/lists/* "$dir"/var/log/*.log
    # The official image's user: uid and gid 9999, home /opt/flink.
    echo 'flink:x:9999:9999::/opt/flink:/bin/sh' >>"$dir/etc/passwd"
    echo 'flink:x:9999:' >>"$dir/etc/group"
    echo 'flink:!:19000::::::' >>"$dir/etc/shadow"
    tar --numeric-owner --xattrs -C "$dir" -cf - . | gzip -1 >"$layer.tmp"
    mv "$layer.tmp" "$layer"
    rm -rf "$dir" "$images/.rootfs-$DEBIAN_SUITE.log"
  fi
  echo "$layer"
}

# unmount_under <dir>: unmount every mount point below dir, deepest first.
unmount_under() {
  local m
  awk -v d="$1" 'index($5, d "/") == 1 {print $5}' /proc/self/mountinfo | sort -r | while read -r m; do
    umount "$m" 2>/dev/null || umount -l "$m"
  done
}

# flink_scripts <version> prints the cached directory with Flink's bin/ scripts and default conf/, which
# hack/install-flink.sh takes from the apache-flink wheel.
flink_scripts() {
  "$root/hack/install-flink.sh" "$1" >&2
  [[ -f $cache/flink/$1/scripts/.complete ]] || die "hack/install-flink.sh left no scripts for Flink $1"
  echo "$cache/flink/$1/scripts"
}

build_flink() {
  local version=$1 dist=$cache/flink/$1 key tar
  [[ -f $dist/.complete ]] || "$root/hack/install-flink.sh" "$version"
  [[ -f $FLINK_ENTRYPOINT ]] || die "no entrypoint script at $FLINK_ENTRYPOINT"
  local layer scripts
  layer=$(rootfs)
  scripts=$(flink_scripts "$version")
  # The test jobs of the version's line (gate/dist, make gate-dist), when built.
  local line=flink1 testjobs
  [[ ${version%%.*} == 1 ]] || line=flink2
  testjobs=$root/gate/dist/$line/teal-bluegreen-testjobs.jar
  [[ -f $testjobs ]] || { log "flink-$version: no $testjobs (make gate-dist): the image carries no test jobs"; testjobs=; }
  key=$(hash_of "$dist/.complete" "$scripts/.complete" "$FLINK_ENTRYPOINT" "$root/hack/images/main.go" "$root/hack/images/build.sh" ${testjobs:+"$testjobs"})
  tar=$images/flink-$version-$DEBIAN_SUITE-$key.tar
  if [[ ! -f $tar ]]; then
    local work
    work=$(mktemp -d "$images/.flink-$version.XXXXXX")
    mkdir -p "$work/opt/flink/log" "$work/opt/flink/examples/streaming"
    # Copied, not linked: Flink looks for its distribution jar by real path.
    local d
    for d in lib opt plugins bin; do
      if [[ -d $dist/$d ]]; then cp -rL "$dist/$d" "$work/opt/flink/$d"; fi
    done
    [[ -f $work/opt/flink/lib/flink-dist-$version.jar ]] || die "$dist has no lib/flink-dist-$version.jar"
    mkdir -p "$work/opt/flink/bin"
    cp -rL "$scripts/bin/." "$work/opt/flink/bin/"
    cp -rL "$scripts/conf" "$work/opt/flink/conf"
    rm -f "$work"/opt/flink/bin/*.bat
    cp -L "$dist/examples/TopSpeedWindowing.jar" "$work/opt/flink/examples/streaming/TopSpeedWindowing.jar"
    if [[ -n $testjobs ]]; then
      mkdir -p "$work/opt/flink/usrlib"
      cp -L "$testjobs" "$work/opt/flink/usrlib/teal-bluegreen-testjobs-$line.jar"
    fi
    chmod -R a+rX "$work/opt/flink"
    find "$work/opt/flink/bin" -type f \( -name '*.sh' -o -name flink \) -exec chmod 0755 {} +
    tar --numeric-owner --owner=9999 --group=9999 -C "$work" -cf "$work/flink.tar" opt
    "$(builder)" -out "$tar" -tag "docker.io/library/flink:$version" -tag "docker.io/library/flink:${version%.*}" \
      -layer "$layer" -layer "$work/flink.tar" -file "$FLINK_ENTRYPOINT=/docker-entrypoint.sh:0755" \
      -env FLINK_HOME=/opt/flink -env JAVA_HOME=/usr/lib/jvm/java-17-openjdk-amd64 \
      -env PATH=/opt/flink/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
      -env LANG=C.UTF-8 -workdir /opt/flink -entrypoint /docker-entrypoint.sh -cmd help \
      -port 6123/tcp -port 8081/tcp
    rm -rf "$work"
    find "$images" -maxdepth 1 -name "flink-$version-*.tar" ! -path "$tar" -delete
  fi
  publish "flink-$version" "$tar"
}

requested=("$@")
if ((${#requested[@]} == 0)); then
  requested=(pause coredns operator)
  for v in $FLINK_VERSIONS; do requested+=("flink-$v"); done
fi
for image in "${requested[@]}"; do
  case $image in
    pause) build_pause ;;
    coredns) build_coredns ;;
    operator) build_operator ;;
    flink-*) build_flink "${image#flink-}" ;;
    rootfs) rootfs >/dev/null ;;
    *) die "unknown image $image (pause coredns operator flink-<version>)" ;;
  esac
done
