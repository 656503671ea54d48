// Prints the demo stack's plan: what `pulumi up` would write to the cluster. Until the project has its own
// control plane (the real-cluster issue), this is the main job; it runs the same planBypass as the component.
import { BypassValidationError, planBypass, summaryMarkdown, type PlainBypassArgs } from "sidecar-bypass";
import { demoRules } from "./rules";

try {
    const plan = planBypass(demoRules as PlainBypassArgs, { name: "sidecar-bypass-platform" });
    console.log("sidecar-bypass demo: the plan `pulumi up` would apply (no cluster is contacted by this command)\n");
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
    for (const k of plan.kuma) console.log(`  ${k.patch ? "patch " : ""}${k.kind} ${k.metadata.namespace ? `${k.metadata.namespace}/` : ""}${k.metadata.name}: ${JSON.stringify(k.spec)}`);
} catch (e) {
    if (e instanceof BypassValidationError) {
        console.error(e.message);
        process.exit(1);
    }
    throw e;
}
