// The Kuma objects for a rule set: MeshPassthrough policies per scope, the Mesh passthrough switch (2.x) or a mesh-wide
// MeshPassthrough (3.x), and a MeshProxyPatch for the passthrough cluster.
import YAML from "yaml";
import { kubeName } from "../../rules/kubeNames";
import { MANAGED_BY_LABEL, PRODUCT } from "../../rules/names";
import type { NormalisedRules, NormalisedScope } from "../../rules/types";
import type { ClusterObject } from "../adapter";
import type { KumaSettings } from "./options";
import { type NormalisedPassthrough, passthroughOf } from "./passthrough";
import { KUMA_WORKLOAD_LABEL, kumaWorkloadLabelValue } from "./workloadLabel";

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
export function kumaObjects(rules: NormalisedRules, k: KumaSettings, name: string): ClusterObject[] {
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
        const passthrough = passthroughOf(scope);
        if (!passthrough) return;
        out.push({
            apiVersion: "kuma.io/v1alpha1",
            kind: "MeshPassthrough",
            metadata: { name: policyName(name, suffix), namespace, labels: meshLabel },
            spec: passthroughSpec(targetRef, passthrough),
            scope: scope.ref.label,
            patch: false,
        });
    };
    policy(rules.global, k.systemNamespace, meshRef, "global");
    for (const [ns, scope] of rules.namespaces) policy(scope, ns, meshRef, "namespace");
    for (const w of rules.workloads) {
        // Checked here too, so the target and name are made only for the few workloads with a policy of their own.
        if (passthroughOf(w))
            policy(w, w.namespace, { kind: "Dataplane", labels: { [KUMA_WORKLOAD_LABEL]: kumaWorkloadLabelValue(w) } }, `${w.kind}-${w.name}`);
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
