// The main job: the demo stack for real. Starts the embedded control plane (unless KUBECONFIG points at a
// cluster), creates the demo's workloads as a Helm chart would and a Kuma Mesh owned by someone else, runs
// `pulumi up` on the root Pulumi.yaml with a local file backend, and prints the effective rules and which
// workloads rolled. Without a Pulumi CLI it prints the plan and says what is missing.
import * as path from "node:path";
import { BypassValidationError, type EffectiveRuleRowOutput } from "sidecar-bypass";
import { startControlPlane } from "../tools/harness/controlPlane";
import { applyServerSide, type Kube, kubectl, replicaSetsByDeployment, rolledDeployments, waitForRollouts } from "../tools/harness/kube";
import { findPulumiCli, missingPulumiTools, openStack, PULUMI_INSTALL_HINT, recoverInterruptedUpdate } from "../tools/harness/pulumiCli";
import { chartDeployment, HELM_MANAGER, kumaMesh, namespaceObject } from "../tools/harness/workloads";
import { printPlan } from "./print-plan";
import { demoRules } from "./rules";

const REPO = path.resolve(__dirname, "..", "..");

function targetCluster(): { kube: Kube; backendDir: string; embedded: boolean } {
    if (process.env.KUBECONFIG) {
        // A cluster the user chose: their kubectl, and the stack's state beside the repo.
        return { kube: { kubeconfig: process.env.KUBECONFIG, kubectl: "kubectl" }, backendDir: path.join(REPO, ".pulumi-state"), embedded: false };
    }
    const cp = startControlPlane("default");
    // The state lives and dies with the embedded cluster (tools/cluster stop removes both).
    return { kube: cp, backendDir: path.join(path.dirname(cp.kubeconfig), "pulumi-state"), embedded: true };
}

/** The demo's workloads and namespaces as a chart creates them, and the Mesh its operator owns. */
async function seed(kube: Kube): Promise<string[]> {
    const workloads = (demoRules.workloads ?? []).map((w) => ({ namespace: w.namespace as string, name: w.name as string }));
    const namespaces = [...new Set(workloads.map((w) => w.namespace))].sort();
    applyServerSide(kube, namespaces.map(namespaceObject), { fieldManager: HELM_MANAGER });
    applyServerSide(
        kube,
        workloads.map((w) => chartDeployment(w)),
        { fieldManager: HELM_MANAGER },
    );
    // As on a real cluster, the chart's own rollout is done before anyone patches the workloads.
    await waitForRollouts(
        kube,
        workloads.map((w) => `${w.namespace}/${w.name}`),
    );
    if (demoRules.meshes.includes("kuma")) {
        try {
            kubectl(kube, ["get", "crd", "meshes.kuma.io"]);
            applyServerSide(kube, [kumaMesh()], { fieldManager: "kuma-operator" });
        } catch {
            console.log("[demo] this cluster has no Kuma CRDs; the Kuma objects of the plan will fail to apply");
        }
    }
    return namespaces;
}

async function main(): Promise<void> {
    const cli = findPulumiCli();
    const missing = cli ? missingPulumiTools(cli) : `no Pulumi CLI on PATH or in ~/.pulumi/bin; ${PULUMI_INSTALL_HINT}`;
    if (!cli || missing) {
        console.log(`[demo] ${missing}. No cluster was touched; this is the plan pulumi up would apply:\n`);
        printPlan();
        return;
    }
    console.log(`[demo] Pulumi CLI ${cli.version} from ${cli.dir}`);
    const { kube, backendDir, embedded } = targetCluster();
    console.log(`[demo] cluster: ${embedded ? "the embedded control plane" : "KUBECONFIG"} (${kube.kubeconfig})`);
    const namespaces = await seed(kube);
    const before = replicaSetsByDeployment(kube, namespaces);

    const stack = await openStack({ cli, workDir: REPO, stackName: "demo", backendDir, env: { KUBECONFIG: kube.kubeconfig } });
    for (const line of await recoverInterruptedUpdate(stack, backendDir)) console.log(`[demo] ${line}`);
    const up = await stack.up({ refresh: true, color: "never", onOutput: (s) => process.stdout.write(s) });

    const rolled = rolledDeployments(before, replicaSetsByDeployment(kube, namespaces));
    const rows = (up.outputs.effectiveRules?.value ?? []) as EffectiveRuleRowOutput[];
    console.log("\n[demo] effective rules (workload | field | values | from):");
    for (const r of rows) console.log(`  ${r.workload} | ${r.field} | ${r.values} | ${r.from}`);
    console.log("\n[demo] rollouts (a new ReplicaSet since this run began):");
    for (const key of [...before.keys()].sort()) console.log(`  Deployment/${key}: ${rolled.includes(key) ? "rolled" : "unchanged"}`);
    if (embedded) {
        console.log(`\n[demo] the cluster keeps running: export KUBECONFIG=${kube.kubeconfig}; stop it with tools/cluster stop`);
    }
}

main().catch((e: unknown) => {
    if (e instanceof BypassValidationError) console.error(e.message);
    else console.error(`[demo] failed: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
});
