// The demo stack's rules: a few Deployments in two namespaces, created outside the stack (as a Helm
// chart would), bypass rules at all three scopes, and Kuma passthrough settings.
import { Mesh, type SidecarBypassArgs, WorkloadKind } from "sidecar-bypass";

export const demoRules: SidecarBypassArgs = {
    meshes: [Mesh.Istio, Mesh.Kuma, Mesh.Kmesh],
    // Cloud metadata never goes through the sidecar.
    global: { outbound: { excludeIpRanges: ["169.254.169.254"] } },
    namespaces: [
        {
            name: "payments",
            inbound: { excludePorts: [7001, 7002, 7005] },
            outbound: { excludePorts: [5432] },
            passthrough: { mode: "Matched", destinations: [{ type: "Domain", value: "api.example.com", port: 443, protocol: "tls" }] },
        },
    ],
    workloads: [
        { kind: WorkloadKind.Deployment, namespace: "payments", name: "ledger", outbound: { excludeIpRanges: ["203.0.113.0/24"], inherit: "merge" } },
        { kind: WorkloadKind.Deployment, namespace: "payments", name: "checkout" },
        { kind: WorkloadKind.Deployment, namespace: "storefront", name: "web", inbound: { excludePorts: [9100] } },
        {
            kind: WorkloadKind.Deployment,
            namespace: "storefront",
            name: "search",
            fullBypass: { enabled: true, acknowledged: true, reason: "debugging a TLS handshake", expires: "2027-06-30T00:00:00Z" },
        },
    ],
    kuma: { mesh: "default", passthrough: false },
};
