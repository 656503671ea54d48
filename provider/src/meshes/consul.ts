// Consul (consul-k8s transparent proxy): `consul.hashicorp.com/transparent-proxy-exclude-*` annotations.
// Consul appends them to the exclusions it computes itself (probe ports, its own UIDs).
//
// Checked against consul-k8s a507b1d (control-plane/connect-inject/webhook/redirect_traffic.go: each annotation
// is split on commas into iptables.Config) and github.com/hashicorp/consul/sdk v0.18.2 (iptables/iptables.go:
// every ExcludeOutboundCIDRs entry becomes `iptables -t nat -I CONSUL_PROXY_OUTPUT -d <cidr> -j RETURN`, and in
// dual-stack mode `ip6tables` the same). An IPv6 range makes iptables fail, so connect-init fails and the pod
// never starts; IPv6 traffic is not redirected at all in the default single-stack mode. So only IPv4 ranges are
// written. The oracle tier runs Consul's own code on these annotations with real traffic.
import type { EffectiveField } from "../resolve/effective";
import type { FieldKey } from "../rules/fields";
import type { UidRule } from "../rules/uidRules";
import { mergeRuns, uidRunText } from "../rules/uidRules";
import { joinValues, listOf, valuesOf } from "../rules/valueKinds";
import { type MeshAdapter, renderExcludeLists } from "./adapter";
import { portItems, readAnnotationTable } from "./readBack";

export const CONSUL_ANNOTATIONS: Partial<Record<FieldKey, string>> = {
    "inbound.excludePorts": "consul.hashicorp.com/transparent-proxy-exclude-inbound-ports",
    "outbound.excludePorts": "consul.hashicorp.com/transparent-proxy-exclude-outbound-ports",
    "outbound.excludeIpRanges": "consul.hashicorp.com/transparent-proxy-exclude-outbound-cidrs",
    // consul-k8s a507b1d redirect_traffic.go appends the comma-split items to ExcludeUIDs (after the init container's
    // own 5996), and consul sdk v0.18.2 iptables.go inserts `iptables -t nat -I CONSUL_PROXY_OUTPUT -m owner
    // --uid-owner <uid> -j RETURN` for each: every outbound TCP port of that user skips Envoy (CONSUL_PROXY_OUTPUT is
    // reached only from `OUTPUT -p tcp`; UDP is never redirected to Envoy). iptables reads `a-b` as a range of users.
    "outbound.excludeUids": "consul.hashicorp.com/transparent-proxy-exclude-uids",
};

const IPV6_RANGES_NOTE =
    "Consul applies every transparent-proxy-exclude-outbound-cidrs entry with iptables, where an IPv6 range fails the pod's " +
    "redirect setup (and in dual-stack mode ip6tables fails on every IPv4 range); the IPv6 ranges are not written for Consul, " +
    "whose default single-stack redirect does not capture IPv6 traffic anyway";

const CANNOT: Partial<Record<FieldKey, string>> = {
    "interfaces.exclude":
        "Consul's redirect rules have no interface setting (consul sdk iptables.Config, consul-k8s redirect_traffic.go); interfaces.exclude is not applied for Consul",
    "interfaces.rerouteVirtual":
        "Consul's redirect rules have no interface setting (consul sdk iptables.Config, consul-k8s redirect_traffic.go); interfaces.rerouteVirtual is not applied for Consul",
};

/**
 * Consul excludes a user for every outbound TCP port, which is exactly a rule without ports for TCP or both protocols
 * (Consul never redirects UDP). A rule narrowed to some ports, or to UDP, would exclude more than declared.
 */
function consulExpresses(r: UidRule): boolean {
    return r.ports.length === 0 && r.protocol !== "udp";
}

/** The user ids of the rules Consul can express, as the fewest runs (rules from several scopes may overlap). */
function consulUids(f: EffectiveField): string {
    return mergeRuns(
        listOf(f.values, "uids")
            .filter(consulExpresses)
            .map((r): [number, number] => [r.first, r.last]),
    )
        .map(([first, last]) => uidRunText(first, last))
        .join(",");
}

function consulValue(f: EffectiveField): string {
    const v = f.values;
    switch (v.kind) {
        case "uids":
            return consulUids(f);
        // Consul's annotation takes IPv4 ranges only.
        case "cidrs":
            return v.list.every((c) => c.family === 4)
                ? joinValues(v)
                : joinValues(
                      valuesOf(
                          "cidrs",
                          v.list.filter((c) => c.family === 4),
                      ),
                  );
        default:
            return joinValues(v);
    }
}

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
    // Consul's user ids are a comma list (ranges `a-b`), each excluded for every outbound TCP port.
    readBack: (pod) =>
        readAnnotationTable(CONSUL_ANNOTATIONS, pod, {
            portRanges: false,
            values: (key, text) => (key === "outbound.excludeUids" ? [{ uids: portItems(text, true) }] : undefined),
        }),
    render: ({ effective }) => {
        const out = renderExcludeLists("Consul", effective, CONSUL_ANNOTATIONS, consulValue, undefined, CANNOT);
        if (listOf(effective.fields["outbound.excludeIpRanges"]?.values, "cidrs").some((c) => c.family === 6)) out.notes.push(IPV6_RANGES_NOTE);
        const narrowed = listOf(effective.fields["outbound.excludeUids"]?.values, "uids").filter((r) => !consulExpresses(r));
        if (narrowed.length > 0) {
            out.notes.push(
                `Consul excludes a user id for every outbound TCP port or not at all (transparent-proxy-exclude-uids); ` +
                    `${narrowed.map((r) => r.text).join("; ")} (narrowed to some ports or to UDP) would exclude more than declared and is not written for Consul`,
            );
        }
        return out;
    },
};
