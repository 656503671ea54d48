// Kuma / Kong Mesh: `traffic.kuma.io/exclude-*` pod annotations, the Mesh passthrough switch, MeshPassthrough
// policies and a MeshProxyPatch for the passthrough cluster.
//
// An empty list is never written: what an empty Kuma annotation does depends on the install. On the default path
// the injector copies a present annotation over the control plane's sidecarTraffic defaults, so an empty one
// clears them (kuma v2.14.3 pkg/plugins/runtime/k8s/webhooks/injector/injector.go ~958-1005,
// pkg/transparentproxy/kubernetes/kubernetes.go NewPodRedirectFromAnnotations); with the transparent-proxy
// ConfigMap it means "not set". Leaving it out keeps the control plane's defaults on both.
import { createHash } from "node:crypto";
import type { FieldKey } from "../rules/fields";
import type { KumaSettings, NormalisedRules, Passthrough, ScopeRules, WorkloadIdentity } from "../rules/types";
import { joinedValues } from "../plan/resolveScopes";
import { type MeshRenderer, renderExcludeLists } from "./adapter";

export const KUMA_ANNOTATIONS: Partial<Record<FieldKey, string>> = {
    "inbound.excludePorts": "traffic.kuma.io/exclude-inbound-ports",
    "outbound.excludePorts": "traffic.kuma.io/exclude-outbound-ports",
    "outbound.excludeIpRanges": "traffic.kuma.io/exclude-outbound-ips",
};

/** Pod-template label that lets a workload-scoped MeshPassthrough select the workload's Dataplanes. */
export const KUMA_WORKLOAD_LABEL = "sidecar-bypass.io/workload";

export function kumaWorkloadLabelValue(w: WorkloadIdentity): string {
    const v = `${w.kind.toLowerCase()}.${w.name}`;
    if (v.length <= 63) return v;
    const h = createHash("sha256").update(v).digest("hex").slice(0, 10);
    return `${v.slice(0, 52).replace(/[-.]+$/, "")}-${h}`;
}

export const renderKuma: MeshRenderer = ({ effective, passthroughWorkload }) => {
    const out = renderExcludeLists(
        "Kuma",
        effective,
        KUMA_ANNOTATIONS,
        joinedValues,
        (key) =>
            `an empty ${key} is not written for Kuma (an empty annotation clears the control plane's defaults on some installs and is ignored on others), so the control plane's defaults stay in force`,
    );
    const merged = Object.values(effective.fields).filter((f) => f.mergesWithInstall && KUMA_ANNOTATIONS[f.key]);
    if (merged.length > 0) {
        out.notes.push(`Kuma annotations replace the control plane's sidecarTraffic defaults; 'merge' at the top scope of ${merged.map((f) => f.key).join(", ")} cannot include them`);
    }
    if (passthroughWorkload) out.labels[KUMA_WORKLOAD_LABEL] = kumaWorkloadLabelValue(passthroughWorkload);
    return out;
};

/** Says which form `kuma.passthrough` takes for the Kuma version the user runs, for preview to print. */
export function kumaNotices(k: KumaSettings): string[] {
    if (k.passthrough === undefined) return [];
    return k.major >= 3
        ? [`Kuma ${k.major}.x: kuma.passthrough is written as a mesh-wide MeshPassthrough with passthroughMode ${k.passthrough ? "All" : "None"} (Kuma 3 has no Mesh passthrough switch)`]
        : [`Kuma 2.x: kuma.passthrough patches Mesh '${k.mesh}' spec.networking.outbound.passthrough (set kuma.version to 3.0 or later for the MeshPassthrough form)`];
}

/** A Kubernetes object for a Kuma custom resource. */
export interface KumaObject {
    readonly apiVersion: "kuma.io/v1alpha1";
    readonly kind: "Mesh" | "MeshPassthrough" | "MeshProxyPatch";
    readonly metadata: { name: string; namespace?: string; labels?: Record<string, string> };
    readonly spec: Record<string, unknown>;
    /** Which scope produced it, for grouping and explanation. */
    readonly scope: string;
    /** A patch of an existing object (the Mesh) rather than an object we own. */
    readonly patch: boolean;
}

function policyName(base: string, suffix: string): string {
    const v = `${base}-${suffix}`.toLowerCase().replace(/[^a-z0-9.-]/g, "-");
    if (v.length <= 253) return v;
    return `${v.slice(0, 240)}-${createHash("sha256").update(v).digest("hex").slice(0, 10)}`;
}

function passthroughSpec(targetRef: Record<string, unknown>, p: Passthrough): Record<string, unknown> {
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
export function renderKumaObjects(rules: NormalisedRules, name: string): KumaObject[] {
    const k: KumaSettings = rules.kuma;
    const meshLabel = { "kuma.io/mesh": k.mesh, "app.kubernetes.io/managed-by": "sidecar-bypass" };
    const out: KumaObject[] = [];
    // Mesh-wide policies live in the system namespace; `proxyTypes: [Sidecar]` is required by 2.8-era validators.
    const meshRef = { kind: "Mesh", proxyTypes: ["Sidecar"] };
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
    const policy = (scope: ScopeRules, namespace: string, targetRef: Record<string, unknown>, suffix: string) => {
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
        policy(w, w.namespace, { kind: "Dataplane", labels: { [KUMA_WORKLOAD_LABEL]: kumaWorkloadLabelValue(w) } }, `${w.kind}-${w.name}`);
    }
    if (k.passthroughCluster) {
        const c = k.passthroughCluster;
        const clusterValue =
            `connectTimeout: ${c.connectTimeout}\n` +
            "circuitBreakers:\n  thresholds:\n" +
            `  - maxConnections: ${c.maxConnections}\n    maxPendingRequests: ${c.maxPendingRequests}\n` +
            `    maxRequests: ${c.maxRequests}\n    maxRetries: ${c.maxRetries}\n`;
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
