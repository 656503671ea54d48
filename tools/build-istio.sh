#!/usr/bin/env bash
# Builds Istio's own tools (istioctl, pilot-agent) and our batch validator from the Go module proxy, at the
# versions pinned in tools/istio/go.mod, into a cache outside the repo, and generates the injector
# configuration of that Istio offline. Idempotent: a complete cache entry is reused as it is.
# Progress and step times go to stderr; the last line on stdout is the cache directory.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
cache=${SIDECAR_BYPASS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/sidecar-bypass}
stamp=$(cat "$here/istio/go.mod" "$here/istio/go.sum" "$here"/istio/cmd/*/*.go | sha256sum | cut -c1-16)
out="$cache/istio-$stamp"

log() { printf '[build-istio] %s\n' "$*" >&2; }
step() {
    local name=$1
    shift
    local start=$SECONDS
    log "$name ..."
    if ! "$@"; then
        log "FAILED: $name (after $((SECONDS - start)) s)"
        exit 1
    fi
    log "$name: done in $((SECONDS - start)) s"
}

# Test files run in parallel and may all ask for the tools at once: one builds, the others wait for it.
mkdir -p "$cache"
exec 9>"$cache/istio.lock"
flock 9

if [[ -x $out/bin/istioctl && -x $out/bin/pilot-agent && -x $out/bin/validate-annotations && -s $out/manifest.yaml ]]; then
    log "cached: $out"
    echo "$out"
    exit 0
fi

command -v go >/dev/null || { log "FAILED: go is not on PATH (Go 1.26 is needed to build Istio's tools)"; exit 1; }
mkdir -p "$out/bin"
log "building into $out (cold builds take many minutes on 2 cores)"
build() { (cd "$here/istio" && go build -trimpath -ldflags='-s -w' -o "$out/bin/" \
    istio.io/istio/istioctl/cmd/istioctl istio.io/istio/pilot/cmd/pilot-agent ./cmd/validate-annotations); }
step "go build istioctl, pilot-agent, validate-annotations" build
generate() { "$out/bin/istioctl" manifest generate >"$out/manifest.yaml.tmp" && mv "$out/manifest.yaml.tmp" "$out/manifest.yaml"; }
step "istioctl manifest generate (the injector configuration, offline)" generate
echo "$out"
