// An application team's stack: the platform's bypass rules, read from its stack with a StackReference, plus
// this team's workloads and their own rules. A change to the platform's rules rolls exactly the workloads
// here whose rules it changes, on this stack's next `pulumi up`.
import * as pulumi from "@pulumi/pulumi";
import * as sb from "sidecar-bypass";

/** What the platform stack exports (its own repository declares the same shape). */
type PlatformRules = Pick<sb.PlainBypassArgs, "meshes" | "global" | "namespaces">;

export = async () => {
    const platformStack = new pulumi.Config().require("platformStack");
    const platform = new pulumi.StackReference(platformStack);
    // The component's arguments are plain values (they decide which objects exist), so read the output's value.
    const shared = (await platform.getOutputDetails("bypassRules")).value as PlatformRules | undefined;
    if (!shared) throw new Error(`the stack ${platformStack} exports no bypassRules; run \`pulumi up\` there first`);

    const bypass = new sb.SidecarBypass("app", {
        ...shared,
        workloads: [
            {
                kind: sb.WorkloadKind.Deployment,
                namespace: "payments",
                name: "ledger",
                outbound: { excludeIpRanges: ["203.0.113.0/24"], inherit: sb.Inherit.Merge },
            },
            { kind: sb.WorkloadKind.Deployment, namespace: "billing", name: "invoices" },
        ],
    });
    return { effectiveRules: bypass.effectiveRules, summary: bypass.summary };
};
