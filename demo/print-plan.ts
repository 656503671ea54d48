// Prints the demo stack's plan: what `pulumi up` would write to the cluster. The main job prints it when no
// Pulumi CLI is found; it is the same planBypass the component runs.
import { BypassValidationError, fieldManagerOf, objectPrefixOf, type PlainBypassArgs, planBypass, summaryMarkdown } from "sidecar-bypass";
import { demoRules } from "./rules";

export function printPlan(): void {
    // The demo stack's owner: its project (Pulumi.yaml), its stack and the component's name (demo/index.ts).
    const owner = { project: "sidecar-bypass-demo", stack: "demo", component: "platform" };
    const name = objectPrefixOf(owner);
    const plan = planBypass(demoRules as PlainBypassArgs, { name });
    console.log(summaryMarkdown(plan));
    console.log(`Pod-template patches (server-side apply, field manager '${fieldManagerOf(owner)}'):`);
    for (const w of plan.workloads) {
        console.log(`\n  ${w.id}${w.hash ? `  rollout hash ${w.hash}` : ""}`);
        for (const [k, v] of Object.entries(w.annotations)) console.log(`    annotation ${k}: ${JSON.stringify(v)}`);
        for (const [k, v] of Object.entries(w.labels)) console.log(`    label      ${k}: ${JSON.stringify(v)}`);
    }
    console.log("\nConfigMaps (one per namespace, recording the resolved rules):");
    for (const ns of plan.namespaces) console.log(`  ${ns.name}/${name}: keys ${Object.keys(ns.configMapData).join(", ")}`);
    console.log("\nKuma objects:");
    for (const k of plan.objects.kuma ?? [])
        console.log(
            `  ${k.patch ? "patch " : ""}${k.kind} ${k.metadata.namespace ? `${k.metadata.namespace}/` : ""}${k.metadata.name}: ${JSON.stringify(k.spec)}`,
        );
}

if (require.main === module) {
    try {
        printPlan();
    } catch (e) {
        if (!(e instanceof BypassValidationError)) throw e;
        console.error(e.message);
        process.exit(1);
    }
}
