#!/usr/bin/env bash
# The network oracle tests need iptables, nft and ip (Debian's iptables, nftables and iproute2) to run
# istio-iptables for real in network namespaces, with either backend (--native-nftables drives nft through
# knftables). Installs whichever is missing; a no-op when all are there.
set -euo pipefail
missing=()
command -v iptables >/dev/null && command -v ip6tables >/dev/null || missing+=(iptables)
command -v ip >/dev/null || missing+=(iproute2)
command -v nft >/dev/null || missing+=(nftables)
((${#missing[@]} == 0)) && exit 0
if [[ $(id -u) -ne 0 ]]; then
    echo "[ensure-iptables] ${missing[*]} missing and this is not root; install Debian's ${missing[*]}" >&2
    exit 1
fi
echo "[ensure-iptables] installing Debian's ${missing[*]}" >&2
apt-get update -qq >&2
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >&2
