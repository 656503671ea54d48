#!/usr/bin/env bash
# Builds Pulumi's YAML language host (pulumi-language-yaml) from the Go module proxy, at the version pinned in
# tools/yaml/go.mod, into a cache outside the repo. The YAML example's e2e test puts it on PATH. Idempotent:
# a complete cache entry is reused as it is. Progress goes to stderr; the last line on stdout is the bin folder.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
tool=build-yaml
source "$here/lib.sh"
out="$cache/yaml-$(stamp "$here/yaml/go.mod" "$here/yaml/go.sum")"

lock yaml

if [[ -x $out/bin/pulumi-language-yaml ]]; then
    log "cached: $out"
    echo "$out/bin"
    exit 0
fi

need_go "Pulumi's YAML language host"
mkdir -p "$out/bin"
build() { (cd "$here/yaml" && go build -trimpath -ldflags='-s -w' -o "$out/bin/.pulumi-language-yaml.tmp" \
    github.com/pulumi/pulumi-yaml/cmd/pulumi-language-yaml) && mv "$out/bin/.pulumi-language-yaml.tmp" "$out/bin/pulumi-language-yaml"; }
step "go build pulumi-language-yaml" build
echo "$out/bin"
