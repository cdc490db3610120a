#!/usr/bin/env bash
# Installs Apache Flink distributions for the tests (test/sim/flinkdist): Flink's lib/ from PyPI
# (apache-flink-libraries, the exact version) and the TopSpeedWindowing example job from Maven Central, cached by
# version outside the clone and linked into bin/flink-<version>.
#
#   hack/install-flink.sh [flink-version ...]     default: every version in FLINK_VERSIONS
#
# Layout of $TEAL_CACHE/flink/<version>/: lib/*.jar, bin/bash-java-utils.jar, plugins/, opt/,
# examples/TopSpeedWindowing.jar, scripts/{bin,conf} (Flink's start scripts and default configuration, from the
# apache-flink wheel) and a .complete marker written last, so an interrupted run is redone and a
# finished one only re-links. Any download failure aborts with a non-zero exit.
set -euo pipefail

# <flink version>=<flink-examples-streaming version>. The example jar only needs Flink's public API (provided by
# lib/), and Maven Central does not carry the example jar for every patch release, so each line pins the newest
# example release published for it.
FLINK_VERSIONS=${FLINK_VERSIONS:-"1.20.3=1.20.0 2.3.0=2.3.0"}
MAVEN_DEPENDENCY_PLUGIN=org.apache.maven.plugins:maven-dependency-plugin:3.6.1

root=$(cd "$(dirname "$0")/.." && pwd)
cache=${TEAL_CACHE:-$HOME/.cache/teal}/flink
bindir=$root/bin
mkdir -p "$cache" "$bindir"

log() { printf '[install-flink] %s\n' "$*" >&2; }
die() { printf '[install-flink] ERROR: %s\n' "$*" >&2; exit 1; }

# fetch_libraries <version> <dest>: Flink's lib/, opt/, plugins/ and bin/ jars from the PyPI sdist.
fetch_libraries() {
  local version=$1 dest=$2 work
  work=$(mktemp -d "$cache/.pip-$version.XXXXXX")
  log "downloading apache-flink-libraries==$version from PyPI"
  python3 -m pip download --quiet --no-deps --disable-pip-version-check \
    --dest "$work" "apache-flink-libraries==$version" \
    || die "pip download of apache-flink-libraries==$version failed (PyPI reachable?)"
  local archive
  archive=$(find "$work" -maxdepth 1 -name 'apache[-_]flink[-_]libraries-*' | head -n1)
  [[ -n $archive ]] || die "pip download of apache-flink-libraries==$version produced no archive"
  mkdir -p "$work/unpacked"
  case $archive in
    *.tar.gz) tar -xzf "$archive" -C "$work/unpacked" ;;
    *.whl | *.zip) python3 -m zipfile -e "$archive" "$work/unpacked" ;;
    *) die "unexpected archive $archive" ;;
  esac
  # The sdist keeps the distribution under deps/; a wheel keeps it under pyflink/.
  local deps
  deps=$(find "$work/unpacked" -type d -path '*/lib' -exec test -e '{}/flink-dist-'"$version"'.jar' ';' -print -quit)
  [[ -n $deps ]] || die "no lib/flink-dist-$version.jar inside $archive"
  deps=$(dirname "$deps")
  for dir in lib opt plugins bin; do
    [[ -d $deps/$dir ]] && cp -R "$deps/$dir" "$dest/$dir"
  done
  rm -rf "$work"
}

# maven_central prints the URL of the repository Maven itself resolves "central" to (its super POM, or a mirror
# configured for this machine), so the jar comes from the same place Maven would fetch it from.
maven_central() {
  if [[ -n ${MAVEN_CENTRAL:-} ]]; then
    echo "$MAVEN_CENTRAL"
    return
  fi
  local probe
  probe=$(mktemp -d "$cache/.mvn-probe.XXXXXX")
  printf '<project xmlns="http://maven.apache.org/POM/4.0.0"><modelVersion>4.0.0</modelVersion><groupId>local.teal</groupId><artifactId>probe</artifactId><version>0</version><packaging>pom</packaging></project>\n' >"$probe/pom.xml"
  (cd "$probe" && mvn -B -q -Dstyle.color=never org.apache.maven.plugins:maven-help-plugin:3.4.0:evaluate \
    -Dexpression='project.repositories[0].url' -DforceStdout) | sed 's/\x1b\[[0-9;]*m//g' | tr -d '[:space:]'
  rm -rf "$probe"
}

# fetch_example <examples version> <dest>: the TopSpeedWindowing job (unbounded, keyed state) from Maven Central.
fetch_example() {
  local version=$1 dest=$2 artifact=org.apache.flink:flink-examples-streaming:$1:jar:TopSpeedWindowing
  mkdir -p "$dest/examples"
  log "downloading $artifact from Maven Central"
  if mvn -B -q "$MAVEN_DEPENDENCY_PLUGIN:copy" -Dartifact="$artifact" -DoutputDirectory="$dest/examples" \
    -Dmdep.stripVersion=true -Dmdep.stripClassifier=false >"$dest/examples/mvn.log" 2>&1; then
    mv "$dest/examples/flink-examples-streaming-TopSpeedWindowing.jar" "$dest/examples/TopSpeedWindowing.jar"
  else
    # Maven cannot resolve the artifact when Central lacks its parent POM (as for some 2.x releases), although
    # the jar itself is there: take the jar directly and check it against Central's published SHA-1.
    log "mvn could not resolve $artifact (see $dest/examples/mvn.log); downloading the jar directly"
    local central url
    central=$(maven_central) || die "could not ask Maven for its central repository URL"
    url=$central/org/apache/flink/flink-examples-streaming/$version/flink-examples-streaming-$version-TopSpeedWindowing.jar
    curl -fsSL --retry 3 -o "$dest/examples/TopSpeedWindowing.jar" "$url" || die "download of $url failed"
    local want got
    want=$(curl -fsSL --retry 3 "$url.sha1" | awk '{print $1}') || die "download of $url.sha1 failed"
    got=$(sha1sum "$dest/examples/TopSpeedWindowing.jar" | awk '{print $1}')
    [[ $want == "$got" ]] || die "checksum mismatch for $url: want $want, got $got"
  fi
  rm -f "$dest/examples/mvn.log"
}

# fetch_scripts <version> <dest>: Flink's start scripts (bin/*.sh: jobmanager.sh, taskmanager.sh,
# standalone-job.sh, kubernetes-jobmanager.sh, config.sh, ...) and default conf/ into <dest>/scripts, from the
# apache-flink wheel on PyPI (apache-flink-libraries carries the jars only). Every wheel of a version carries the
# same scripts, so one for CPython 3.10 on manylinux is asked for by name, whatever Python runs here. The local
# runtime (test/sim/localruntime) and the Flink images (hack/images) both start Flink through these scripts.
fetch_scripts() {
  local version=$1 dest=$2/scripts work
  [[ -f $dest/.complete ]] && return
  rm -rf "$dest"
  work=$(mktemp -d "$cache/.pip-scripts-$version.XXXXXX")
  log "downloading apache-flink==$version (Flink's scripts and default configuration) from PyPI"
  python3 -m pip download --quiet --no-deps --disable-pip-version-check --only-binary :all: \
    --platform manylinux2014_x86_64 --python-version 3.10 --implementation cp --abi cp310 \
    --dest "$work" "apache-flink==$version" || die "pip download of apache-flink==$version failed"
  python3 -m zipfile -e "$work"/*.whl "$work/unpacked"
  [[ -f $work/unpacked/pyflink/bin/config.sh ]] || die "the apache-flink $version wheel has no bin/config.sh"
  mkdir -p "$dest"
  mv "$work/unpacked/pyflink/bin" "$dest/bin"
  mv "$work/unpacked/pyflink/conf" "$dest/conf"
  rm -f "$dest"/bin/*.bat
  rm -rf "$work"
  echo "$version" >"$dest/.complete"
}

install_version() {
  local version=$1 examples_version=$2 dest=$cache/$1
  if [[ ! -f $dest/.complete ]]; then
    rm -rf "$dest"
    mkdir -p "$dest"
    fetch_libraries "$version" "$dest"
    fetch_example "$examples_version" "$dest"
    printf 'flink=%s\nexamples=%s\n' "$version" "$examples_version" >"$dest/.complete"
    log "installed Flink $version into $dest"
  fi
  # Its own marker, so a distribution cached before the scripts were part of it gains them.
  fetch_scripts "$version" "$dest"
  ln -sfn "$dest" "$bindir/flink-$version"
}

requested=("$@")
for entry in $FLINK_VERSIONS; do
  version=${entry%%=*} examples_version=${entry#*=}
  if ((${#requested[@]})); then
    wanted=false
    for r in "${requested[@]}"; do [[ $r == "$version" ]] && wanted=true; done
    $wanted || continue
  fi
  install_version "$version" "$examples_version"
done
