#!/usr/bin/env bash
# Build (or find) the real Kubernetes control-plane binaries for the integration tests.
#
#   bash tests/controlplane/build.sh        -> prints the directory holding kube-apiserver + etcd
#
# Order of preference:
#   1. $KUBEBUILDER_ASSETS, if it holds executable kube-apiserver and etcd: used as is.
#   2. The cache dir ${TESSERA_CACHE_DIR:-$HOME/.cache/tessera}/controlplane/<k8s-version>/,
#      if both binaries are already there: nothing to do.
#   3. Otherwise kube-apiserver is built from the Go module proxy (pinned in go.mod / go.sum),
#      and etcd is either the system etcd (Debian etcd-server, >= 3.4) linked into the cache dir,
#      or - if there is none, or TESSERA_BUILD_ETCD=1 - built from the module proxy too.
#
# Idempotent and safe to run concurrently (flock on the cache dir). Logs go to stderr; the only
# line on stdout is the directory.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
K8S_VERSION="$(sed -nE 's/^(require)?[[:space:]]*k8s\.io\/kubernetes (v[0-9][^[:space:]]*).*/\2/p' "$HERE/go.mod" | head -n1)"
if [[ -z "$K8S_VERSION" ]]; then
  echo "build.sh: cannot read the k8s.io/kubernetes version from $HERE/go.mod" >&2
  exit 1
fi

log() { echo "controlplane/build.sh: $*" >&2; }

has_assets() { [[ -x "$1/kube-apiserver" && -x "$1/etcd" ]]; }

if [[ -n "${KUBEBUILDER_ASSETS:-}" ]] && has_assets "$KUBEBUILDER_ASSETS"; then
  log "using KUBEBUILDER_ASSETS=$KUBEBUILDER_ASSETS"
  echo "$KUBEBUILDER_ASSETS"
  exit 0
fi
if [[ -n "${KUBEBUILDER_ASSETS:-}" ]]; then
  log "KUBEBUILDER_ASSETS=$KUBEBUILDER_ASSETS lacks kube-apiserver or etcd; building instead"
fi

OUT="${TESSERA_CACHE_DIR:-$HOME/.cache/tessera}/controlplane/$K8S_VERSION"
mkdir -p "$OUT"

if has_assets "$OUT"; then
  log "already built: $OUT"
  echo "$OUT"
  exit 0
fi

# One builder at a time; the others wait and then find the binaries.
exec 9>"$OUT/.lock"
flock 9
if has_assets "$OUT"; then
  echo "$OUT"
  exit 0
fi

command -v go >/dev/null || { log "Go is required to build kube-apiserver"; exit 1; }

# Sane defaults for a small CI box; callers may override.
flags="${GOFLAGS:-}"
[[ " $flags" == *" -p="* ]] || flags+=" -p=2"              # 2 parallel compiles: bounded memory
[[ " $flags" == *" -mod="* ]] || flags+=" -mod=readonly"   # go.mod/go.sum are the pin
[[ " $flags" == *" -buildvcs="* ]] || flags+=" -buildvcs=false"
export GOFLAGS="${flags# }"
export CGO_ENABLED=0
export GOTOOLCHAIN="${GOTOOLCHAIN:-local}"

MINOR="${K8S_VERSION#v}"; MINOR="${MINOR#*.}"; MINOR="${MINOR%%.*}"
PKG=k8s.io/component-base/version
LDFLAGS="-s -w \
  -X $PKG.gitVersion=$K8S_VERSION \
  -X $PKG.gitMajor=1 \
  -X $PKG.gitMinor=$MINOR \
  -X $PKG.gitTreeState=clean \
  -X $PKG.buildDate=$(date -u +%Y-%m-%dT%H:%M:%SZ)"

start=$(date +%s)
log "GOFLAGS=$GOFLAGS"
cd "$HERE"

if [[ ! -x "$OUT/kube-apiserver" ]]; then
  log "building kube-apiserver $K8S_VERSION (cold: module download + compile, several minutes)"
  go build -trimpath -ldflags="$LDFLAGS" -o "$OUT/kube-apiserver.tmp" ./cmd/kube-apiserver
  mv -f "$OUT/kube-apiserver.tmp" "$OUT/kube-apiserver"
fi

if [[ ! -x "$OUT/etcd" ]]; then
  SYSTEM_ETCD="$(command -v etcd || true)"
  etcd_ok=0
  if [[ -n "$SYSTEM_ETCD" && "${TESSERA_BUILD_ETCD:-0}" != 1 ]]; then
    ver="$("$SYSTEM_ETCD" --version 2>/dev/null | awk '/^etcd Version:/ { print $3 }')"
    # kube-apiserver 1.3x works with etcd >= 3.4 (tested with Debian 12's 3.4.23).
    if [[ "$ver" =~ ^3\.([0-9]+)\. ]] && (( BASH_REMATCH[1] >= 4 )); then
      etcd_ok=1
      log "using system etcd $ver at $SYSTEM_ETCD"
      ln -sfn "$SYSTEM_ETCD" "$OUT/etcd"
    else
      log "system etcd at $SYSTEM_ETCD is version '$ver'; building etcd instead"
    fi
  fi
  if (( etcd_ok == 0 )); then
    log "building etcd from the module proxy"
    go build -trimpath -ldflags="-s -w" -o "$OUT/etcd.tmp" ./cmd/etcd
    mv -f "$OUT/etcd.tmp" "$OUT/etcd"
  fi
fi

echo "$K8S_VERSION" > "$OUT/VERSION"
log "done in $(( $(date +%s) - start ))s: $OUT"
echo "$OUT"
