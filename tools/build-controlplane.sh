#!/usr/bin/env bash
# Builds the embedded control plane (kube-apiserver, kube-controller-manager, kube-scheduler, kubectl, etcd,
# kwok) from the Go module proxy, at the versions pinned in tools/controlplane/go.mod, into a cache outside the
# repo, and copies kwok's stage definitions (pods never become Running without them) next to the binaries.
# Idempotent: a complete cache entry is reused as it is. Progress and step times go to stderr; the last line on
# stdout is the cache directory.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
tool=build-controlplane
source "$here/lib.sh"
# What decides the binaries: the pins, and the version stamped into them (the ldflags below follow from it).
out="$cache/controlplane-$(stamp "$here/controlplane/go.mod" "$here/controlplane/go.sum")"
bins=(kube-apiserver kube-controller-manager kube-scheduler kubectl etcd kwok)

complete() {
    local b
    for b in "${bins[@]}"; do [[ -x $out/bin/$b ]] || return 1; done
    [[ -s $out/kwok-stages.yaml ]]
}

# Test files and the main job may ask at once: one builds, the others wait for it.
lock controlplane

if complete; then
    log "cached: $out"
    echo "$out"
    exit 0
fi

need_go "the control plane"
mkdir -p "$out/bin"
log "building into $out (a cold build takes 15-25 min on 2 cores)"
export CGO_ENABLED=0

modver() { (cd "$here/controlplane" && go list -m -f '{{.Version}}' "$1"); }
k8s=$(modver k8s.io/kubernetes)
[[ $k8s =~ ^v([0-9]+)\.([0-9]+)\. ]] || { log "FAILED: cannot read the Kubernetes version from go.mod"; exit 1; }
# Without these the binaries report v0.0.0-master and clients (the Pulumi provider among them) see no version.
ldflags="-s -w"
for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    ldflags+=" -X $pkg.gitVersion=$k8s -X $pkg.gitMajor=${BASH_REMATCH[1]} -X $pkg.gitMinor=${BASH_REMATCH[2]}"
    ldflags+=" -X $pkg.gitTreeState=clean -X $pkg.buildDate=1970-01-01T00:00:00Z"
done

build_k8s() {
    (cd "$here/controlplane" && go build -trimpath -ldflags "$ldflags" -o "$out/bin/" \
        k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager \
        k8s.io/kubernetes/cmd/kube-scheduler k8s.io/kubernetes/cmd/kubectl)
}
step "go build kube-apiserver, kube-controller-manager, kube-scheduler, kubectl ($k8s)" build_k8s
build_etcd() { (cd "$here/controlplane" && go build -trimpath -ldflags "-s -w" -o "$out/bin/etcd" go.etcd.io/etcd/server/v3); }
step "go build etcd ($(modver go.etcd.io/etcd/server/v3))" build_etcd
build_kwok() { (cd "$here/controlplane" && go build -trimpath -ldflags "-s -w" -o "$out/bin/kwok" sigs.k8s.io/kwok/cmd/kwok); }
step "go build kwok ($(modver sigs.k8s.io/kwok))" build_kwok

# kwok runs no pod or node lifecycle without Stage objects; they ship in its module source, not its binary.
stages() {
    local dir
    dir=$(cd "$here/controlplane" && go mod download -json sigs.k8s.io/kwok | sed -n 's/^\s*"Dir": "\(.*\)",$/\1/p')
    [[ -d $dir/kustomize/stage ]] || { log "no kustomize/stage in $dir"; return 1; }
    local f first=1
    : >"$out/kwok-stages.yaml.tmp"
    for f in node/fast/node-initialize.yaml node/heartbeat-with-lease/node-heartbeat-with-lease.yaml \
        pod/fast/pod-ready.yaml pod/fast/pod-complete.yaml pod/fast/pod-delete.yaml; do
        [[ -s $dir/kustomize/stage/$f ]] || { log "missing stage $f in $dir"; return 1; }
        ((first)) || echo "---" >>"$out/kwok-stages.yaml.tmp"
        first=0
        cat "$dir/kustomize/stage/$f" >>"$out/kwok-stages.yaml.tmp"
    done
    mv "$out/kwok-stages.yaml.tmp" "$out/kwok-stages.yaml"
}
step "kwok stage definitions" stages
echo "$out"
