// The platform team's stack: the bypass rules every application inherits, for the whole mesh and per
// namespace, exported so application stacks read them with a StackReference and add their own workloads.
import * as pulumi from "@pulumi/pulumi";
import * as sb from "sidecar-bypass";

/** What the platform decides; the application stacks decide `workloads`. */
export type PlatformRules = Pick<sb.PlainBypassArgs, "meshes" | "global" | "namespaces">;

const config = new pulumi.Config();
const rules: PlatformRules = {
    meshes: [sb.Mesh.Istio],
    global: { outbound: { excludeCloudMetadata: [sb.CloudMetadata.Aws] } },
    namespaces: [{ name: "payments", inbound: { excludePorts: config.getObject<number[]>("paymentsInboundPorts") ?? [7001, 7002] } }],
};

// Checked here, so a mistake fails this stack's preview rather than every application's.
sb.planBypass(rules);

export const bypassRules = rules;
