// Builds Consul's transparent-proxy redirect code at a pinned version, as the judge of what sidecar-bypass
// writes for Consul (tools/build-consul.sh). v0.19.0 needs Go 1.26.9; this machine has 1.26.8.
module sidecar-bypass.local/tools/consul

go 1.26.7

require github.com/hashicorp/consul/sdk v0.18.2
