// Kuma / Kong Mesh: `traffic.kuma.io/exclude-*` pod annotations, the Mesh passthrough switch, MeshPassthrough
// policies and a MeshProxyPatch for the passthrough cluster.
//
// An empty list is never written: what an empty Kuma annotation does depends on the install. On the default path
// the injector copies a present annotation over the control plane's sidecarTraffic defaults, so an empty one
// clears them (kuma v2.14.3 pkg/plugins/runtime/k8s/webhooks/injector/injector.go ~958-1005,
// pkg/transparentproxy/kubernetes/kubernetes.go NewPodRedirectFromAnnotations); with the transparent-proxy
// ConfigMap it means "not set". Leaving it out keeps the control plane's defaults on both.
import type { EffectiveField } from "../../resolve/effective";
import type { FieldKey } from "../../rules/fields";
import { meshOptions } from "../../rules/meshTraits";
import { toPortRanges } from "../../rules/ports";
import type { NormalisedRules } from "../../rules/types";
import { type UidRule, uidRule } from "../../rules/uidRules";
import { joinValues, listOf } from "../../rules/valueKinds";
import { type MeshAdapter, type Rendered, type RenderInput, renderExcludeLists } from "../adapter";
import { portItems, readAnnotationTable } from "../readBack";
import { kumaObjects } from "./objects";
import { type KumaSettings, optionsSchema, readSettings } from "./options";
import { checkRules, passthroughExtension, passthroughOf } from "./passthrough";
import { KUMA_WORKLOAD_LABEL, kumaWorkloadLabelValue } from "./workloadLabel";

export const KUMA_ANNOTATIONS: Partial<Record<FieldKey, string>> = {
    "inbound.excludePorts": "traffic.kuma.io/exclude-inbound-ports",
    // kuma v2.14.3 pkg/transparentproxy/kubernetes/kubernetes.go NewPodRedirectFromAnnotations: trimmed, comma-joined,
    // passed to kuma-init as --exclude-inbound-ips (AsKumactlCommandLine); kubernetes_config.go takes the annotation over
    // the runtime's sidecarTraffic.excludeInboundIPs, so it replaces those defaults as the other exclude lists do.
    "inbound.excludeIpRanges": "traffic.kuma.io/exclude-inbound-ips",
    "outbound.excludePorts": "traffic.kuma.io/exclude-outbound-ports",
    "outbound.excludeIpRanges": "traffic.kuma.io/exclude-outbound-ips",
    // Checked against kuma v2.14.3 (0c7aaec) and master 348b6528bc (3.x), the same in both: the injector splits the
    // value on `;` (pkg/transparentproxy/kubernetes/kubernetes_config.go) and kuma-init reads each entry as
    // `[protocol:][ports:]uids` (pkg/transparentproxy/config/utils.go parseExcludePortsForUIDs): protocol tcp or udp
    // (both when left out), ports a list with ranges or `*`, uids one value or a range (no comma, no `*`), ports and
    // uids parsed as uint16. Each entry becomes `iptables -t nat -I OUTPUT -m multiport -p <proto> --dport <ports>
    // -m owner --uid-owner <uids> -j RETURN` (pkg/transparentproxy/iptables/builder/builder_table_nat.go).
    "outbound.excludeUids": "traffic.kuma.io/exclude-outbound-ports-for-uids",
};

const CANNOT: Partial<Record<FieldKey, string>> = {
    "interfaces.exclude":
        "Kuma has no per-pod interface exclusion (kuma v2.14.3 pkg/plugins/runtime/k8s/metadata/annotations.go); interfaces.exclude is not applied for Kuma",
    "interfaces.rerouteVirtual":
        "Kuma has no per-pod virtual-interface setting: its --vnet (interface:CIDR) is a kumactl flag and transparent-proxy ConfigMap " +
        "setting, not an annotation (kuma v2.14.3 pkg/transparentproxy/config/config.go VNet); interfaces.rerouteVirtual is not applied for Kuma",
};

/** Kuma parses user ids as 16-bit numbers (parseUint16), so a larger id fails kuma-init. */
const KUMA_MAX_UID = 65535;
/** iptables' multiport match takes at most 15 ports, a range counting as two; more fails the rule, and kuma-init with it. */
const MULTIPORT_SLOTS = 15;

/** One rule's ports in groups iptables' multiport accepts, each a Kuma ports list. */
function portChunks(ports: readonly number[]): number[][] {
    const chunks: number[][] = [];
    let chunk: number[] = [];
    let slots = 0;
    for (const range of toPortRanges(ports)) {
        const [a, b] = range.split("-").map(Number);
        const cost = b === undefined ? 1 : 2;
        if (slots + cost > MULTIPORT_SLOTS) {
            chunks.push(chunk);
            chunk = [];
            slots = 0;
        }
        for (let p = a; p <= (b ?? a); p++) chunk.push(p);
        slots += cost;
    }
    if (chunk.length > 0) chunks.push(chunk);
    return chunks;
}

/** The rules as Kuma entries: those Kuma can read, each split where its ports would overflow one multiport match. */
export function kumaUidEntries(rules: readonly UidRule[]): string[] {
    return rules
        .filter((r) => r.last <= KUMA_MAX_UID)
        .flatMap((r) => (r.ports.length === 0 ? [r.text] : portChunks(r.ports).map((ports) => uidRule(r.first, r.last, ports, r.protocol).text)));
}

/** Kuma's `[protocol:][ports:]uids` entries, `;`-separated, as the arguments' user-id exclusions. */
function readUidEntries(text: string): unknown[] {
    return text
        .split(";")
        .map((e) => e.trim())
        .filter((e) => e !== "")
        .map((entry) => {
            const parts = entry.split(":");
            const uids = portItems(parts[parts.length - 1], true);
            const protocol = parts.length === 3 || (parts.length === 2 && /^(tcp|udp)$/.test(parts[0])) ? parts[0] : undefined;
            const ports = parts.length === 3 ? parts[1] : parts.length === 2 && protocol === undefined ? parts[0] : "*";
            return {
                uids,
                ...(ports !== "*" ? { ports: portItems(ports, true) } : {}),
                ...(protocol !== undefined ? { protocol } : {}),
            };
        });
}

function kumaValue(f: EffectiveField): string {
    return f.values.kind === "uids" ? kumaUidEntries(f.values.list).join(";") : joinValues(f.values);
}

function renderKuma({ effective, workload }: RenderInput<KumaSettings>): Rendered {
    const out = renderExcludeLists(
        "Kuma",
        effective,
        KUMA_ANNOTATIONS,
        kumaValue,
        (key) =>
            `an empty ${key} is not written for Kuma (an empty annotation clears the control plane's defaults on some installs and is ignored on others), so the control plane's defaults stay in force`,
        CANNOT,
    );
    const tooLarge = listOf(effective.fields["outbound.excludeUids"]?.values, "uids").filter((r) => r.last > KUMA_MAX_UID);
    if (tooLarge.length > 0) {
        out.notes.push(
            `Kuma reads user ids as 16-bit numbers (at most ${KUMA_MAX_UID}; kuma-init's parseUint16 refuses larger ones): ` +
                `${tooLarge.map((r) => r.text).join("; ")} is not written for Kuma`,
        );
    }
    const merged = Object.values(effective.fields).filter((f) => f.mergesWithInstall && KUMA_ANNOTATIONS[f.key]);
    if (merged.length > 0) {
        out.notes.push(
            `Kuma annotations replace the control plane's defaults (runtime sidecarTraffic, or the transparent-proxy ConfigMap); 'merge' at the top scope of ${merged.map((f) => f.key).join(", ")} cannot include them`,
        );
    }
    // A workload with its own MeshPassthrough is selected by this label.
    if (workload && passthroughOf(workload)) out.labels[KUMA_WORKLOAD_LABEL] = kumaWorkloadLabelValue(workload);
    return out;
}

/**
 * Says which form `kuma.passthrough` takes for the Kuma version the user runs, and, on Kuma 3, that a mesh-wide
 * policy can no longer be kept to sidecars, for preview to print.
 */
export function kumaNotices(k: KumaSettings, rules: NormalisedRules): string[] {
    const out: string[] = [];
    if (k.passthrough !== undefined) {
        out.push(
            k.major >= 3
                ? `Kuma ${k.major}.x: kuma.passthrough is written as a mesh-wide MeshPassthrough with passthroughMode ${k.passthrough ? "All" : "None"} (Kuma 3 has no Mesh passthrough switch)`
                : `Kuma 2.x: kuma.passthrough patches Mesh '${k.mesh}' spec.networking.outbound.passthrough (set kuma.version to 3.0 or later for the MeshPassthrough form)`,
        );
    }
    const meshWide =
        k.passthroughCluster ||
        (k.passthrough !== undefined && k.major >= 3) ||
        passthroughOf(rules.global) ||
        [...rules.namespaces.values()].some((n) => passthroughOf(n));
    if (k.major >= 3 && meshWide) {
        // kumahq/kuma 7a20657e15 (#17668) removed targetRef.proxyTypes: Kind Mesh now matches every proxy type.
        out.push(
            `Kuma ${k.major}.x: the Kind Mesh policies are written without targetRef.proxyTypes, which Kuma 3 removed (kumahq/kuma #17668), so they select ` +
                "every Dataplane of their scope, delegated gateways included; built-in gateways run without a transparent proxy and ignore MeshPassthrough",
        );
    }
    return out;
}

export const kuma: MeshAdapter<KumaSettings, "kuma"> = {
    id: "kuma",
    displayName: "Kuma",
    sidecarPorts: new Map([
        [9901, "Envoy admin"],
        [15001, "outbound redirect"],
        [15006, "inbound redirect"],
        [15053, "DNS"],
    ]),
    annotationKeys: Object.values(KUMA_ANNOTATIONS),
    labelKeys: [KUMA_WORKLOAD_LABEL],
    options: meshOptions(optionsSchema, readSettings),
    scopeExtension: passthroughExtension,
    check: checkRules,
    render: renderKuma,
    readBack: (pod) =>
        readAnnotationTable(KUMA_ANNOTATIONS, pod, {
            portRanges: false,
            values: (key, text) => (key === "outbound.excludeUids" ? readUidEntries(text) : undefined),
        }),
    objects: kumaObjects,
    notices: kumaNotices,
};
