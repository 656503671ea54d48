#!/usr/bin/env bash
# Builds Istio's own tools (istioctl, pilot-agent, and pilot-discovery: istiod, run by the e2e tier as the real
# injector webhook) and our batch validator from the Go module proxy, at the
# versions pinned in tools/istio/go.mod, into a cache outside the repo, and generates the injector
# configuration of that Istio offline. Idempotent: a complete cache entry is reused as it is.
# Progress and step times go to stderr; the last line on stdout is the cache directory.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
tool=build-istio
source "$here/lib.sh"
out="$cache/istio-$(stamp "$here/istio/go.mod" "$here/istio/go.sum" "$here"/istio/cmd/*/*.go)"

# Test files run in parallel and may all ask for the tools at once: one builds, the others wait for it.
lock istio

if [[ -x $out/bin/istioctl && -x $out/bin/pilot-agent && -x $out/bin/pilot-discovery && -x $out/bin/validate-annotations && -s $out/manifest.yaml ]]; then
    log "cached: $out"
    echo "$out"
    exit 0
fi

need_go "Istio's tools"
mkdir -p "$out/bin"
log "building into $out (cold builds take many minutes on 2 cores)"
build() { (cd "$here/istio" && go build -trimpath -ldflags='-s -w' -o "$out/bin/" \
    istio.io/istio/istioctl/cmd/istioctl istio.io/istio/pilot/cmd/pilot-agent istio.io/istio/pilot/cmd/pilot-discovery \
    ./cmd/validate-annotations); }
step "go build istioctl, pilot-agent, pilot-discovery, validate-annotations" build
generate() { "$out/bin/istioctl" manifest generate >"$out/manifest.yaml.tmp" && mv "$out/manifest.yaml.tmp" "$out/manifest.yaml"; }
step "istioctl manifest generate (the injector configuration, offline)" generate
echo "$out"
