// Consul (consul-k8s transparent proxy): `consul.hashicorp.com/transparent-proxy-exclude-*` annotations.
// Consul appends them to the exclusions it computes itself (probe ports, its own UIDs).
//
// Checked against consul-k8s a507b1d (control-plane/connect-inject/webhook/redirect_traffic.go: each annotation
// is split on commas into iptables.Config) and github.com/hashicorp/consul/sdk v0.18.2 (iptables/iptables.go:
// every ExcludeOutboundCIDRs entry becomes `iptables -t nat -I CONSUL_PROXY_OUTPUT -d <cidr> -j RETURN`, and in
// dual-stack mode `ip6tables` the same). An IPv6 range makes iptables fail, so connect-init fails and the pod
// never starts; IPv6 traffic is not redirected at all in the default single-stack mode. So only IPv4 ranges are
// written. The oracle tier runs Consul's own code on these annotations with real traffic.
import type { FieldKey } from "../rules/fields";
import { type MeshAdapter, renderExcludeLists } from "./adapter";

export const CONSUL_ANNOTATIONS: Partial<Record<FieldKey, string>> = {
    "inbound.excludePorts": "consul.hashicorp.com/transparent-proxy-exclude-inbound-ports",
    "outbound.excludePorts": "consul.hashicorp.com/transparent-proxy-exclude-outbound-ports",
    "outbound.excludeIpRanges": "consul.hashicorp.com/transparent-proxy-exclude-outbound-cidrs",
};

const IPV6_RANGES_NOTE =
    "Consul applies every transparent-proxy-exclude-outbound-cidrs entry with iptables, where an IPv6 range fails the pod's " +
    "redirect setup (and in dual-stack mode ip6tables fails on every IPv4 range); the IPv6 ranges are not written for Consul, " +
    "whose default single-stack redirect does not capture IPv6 traffic anyway";

export const consul: MeshAdapter<undefined, "consul"> = {
    id: "consul",
    displayName: "Consul",
    sidecarPorts: new Map([
        [15001, "outbound listener"],
        [19000, "Envoy admin"],
        [20000, "inbound (public) listener"],
        [20200, "merged metrics"],
    ]),
    annotationKeys: Object.values(CONSUL_ANNOTATIONS),
    labelKeys: [],
    render: ({ effective }) => {
        const out = renderExcludeLists("Consul", effective, CONSUL_ANNOTATIONS, (f) =>
            f.ports.length > 0 || f.cidrs.every((c) => c.family === 4)
                ? f.joined
                : f.cidrs
                      .filter((c) => c.family === 4)
                      .map((c) => c.text)
                      .join(","),
        );
        if (effective.fields["outbound.excludeIpRanges"]?.cidrs.some((c) => c.family === 6)) out.notes.push(IPV6_RANGES_NOTE);
        return out;
    },
};
