#!/usr/bin/env bash
# Builds consul-redirect (tools/consul/cmd), which runs Consul's own transparent-proxy redirect code
# (github.com/hashicorp/consul/sdk/iptables, at the version pinned in tools/consul/go.mod), into a cache outside
# the repo. Idempotent. Progress and step times go to stderr; the last line on stdout is the cache directory.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
tool=build-consul
source "$here/lib.sh"
out="$cache/consul-$(stamp "$here/consul/go.mod" "$here/consul/go.sum" "$here"/consul/cmd/*/*.go)"

lock consul
if [[ -x $out/bin/consul-redirect ]]; then
    log "cached: $out"
    echo "$out"
    exit 0
fi
need_go "Consul's redirect tool"
mkdir -p "$out/bin"
build() { (cd "$here/consul" && CGO_ENABLED=0 go build -trimpath -ldflags='-s -w' -o "$out/bin/" ./cmd/consul-redirect); }
step "go build consul-redirect ($(cd "$here/consul" && go list -m -f '{{.Version}}' github.com/hashicorp/consul/sdk))" build
echo "$out"
