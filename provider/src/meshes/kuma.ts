// Kuma / Kong Mesh: `traffic.kuma.io/exclude-*` pod annotations, the Mesh passthrough switch, MeshPassthrough
// policies and a MeshProxyPatch for the passthrough cluster.
//
// An empty list is never written: what an empty Kuma annotation does depends on the install. On the default path
// the injector copies a present annotation over the control plane's sidecarTraffic defaults, so an empty one
// clears them (kuma v2.14.3 pkg/plugins/runtime/k8s/webhooks/injector/injector.go ~958-1005,
// pkg/transparentproxy/kubernetes/kubernetes.go NewPodRedirectFromAnnotations); with the transparent-proxy
// ConfigMap it means "not set". Leaving it out keeps the control plane's defaults on both.
import YAML from "yaml";
import { z } from "zod";
import type { EffectiveField } from "../resolve/effective";
import { durationSeconds, MAX_GO_DURATION_SECONDS, toProtoDuration } from "../rules/duration";
import type { FieldKey } from "../rules/fields";
import type { IssueCollector } from "../rules/issues";
import { dnsLabel, dnsSubdomain, kubeName, LABEL_MAX } from "../rules/kubeNames";
import { meshOptions, type OptionsContext } from "../rules/meshTraits";
import { MANAGED_BY_LABEL, NAMES, PRODUCT } from "../rules/names";
import { kumaRefusedMatches, samePortRule } from "../rules/passthrough";
import { toPortRanges } from "../rules/ports";
import type { Assert, PlainBypassArgs } from "../rules/schema";
import type { NormalisedPassthrough, NormalisedRules, NormalisedScope, WorkloadIdentity } from "../rules/types";
import type { UidRule } from "../rules/uidRules";
import { uidRule } from "../rules/uidRules";
import { joinValues, listOf } from "../rules/valueKinds";
import { type ClusterObject, type MeshAdapter, type Rendered, type RenderInput, renderExcludeLists } from "./adapter";

export const KUMA_ANNOTATIONS: Partial<Record<FieldKey, string>> = {
    "inbound.excludePorts": "traffic.kuma.io/exclude-inbound-ports",
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

function kumaValue(f: EffectiveField): string {
    return f.values.kind === "uids" ? kumaUidEntries(f.values.list).join(";") : joinValues(f.values);
}

/** Pod-template label that lets a workload-scoped MeshPassthrough select the workload's Dataplanes. */
export const KUMA_WORKLOAD_LABEL = NAMES.workloadLabel;

export function kumaWorkloadLabelValue(w: WorkloadIdentity): string {
    return kubeName(`${w.kind.toLowerCase()}.${w.name}`, LABEL_MAX);
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
    if (workload?.passthrough) out.labels[KUMA_WORKLOAD_LABEL] = kumaWorkloadLabelValue(workload);
    return out;
}

/**
 * Says which form `kuma.passthrough` takes for the Kuma version the user runs, and, on Kuma 3, that a mesh-wide
 * policy can no longer be kept to sidecars, for preview to print.
 */
function kumaNotices(k: KumaSettings, rules: NormalisedRules): string[] {
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
        rules.global.passthrough ||
        [...rules.namespaces.values()].some((n) => n.passthrough);
    if (k.major >= 3 && meshWide) {
        // kumahq/kuma 7a20657e15 (#17668) removed targetRef.proxyTypes: Kind Mesh now matches every proxy type.
        out.push(
            `Kuma ${k.major}.x: the Kind Mesh policies are written without targetRef.proxyTypes, which Kuma 3 removed (kumahq/kuma #17668), so they select ` +
                "every Dataplane of their scope, delegated gateways included; built-in gateways run without a transparent proxy and ignore MeshPassthrough",
        );
    }
    return out;
}

function policyName(base: string, suffix: string): string {
    return kubeName(`${base}-${suffix}`);
}

function passthroughSpec(targetRef: Record<string, unknown>, p: NormalisedPassthrough): Record<string, unknown> {
    const conf: Record<string, unknown> = { passthroughMode: p.mode };
    if (p.mode === "Matched" && p.destinations.length > 0) {
        conf.appendMatch = p.destinations.map((d) => ({
            type: d.type,
            value: d.value,
            ...(d.port !== undefined ? { port: d.port } : {}),
            protocol: d.protocol,
        }));
    }
    return { targetRef, default: conf };
}

/** The Kuma objects for the whole rule set; `name` prefixes the policies so several components can coexist. */
function kumaObjects(rules: NormalisedRules, k: KumaSettings, name: string): ClusterObject[] {
    const meshLabel = { "kuma.io/mesh": k.mesh, [MANAGED_BY_LABEL]: PRODUCT };
    const out: ClusterObject[] = [];
    // Mesh-wide policies live in the system namespace. On 2.x `proxyTypes: [Sidecar]` keeps them off gateways (2.8-era
    // validators require it); Kuma 3 removed the field (kumahq/kuma 7a20657e15, #17668) and drops it unread.
    const meshRef = k.major >= 3 ? { kind: "Mesh" } : { kind: "Mesh", proxyTypes: ["Sidecar"] };
    if (k.passthrough !== undefined && k.major >= 3) {
        // Kuma 3 has no Mesh passthrough switch, and MeshPassthrough defaults to None (Kuma's 3.0 migration notes).
        out.push({
            apiVersion: "kuma.io/v1alpha1",
            kind: "MeshPassthrough",
            metadata: { name: policyName(name, "mesh"), namespace: k.systemNamespace, labels: meshLabel },
            spec: { targetRef: meshRef, default: { passthroughMode: k.passthrough ? "All" : "None" } },
            scope: "global",
            patch: false,
        });
    } else if (k.passthrough !== undefined) {
        out.push({
            apiVersion: "kuma.io/v1alpha1",
            kind: "Mesh",
            metadata: { name: k.mesh },
            spec: { networking: { outbound: { passthrough: k.passthrough } } },
            scope: "global",
            patch: true,
        });
    }
    const policy = (scope: NormalisedScope, namespace: string, targetRef: Record<string, unknown>, suffix: string) => {
        if (!scope.passthrough) return;
        out.push({
            apiVersion: "kuma.io/v1alpha1",
            kind: "MeshPassthrough",
            metadata: { name: policyName(name, suffix), namespace, labels: meshLabel },
            spec: passthroughSpec(targetRef, scope.passthrough),
            scope: scope.ref.label,
            patch: false,
        });
    };
    policy(rules.global, k.systemNamespace, meshRef, "global");
    for (const [ns, scope] of rules.namespaces) policy(scope, ns, meshRef, "namespace");
    for (const w of rules.workloads) {
        // Checked here too, so the target and name are made only for the few workloads with a policy of their own.
        if (w.passthrough) policy(w, w.namespace, { kind: "Dataplane", labels: { [KUMA_WORKLOAD_LABEL]: kumaWorkloadLabelValue(w) } }, `${w.kind}-${w.name}`);
    }
    if (k.passthroughCluster) {
        const c = k.passthroughCluster;
        // MeshProxyPatch takes the cluster patch as a YAML document in a string.
        const clusterValue = YAML.stringify(
            {
                connectTimeout: c.connectTimeout,
                circuitBreakers: {
                    thresholds: [
                        { maxConnections: c.maxConnections, maxPendingRequests: c.maxPendingRequests, maxRequests: c.maxRequests, maxRetries: c.maxRetries },
                    ],
                },
            },
            { indentSeq: false },
        );
        const modifications: unknown[] = [];
        for (const family of ["ipv4", "ipv6"]) {
            modifications.push({
                cluster: { operation: "Patch", match: { name: `outbound:passthrough:${family}`, origin: "transparent" }, value: clusterValue },
            });
            modifications.push({
                networkFilter: {
                    operation: "Patch",
                    match: { name: "envoy.filters.network.tcp_proxy", listenerName: `outbound:passthrough:${family}` },
                    jsonPatches: [{ op: "add", path: "/idleTimeout", value: c.tcpIdleTimeout }],
                },
            });
        }
        out.push({
            apiVersion: "kuma.io/v1alpha1",
            kind: "MeshProxyPatch",
            metadata: { name: policyName(name, "passthrough-cluster"), namespace: k.systemNamespace, labels: meshLabel },
            spec: { targetRef: meshRef, default: { appendModifications: modifications } },
            scope: "global",
            patch: false,
        });
    }
    return out;
}

export interface PassthroughCluster {
    readonly maxConnections: number;
    readonly maxPendingRequests: number;
    readonly maxRequests: number;
    readonly maxRetries: number;
    /** Protobuf JSON durations (seconds), e.g. `10s`. */
    readonly connectTimeout: string;
    readonly tcpIdleTimeout: string;
}

export interface KumaSettings {
    /** The major version the mesh runs: 2 patches the Mesh for passthrough, 3 and later use a MeshPassthrough. */
    readonly major: number;
    readonly mesh: string;
    readonly systemNamespace: string;
    readonly passthrough?: boolean;
    readonly passthroughCluster?: PassthroughCluster;
}

const duration = z
    .string()
    .regex(/^(\d+(\.\d+)?(ms|s|m|h))+$/, { error: "expected a duration such as 10s, 500ms or 1h" })
    .refine((d) => durationSeconds(d) <= MAX_GO_DURATION_SECONDS, {
        error: "at most 2562047h (kuma-cp reads it as a Go duration, which cannot be longer)",
    });
// Envoy refuses a zero connect timeout; kuma-cp accepts the policy and then fails to build the proxy's config.
const connectTimeout = duration.refine((d) => toProtoDuration(d) !== "0s", {
    error: "must be at least 1ms (Envoy refuses a zero connect timeout), e.g. 10s",
});
// Envoy's circuit-breaker thresholds are uint32.
const count = z
    .number()
    .int({ error: "expected a whole number" })
    .min(0, { error: "must not be negative" })
    .max(4294967295, { error: "at most 4294967295 (Envoy's thresholds are 32-bit)" });

const optionsSchema = z.strictObject({
    version: z
        .string({ error: "expected a Kuma version such as 2.14 or 3.0" })
        .regex(/^([2-9]|[1-9]\d+)\.\d+(\.\d+)?$/, { error: "expected a Kuma version 2.x or later, such as 2.14 or 3.0" })
        .optional(),
    mesh: dnsSubdomain.optional(),
    systemNamespace: dnsLabel.optional(),
    passthrough: z.boolean().optional(),
    passthroughCluster: z
        .strictObject({
            maxConnections: count.optional(),
            maxPendingRequests: count.optional(),
            maxRequests: count.optional(),
            maxRetries: count.optional(),
            connectTimeout: connectTimeout.optional(),
            tcpIdleTimeout: duration.optional(),
        })
        .optional(),
});

// The hand-written interface and the schema accept the same options.
type KumaArgs = NonNullable<PlainBypassArgs["kuma"]>;
export type KumaSchemaAcceptsInterface = Assert<KumaArgs extends z.input<typeof optionsSchema> ? true : false>;
export type KumaInterfaceAcceptsSchema = Assert<z.input<typeof optionsSchema> extends KumaArgs ? true : false>;

/** Kuma's passthrough-cluster defaults (Kuma docs: ProxyTemplate / MeshProxyPatch). */
const PASSTHROUGH_CLUSTER_DEFAULTS = {
    maxConnections: 1024,
    maxPendingRequests: 1024,
    maxRequests: 1024,
    maxRetries: 3,
    connectTimeout: "10s",
    tcpIdleTimeout: "1h",
};

function readSettings(k: z.output<typeof optionsSchema> | undefined, ctx: OptionsContext): KumaSettings {
    if ((k?.passthrough !== undefined || k?.passthroughCluster) && !ctx.selected) {
        ctx.issues.warn("kuma", "Kuma options are set but Kuma is not in meshes; no Kuma objects are emitted");
    }
    const cluster = k?.passthroughCluster;
    const d = PASSTHROUGH_CLUSTER_DEFAULTS;
    return {
        major: Number((k?.version ?? "2.14").split(".")[0]),
        mesh: k?.mesh ?? "default",
        systemNamespace: k?.systemNamespace ?? "kuma-system",
        ...(k?.passthrough !== undefined ? { passthrough: k.passthrough } : {}),
        ...(cluster
            ? {
                  passthroughCluster: {
                      maxConnections: cluster.maxConnections ?? d.maxConnections,
                      maxPendingRequests: cluster.maxPendingRequests ?? d.maxPendingRequests,
                      maxRequests: cluster.maxRequests ?? d.maxRequests,
                      maxRetries: cluster.maxRetries ?? d.maxRetries,
                      connectTimeout: toProtoDuration(cluster.connectTimeout ?? d.connectTimeout),
                      tcpIdleTimeout: toProtoDuration(cluster.tcpIdleTimeout ?? d.tcpIdleTimeout),
                  },
              }
            : {}),
    };
}

/** What Kuma would refuse about the rule set as a whole, and passthrough rules that no mesh reads. */
function checkRules(rules: NormalisedRules, kuma: KumaSettings, ctx: OptionsContext): void {
    const scopes = [rules.global, ...rules.namespaces.values(), ...rules.workloads];
    if (!ctx.selected) {
        if (scopes.some((s) => s.passthrough)) {
            ctx.issues.warn("meshes", "passthrough rules are rendered only for Kuma (MeshPassthrough), which is not in meshes; they have no effect");
        }
        return;
    }
    if (kuma.major >= 3 && kuma.passthrough !== undefined && rules.global.passthrough) {
        ctx.issues.error(
            "kuma.passthrough",
            "on Kuma 3 this is a mesh-wide MeshPassthrough, and so is global.passthrough; say it once, with global.passthrough.mode (All or None)",
        );
    }
    // Only a chain with matched destinations in two of its scopes can clash across scopes (clashes within a scope are
    // that scope's), so only those are walked: the scopes without matched destinations are left out first.
    const matched = (...chain: Array<NormalisedScope | undefined>) => chain.filter((s): s is NormalisedScope => s?.passthrough?.mode === "Matched");
    const chains = [
        ...[...rules.namespaces.values()].map((ns) => matched(rules.global, ns)),
        ...rules.workloads.map((w) => (w.passthrough?.mode === "Matched" ? matched(rules.global, rules.namespaces.get(w.namespace), w) : [])),
    ];
    checkMergedPassthrough(
        chains.filter((c) => c.length > 1),
        ctx.issues,
    );
}

/**
 * Kuma appends the `appendMatch` lists of every MeshPassthrough that selects a proxy, least specific first, and
 * validates the merged list, so destinations that are valid in each scope alone can be refused together. Checks
 * each chain of scopes that reaches the same proxies; clashes within one scope are reported by that scope.
 */
function checkMergedPassthrough(chains: ReadonlyArray<readonly NormalisedScope[]>, issues: IssueCollector): void {
    const reported = new Set<string>();
    for (const chain of chains) {
        const entries = chain.flatMap((scope) =>
            scope.passthrough?.mode === "Matched"
                ? scope.passthrough.destinations.map((d, i) => ({ d, scope: scope.ref.label, at: `${scope.ref.path}.passthrough.destinations[${i}]` }))
                : [],
        );
        for (const [i, j] of kumaRefusedMatches(entries.map((e) => e.d))) {
            const [late, early] = [entries[i], entries[j]];
            if (late.scope === early.scope || reported.has(`${late.at}|${early.at}`)) continue;
            reported.add(`${late.at}|${early.at}`);
            issues.error(
                late.at,
                `port ${late.d.port} is ${early.d.protocol} at ${early.at} and ${late.d.protocol} here, for the same proxies: Kuma merges ` +
                    `the MeshPassthrough policies that select a proxy (${early.scope} before ${late.scope}), and ${samePortRule}`,
            );
        }
    }
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
    check: checkRules,
    render: renderKuma,
    objects: kumaObjects,
    notices: kumaNotices,
};
