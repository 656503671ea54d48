// `npm run bench`, second half: preview and up of the component over 500 workloads against a program that makes
// the same Kubernetes objects directly from planBypass, on the embedded control plane with the real Pulumi CLI,
// in the same run, as a ratio (target: at most 1.10). Then the admission form: the same scope rules with no workload
// listed, reaching every pod through one policy per namespace, against the listed form, with the resources each
// stack holds. Prints figures; never fails on speed. Without a CLI it says so in one line.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { startControlPlane } from "../tools/harness/controlPlane";
import { applyServerSide, waitForRollouts } from "../tools/harness/kube";
import { findPulumiCli, missingPulumiTools, openStack, PULUMI_INSTALL_HINT, type PulumiCli } from "../tools/harness/pulumiCli";
import { chartDeployment, HELM_MANAGER, namespaceObject } from "../tools/harness/workloads";
import { SCALE_500, type ScaleForm, scaleNamespaces, scaleWorkloads } from "./programs/scaleRules";

const PROGRAMS = ["component", "direct"] as const;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 1);

async function seconds<T>(f: () => Promise<T>): Promise<number> {
    const t0 = process.hrtime.bigint();
    await f();
    return Number(process.hrtime.bigint() - t0) / 1e9;
}

async function main(): Promise<void> {
    const cli = findPulumiCli();
    const missing = cli ? missingPulumiTools(cli) : `no Pulumi CLI found; ${PULUMI_INSTALL_HINT}`;
    if (!cli || missing) {
        console.log(`pulumi bench: skipped, ${missing}`);
        return;
    }
    const times: Record<(typeof PROGRAMS)[number], Timing> = {
        component: { preview: [], up: [], noop: [], resources: [], steps: [] },
        direct: { preview: [], up: [], noop: [], resources: [], steps: [] },
    };
    // Alternate the two programs so drift in the machine's speed hits both alike; each run gets a fresh cluster
    // seeded the same way, so both start from workloads that have never been patched.
    for (let round = 0; round < ROUNDS; round++) {
        for (const program of round % 2 === 0 ? PROGRAMS : [...PROGRAMS].reverse()) {
            await run(cli, program, "listed", times[program]);
            console.log(`  round ${round + 1} ${program}: ${describe(times[program])}`);
        }
    }
    const admission: Timing = { preview: [], up: [], noop: [], resources: [], steps: [] };
    await run(cli, "component", "admission", admission);
    console.log(`  admission form: ${describe(admission)}`);
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    const n = SCALE_500.namespaces * SCALE_500.perNamespace;
    console.log(`pulumi: the component vs the same objects made directly, ${n} workloads, CLI ${cli.version}, ${ROUNDS} round(s)`);
    for (const what of ["preview", "up", "noop"] as const) {
        const c = median(times.component[what]);
        const d = median(times.direct[what]);
        console.log(
            `  ${what === "noop" ? "no-op preview" : what}: component ${c.toFixed(1)} s, direct ${d.toFixed(1)} s, ratio ${(c / d).toFixed(2)} (target <= 1.10)`,
        );
    }
    console.log(`  engine steps at preview: component ${median(times.component.steps)}, direct ${median(times.direct.steps)}`);
    const listed = times.component;
    console.log(`pulumi: the same scope rules over ${n} workloads in ${SCALE_500.namespaces} namespaces, none listed (admission) vs every one listed`);
    for (const what of ["preview", "up", "noop"] as const) {
        console.log(
            `  ${what === "noop" ? "no-op preview" : what}: admission ${median(admission[what]).toFixed(1)} s, listed ${median(listed[what]).toFixed(1)} s`,
        );
    }
    console.log(`  resources in the stack: admission ${median(admission.resources)} (per namespace, not per workload), listed ${median(listed.resources)}`);
}

interface Timing {
    preview: number[];
    up: number[];
    noop: number[];
    /** The resources the stack holds after up (its state's deployment). */
    resources: number[];
    /** The engine's steps at the first preview (operations of every kind, reads included). */
    steps: number[];
}

const describe = (t: Timing) => {
    const last = (xs: number[]) => xs[xs.length - 1].toFixed(1);
    return `preview ${last(t.preview)} s (${t.steps[t.steps.length - 1]} engine steps), up ${last(t.up)} s, no-op preview ${last(t.noop)} s, ${t.resources[t.resources.length - 1]} resources`;
};

/** One program on a fresh cluster seeded with the 500 workloads as a chart makes them: preview, up, no-op preview. */
async function run(cli: PulumiCli, program: (typeof PROGRAMS)[number], form: ScaleForm, into: Timing): Promise<void> {
    const cp = startControlPlane(`bench-${program}`, { fresh: true });
    const backendDir = fs.mkdtempSync(path.join(os.tmpdir(), "sb-bench-state-"));
    try {
        applyServerSide(cp, scaleNamespaces(SCALE_500).map(namespaceObject), { fieldManager: HELM_MANAGER });
        const workloads = scaleWorkloads(SCALE_500);
        applyServerSide(
            cp,
            workloads.map((w) => chartDeployment(w)),
            { fieldManager: HELM_MANAGER },
        );
        await waitForRollouts(
            cp,
            workloads.map((w) => `${w.namespace}/${w.name}`),
        );
        const workDir = path.resolve(__dirname, "..", "..", "bench", "programs", program);
        const stack = await openStack({ cli, workDir, stackName: "bench", backendDir, env: { KUBECONFIG: cp.kubeconfig } });
        await stack.setConfig("size", { value: JSON.stringify(SCALE_500) });
        await stack.setConfig("form", { value: form });
        // The engine's steps: every operation the summary counts (reads, sames and creates alike), each a step it takes.
        const steps = (summary: Readonly<Record<string, number | undefined>> | undefined) =>
            Object.values(summary ?? {}).reduce<number>((n, c) => n + (c ?? 0), 0);
        try {
            let changes: Record<string, number | undefined> | undefined;
            into.preview.push(
                await seconds(async () => {
                    changes = (await stack.preview({ color: "never" })).changeSummary;
                }),
            );
            into.steps.push(steps(changes));
            into.up.push(await seconds(() => stack.up({ color: "never" })));
            into.noop.push(await seconds(() => stack.preview({ color: "never" })));
            into.resources.push(((await stack.exportStack()).deployment as { resources?: unknown[] }).resources?.length ?? 0);
        } finally {
            await stack.workspace.removeStack("bench", { force: true }).catch(() => undefined);
        }
    } finally {
        fs.rmSync(backendDir, { recursive: true, force: true });
        cp.stop();
    }
}

main().catch((e: unknown) => {
    console.error(`pulumi bench failed: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
});
