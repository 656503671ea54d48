#!/usr/bin/env bash
# The network oracle tests need iptables (Debian's package) to run istio-iptables for real.
set -euo pipefail
command -v iptables >/dev/null && command -v ip6tables >/dev/null && exit 0
if [[ $(id -u) -ne 0 ]]; then
    echo "[ensure-iptables] iptables is missing and this is not root; install Debian's iptables package" >&2
    exit 1
fi
echo "[ensure-iptables] installing Debian's iptables package" >&2
apt-get update -qq >&2
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq iptables >&2
