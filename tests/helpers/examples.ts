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

/** Kuma passthrough at every scope (CIDR, wildcard and plain domains, an IP, HTTP on its own port) and the cluster tuned. */
export function kumaEverywhere(): PlainBypassArgs {
    return {
        meshes: ["kuma"],
        global: { passthrough: { mode: "Matched", destinations: [{ type: "CIDR", value: "203.0.113.0/24" }] } },
        namespaces: [
            {
                name: "pay",
                passthrough: {
                    mode: "Matched",
                    destinations: [
                        { type: "Domain", value: "*.example.com", port: 443, protocol: "tls" },
                        { type: "IP", value: "192.0.2.10", port: 5432 },
                        { type: "Domain", value: "api.example.org", port: 8080, protocol: "http" },
                    ],
                },
            },
        ],
        workloads: [
            { kind: "Deployment", namespace: "pay", name: "ledger", passthrough: { mode: "All" } },
            { kind: "StatefulSet", namespace: "pay", name: "db", passthrough: { mode: "None" } },
        ],
        kuma: { passthrough: true, passthroughCluster: { maxConnections: 2048, connectTimeout: "5s", tcpIdleTimeout: "30m" } },
    };
}

/** The same on Kuma 3: passthrough as a mesh-wide MeshPassthrough instead of a Mesh patch. */
export function kumaThree(): PlainBypassArgs {
    const { global: _global, ...rest } = kumaEverywhere();
    return { ...rest, kuma: { ...rest.kuma, version: "3.0", passthrough: true } };
}

/** The rules every language's example in examples/ declares (the TypeScript one also has a transformed Deployment). */
export function languageExample(): PlainBypassArgs {
    return {
        meshes: ["istio"],
        global: { outbound: { excludeIpRanges: ["169.254.169.254/32"] } },
        namespaces: [{ name: "payments", inbound: { excludePorts: [7001, 7002] } }],
        workloads: [{ kind: "Deployment", namespace: "payments", name: "ledger", outbound: { excludeIpRanges: ["203.0.113.0/24"], inherit: "merge" } }],
    };
}
