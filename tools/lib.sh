# Shared by the tools/build-*.sh scripts: the cache folder, logging, timed steps that name what failed, and a
# lock so that parallel test files build once. Source it after setting `tool` (the log prefix).
cache=${SIDECAR_BYPASS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/sidecar-bypass}

log() { printf '[%s] %s\n' "$tool" "$*" >&2; }

# step NAME COMMAND...: runs COMMAND, printing NAME and its time; on failure names the step and exits.
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

# lock NAME: holds an exclusive lock on NAME in the cache until the script exits.
lock() {
    mkdir -p "$cache"
    exec 9>"$cache/$1.lock"
    flock 9
}

# stamp FILE...: a short hash of the files that decide what a build produces.
stamp() { cat "$@" | sha256sum | cut -c1-16; }

need_go() {
    command -v go >/dev/null || { log "FAILED: go is not on PATH (Go 1.26 is needed to build $1)"; exit 1; }
    export GOTOOLCHAIN=local
}
