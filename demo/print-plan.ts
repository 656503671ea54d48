// Prints the demo stack's plan: what `pulumi up` would write to the cluster. The main job prints it when no
// Pulumi CLI is found; it is the same planBypass the component runs.
import { BypassValidationError, type PlainBypassArgs, planBypass, summaryMarkdown } from "sidecar-bypass";
import { demoRules } from "./rules";

export function printPlan(): void {
    const plan = planBypass(demoRules as PlainBypassArgs, { name: "sidecar-bypass-platform" });
    console.log(summaryMarkdown(plan));
    console.log("Pod-template patches (server-side apply, field manager 'sidecar-bypass'):");
    for (const w of plan.workloads) {
        console.log(`\n  ${w.id}${w.hash ? `  rollout hash ${w.hash}` : ""}`);
        for (const [k, v] of Object.entries(w.annotations)) console.log(`    annotation ${k}: ${JSON.stringify(v)}`);
        for (const [k, v] of Object.entries(w.labels)) console.log(`    label      ${k}: ${JSON.stringify(v)}`);
    }
    console.log("\nConfigMaps (one per namespace, recording the resolved rules):");
    for (const ns of plan.namespaces) console.log(`  ${ns.name}/sidecar-bypass-platform: keys ${Object.keys(ns.configMapData).join(", ")}`);
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
