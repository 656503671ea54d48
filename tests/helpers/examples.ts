// Rule sets shared by tests, the bench and the demo.
import type { PlainBypassArgs } from "../../provider/index";

/** The example from DESIGN.md, with the acknowledgements the guardrails require. */
export function designExample(): PlainBypassArgs {
    return {
        meshes: ["istio", "kuma", "kmesh"],
        global: { outbound: { excludeIpRanges: ["169.254.169.254/32"] } },
        namespaces: [
            {
                name: "payments",
                inbound: { excludePorts: [7001, 7002, 7005] },
                outbound: { includePorts: [7001, 7002, 7005] },
                passthrough: { mode: "Matched", destinations: [{ type: "Domain", value: "api.stripe.com", port: 443, protocol: "tls" }] },
            },
        ],
        workloads: [
            { kind: "Deployment", namespace: "payments", name: "ledger", outbound: { excludeIpRanges: ["47.100.1.144/32"], inherit: "merge" } },
            { kind: "Deployment", namespace: "payments", name: "web" },
            { kind: "StatefulSet", namespace: "payments", name: "db", inbound: { excludePorts: [5432] } },
            {
                kind: "Deployment",
                namespace: "debug",
                name: "api",
                fullBypass: { enabled: true, acknowledged: true, reason: "tracing a TLS handshake", expires: "2030-01-01T00:00:00Z" },
            },
        ],
        kuma: { mesh: "default", passthrough: false, passthroughCluster: { maxConnections: 2048 } },
    };
}

export const FIXED_NOW = new Date("2026-11-21T00:00:00Z");
