// A platform repository's program: rules for workloads another tool deploys (patched), and a Deployment
// declared right here that gets the same rules through the transform.
import * as k8s from "@pulumi/kubernetes";
import * as sb from "sidecar-bypass";

const rules: sb.SidecarBypassArgs = {
    meshes: [sb.Mesh.Istio],
    global: { outbound: { excludeIpRanges: ["169.254.169.254/32"] } },
    namespaces: [{ name: "payments", inbound: { excludePorts: [7001, 7002] } }],
    workloads: [
        {
            kind: sb.WorkloadKind.Deployment,
            namespace: "payments",
            name: "ledger",
            outbound: { excludeIpRanges: ["203.0.113.0/24"], inherit: sb.Inherit.Merge },
        },
        { kind: sb.WorkloadKind.Deployment, namespace: "payments", name: "reports", declaredInProgram: true },
    ],
};

const bypass = new sb.SidecarBypass("platform", rules);

new k8s.apps.v1.Deployment(
    "reports",
    {
        metadata: { name: "reports", namespace: "payments" },
        spec: {
            selector: { matchLabels: { app: "reports" } },
            template: { metadata: { labels: { app: "reports" } }, spec: { containers: [{ name: "app", image: "registry.example/reports:1" }] } },
        },
    },
    { transforms: [sb.bypassTransform(rules)] },
);

export const effectiveRules = bypass.effectiveRules;
export const summary = bypass.summary;
