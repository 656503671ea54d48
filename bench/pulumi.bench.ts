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

/**
 * The CPU seconds of this process's finished children and theirs (Linux's `cutime` + `cstime` in /proc/self/stat):
 * each Pulumi command's CLI, language host, program and provider, once the command has ended. The control plane is
 * not counted (it runs until its cluster stops). On a shared machine this moves less than wall time does.
 */
function childCpuSeconds(): number | undefined {
    try {
        // Fields after the command name (which may hold spaces, so split after its closing parenthesis).
        const stat = fs.readFileSync("/proc/self/stat", "utf8");
        const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
        // cutime and cstime are fields 16 and 17 of the whole line, 14 and 15 after the name and state.
        const ticks = Number(fields[13]) + Number(fields[14]);
        return Number.isFinite(ticks) ? ticks / CLOCK_TICKS : undefined;
    } catch {
        return undefined;
    }
}
/** The kernel's clock ticks per second as /proc reports them (USER_HZ, 100 on Linux). */
const CLOCK_TICKS = 100;

const OPERATIONS = ["preview", "up", "noop"] as const;
type Operation = (typeof OPERATIONS)[number];
const LABELS: Record<Operation, string> = { preview: "preview", up: "up", noop: "no-op preview" };

/** Wall and CPU seconds of one Pulumi command, added to `into` (no CPU figure where /proc is not there). */
async function measured<T>(f: () => Promise<T>, into: Seconds): Promise<T> {
    const cpu0 = childCpuSeconds();
    const t0 = process.hrtime.bigint();
    const result = await f();
    into.wall.push(Number(process.hrtime.bigint() - t0) / 1e9);
    const cpu1 = childCpuSeconds();
    if (cpu0 !== undefined && cpu1 !== undefined) into.cpu.push(cpu1 - cpu0);
    return result;
}

interface Seconds {
    readonly wall: number[];
    readonly cpu: number[];
}

const median = (xs: readonly number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const timing = (): Timing => ({ preview: { wall: [], cpu: [] }, up: { wall: [], cpu: [] }, noop: { wall: [], cpu: [] }, resources: [], steps: [] });
/** `12.3 s (CPU 20.1 s)`: what `pick` takes of each list (no CPU where none was measured). */
const secondsText = (s: Seconds, pick: (xs: readonly number[]) => number) =>
    `${pick(s.wall).toFixed(1)} s${s.cpu.length > 0 ? ` (CPU ${pick(s.cpu).toFixed(1)} s)` : ""}`;
/** The medians. */
const figure = (s: Seconds) => secondsText(s, median);

async function main(): Promise<void> {
    const cli = findPulumiCli();
    const missing = cli ? missingPulumiTools(cli) : `no Pulumi CLI found; ${PULUMI_INSTALL_HINT}`;
    if (!cli || missing) {
        console.log(`pulumi bench: skipped, ${missing}`);
        return;
    }
    const times: Record<(typeof PROGRAMS)[number], Timing> = { component: timing(), direct: timing() };
    // Alternate the two programs so drift in the machine's speed hits both alike; each run gets a fresh cluster
    // seeded the same way, so both start from workloads that have never been patched.
    for (let round = 0; round < ROUNDS; round++) {
        for (const program of round % 2 === 0 ? PROGRAMS : [...PROGRAMS].reverse()) {
            await run(cli, program, "listed", times[program]);
            console.log(`  round ${round + 1} ${program}: ${describe(times[program])}`);
        }
    }
    const admission = timing();
    await run(cli, "component", "admission", admission);
    console.log(`  admission form: ${describe(admission)}`);
    const n = SCALE_500.namespaces * SCALE_500.perNamespace;
    console.log(`pulumi: the component vs the same objects made directly, ${n} workloads, CLI ${cli.version}, ${ROUNDS} round(s)`);
    for (const what of OPERATIONS) {
        const c = times.component[what];
        const d = times.direct[what];
        // CPU: the Pulumi side's processes (CLI, language host, program, provider), which a shared machine moves less.
        const cpu = c.cpu.length > 0 && d.cpu.length > 0 ? `; CPU ratio ${(median(c.cpu) / median(d.cpu)).toFixed(2)}` : "";
        console.log(
            `  ${LABELS[what]}: component ${figure(c)}, direct ${figure(d)}, ratio ${(median(c.wall) / median(d.wall)).toFixed(2)} (target <= 1.10)${cpu}`,
        );
    }
    console.log(`  engine steps at preview: component ${median(times.component.steps)}, direct ${median(times.direct.steps)}`);
    const listed = times.component;
    console.log(`pulumi: the same scope rules over ${n} workloads in ${SCALE_500.namespaces} namespaces, none listed (admission) vs every one listed`);
    for (const what of OPERATIONS) {
        console.log(`  ${LABELS[what]}: admission ${figure(admission[what])}, listed ${figure(listed[what])}`);
    }
    console.log(`  resources in the stack: admission ${median(admission.resources)} (per namespace, not per workload), listed ${median(listed.resources)}`);
}

interface Timing {
    readonly preview: Seconds;
    readonly up: Seconds;
    readonly noop: Seconds;
    /** The resources the stack holds after up (its state's deployment). */
    readonly resources: number[];
    /** The engine's steps at the first preview (operations of every kind, reads included). */
    readonly steps: number[];
}

/** One round's figures: the last of each. */
const describe = (t: Timing) => {
    const last = (s: Seconds) => secondsText(s, (xs) => xs[xs.length - 1]);
    return `preview ${last(t.preview)} (${t.steps[t.steps.length - 1]} engine steps), up ${last(t.up)}, no-op preview ${last(t.noop)}, ${t.resources[t.resources.length - 1]} resources`;
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
            const first = await measured(() => stack.preview({ color: "never" }), into.preview);
            into.steps.push(steps(first.changeSummary));
            await measured(() => stack.up({ color: "never" }), into.up);
            await measured(() => stack.preview({ color: "never" }), into.noop);
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
