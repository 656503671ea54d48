#!/usr/bin/env bash
# Fetches Argo Rollouts' Rollout CRD (data, as Kuma's CRDs are) from the Go module proxy, at the version pinned below,
# into a cache outside the repo. The module is downloaded, never built. Idempotent; the last line on stdout is the
# CRD file's path.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
tool=fetch-rollouts-crd
source "$here/lib.sh"
module=github.com/argoproj/argo-rollouts
version=v1.9.0
out="$cache/argo-rollouts-$version"

lock argo-rollouts
if [[ -s $out/rollout-crd.yaml ]]; then
    echo "$out/rollout-crd.yaml"
    exit 0
fi
need_go "nothing (it downloads Argo Rollouts' module for its CRD)"
fetch() {
    local dir scratch
    # Outside any module, so no go.mod decides anything; -json prints where the module was extracted.
    scratch=$(mktemp -d)
    dir=$(cd "$scratch" && GOFLAGS=-mod=mod go mod download -json "$module@$version" | sed -n 's/^\t"Dir": "\(.*\)",$/\1/p')
    rmdir "$scratch"
    [[ -s $dir/manifests/crds/rollout-crd.yaml ]] || { log "no manifests/crds/rollout-crd.yaml in $module@$version ($dir)"; return 1; }
    mkdir -p "$out"
    cp "$dir/manifests/crds/rollout-crd.yaml" "$out/rollout-crd.yaml.tmp"
    chmod u+w "$out/rollout-crd.yaml.tmp"
    mv "$out/rollout-crd.yaml.tmp" "$out/rollout-crd.yaml"
}
step "go mod download $module@$version (for its Rollout CRD)" fetch
echo "$out/rollout-crd.yaml"
