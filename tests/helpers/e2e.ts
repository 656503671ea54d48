// The e2e tier's harness: a control plane of the test's own, seeded as a Helm chart would seed it, and a
// stack of tests/e2e/program run by the real Pulumi CLI, language host and Kubernetes provider.
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { Stack } from "@pulumi/pulumi/automation";
import { type ComponentOwner, fieldManagerOf, objectPrefixOf, type PlainBypassArgs } from "../../provider/index";
import { type ControlPlane, startControlPlane } from "../../tools/harness/controlPlane";
import { applyServerSide, getJson, type Kube, type ObjectMeta, waitForRollouts } from "../../tools/harness/kube";
import { findPulumiCli, missingPulumiTools, openStack, PULUMI_INSTALL_HINT, type PulumiCli, stackEnv } from "../../tools/harness/pulumiCli";
import { type ChartWorkload, chartDeployment, HELM_MANAGER, namespaceObject } from "../../tools/harness/workloads";

export const PROGRAM_DIR = path.resolve(__dirname, "..", "..", "..", "tests", "e2e", "program");
/** The component's name in the program, and the program's project (its Pulumi.yaml): with the stack, its owner. */
export const COMPONENT = "e2e";
const PROJECT = "sidecar-bypass-e2e";
const ownerIn = (stack: string): ComponentOwner => ({ project: PROJECT, stack, component: COMPONENT });
/** The plan options that name objects as the program's component in this stack names them. */
export const planOptions = (stack: string) => ({ name: objectPrefixOf(ownerIn(stack)) });
/** The field manager the program's component applies as in this stack. */
export const fieldManagerIn = (stack: string) => fieldManagerOf(ownerIn(stack));

/** Why the CLI-driven tests cannot run here, or undefined when they can. Printed by the skip, never silent. */
export function cliSkipReason(): string | undefined {
    const cli = findPulumiCli();
    if (!cli) return `no Pulumi CLI on PATH or in ~/.pulumi/bin; ${PULUMI_INSTALL_HINT}`;
    return missingPulumiTools(cli);
}

export interface Deployment {
    metadata: ObjectMeta & { resourceVersion: string; generation: number };
    spec: { template: { metadata: { annotations?: Record<string, string>; labels?: Record<string, string> } } } & Record<string, unknown>;
}

export class E2eCluster {
    readonly cp: ControlPlane;
    constructor(name: string, options: { apiserverArgs?: readonly string[]; rollouts?: boolean } = {}) {
        this.cp = startControlPlane(name, { fresh: true, ...options });
    }
    get kube(): Kube {
        return this.cp;
    }
    /** Creates (or upgrades) the workloads as a chart would and waits for the schedulable ones to roll out. */
    async seed(workloads: readonly ChartWorkload[]): Promise<void> {
        const namespaces = [...new Set(workloads.map((w) => w.namespace))];
        applyServerSide(this.kube, namespaces.map(namespaceObject), { fieldManager: HELM_MANAGER });
        applyServerSide(
            this.kube,
            workloads.map((w) => chartDeployment(w)),
            { fieldManager: HELM_MANAGER },
        );
        await waitForRollouts(
            this.kube,
            workloads.filter((w) => !w.unschedulable).map((w) => `${w.namespace}/${w.name}`),
        );
    }
    deployment(namespace: string, name: string): Deployment {
        return getJson<Deployment>(this.kube, ["deployment", "-n", namespace, name, "--show-managed-fields"]);
    }
    stop(): void {
        this.cp.stop();
    }
}

export class E2eStack {
    private constructor(
        readonly stack: Stack,
        readonly cli: PulumiCli,
        readonly backendDir: string,
        private readonly env: Record<string, string>,
    ) {}

    /**
     * A stack of the e2e program, or of another project (`workDir`, e.g. an example), on a file backend of its
     * own (or a shared one, `backendDir`, so stacks can reference each other); `path` goes first on PATH.
     */
    static async open(cluster: E2eCluster, stackName: string, o: { workDir?: string; backendDir?: string; path?: readonly string[] } = {}): Promise<E2eStack> {
        const cli = findPulumiCli()!;
        const backendDir = o.backendDir ?? fs.mkdtempSync(path.join(os.tmpdir(), "sb-e2e-state-"));
        const env: Record<string, string> = { KUBECONFIG: cluster.kube.kubeconfig };
        if (o.path?.length) env.PATH = [...o.path, cli.dir, path.dirname(process.execPath), process.env.PATH ?? ""].join(path.delimiter);
        const stack = await openStack({ cli, workDir: o.workDir ?? PROGRAM_DIR, stackName, backendDir, env });
        return new E2eStack(stack, cli, backendDir, stackEnv({ cli, backendDir, env }));
    }

    /**
     * Runs `pulumi <args>` on this stack as a user types it (the Automation API's `up` always skips the preview), with
     * `env` over the stack's environment; resolves with the exit code and everything printed.
     */
    run(args: readonly string[], env: Record<string, string> = {}): Promise<{ code: number; output: string }> {
        const argv = [...args, "--stack", this.stack.name, "--non-interactive", "--color", "never"];
        const options = { cwd: this.stack.workspace.workDir, env: { ...process.env, ...this.env, ...env }, maxBuffer: 64 * 1024 * 1024 };
        return new Promise((resolve) =>
            execFile(path.join(this.cli.dir, "pulumi"), argv, options, (error, stdout, stderr) =>
                resolve({ code: error ? Number(error.code ?? 1) : 0, output: `${stdout}${stderr}` }),
            ),
        );
    }

    async setRules(rules: PlainBypassArgs): Promise<void> {
        await this.stack.setConfig("rules", { value: JSON.stringify(rules) });
    }

    /** Removes the stack and its backend directory (after destroy). */
    async remove(): Promise<void> {
        await this.stack.workspace.removeStack(this.stack.name, { force: true }).catch(() => undefined);
        fs.rmSync(this.backendDir, { recursive: true, force: true });
    }
}

/**
 * The operations of a change summary that change something, as Pulumi's own HasChanges counts them
 * (pkg/engine/update.go: everything but same and the read operations). At preview the component reads each
 * workload it patches (the ownership check); a read changes nothing.
 */
export function changingOps(summary: Readonly<Record<string, number | undefined>>): string[] {
    return Object.keys(summary)
        .filter((op) => !["same", "read", "discard", "read-replacement"].includes(op))
        .sort();
}

/** The parts of a Deployment a patch must not change: all but bookkeeping and status. */
export function ownedByOthers(d: Deployment, ourKeys: ReadonlySet<string>): unknown {
    const strip = (m: Record<string, string> | undefined) =>
        Object.fromEntries(
            Object.entries(m ?? {}).filter(([k]) => !ourKeys.has(k) && !k.startsWith("pulumi.com/") && k !== "deployment.kubernetes.io/revision"),
        );
    const { template, ...rest } = d.spec as {
        template: { metadata: { annotations?: Record<string, string>; labels?: Record<string, string> }; spec: unknown };
    } & Record<string, unknown>;
    return {
        labels: strip(d.metadata.labels),
        annotations: strip(d.metadata.annotations),
        spec: rest,
        template: { annotations: strip(template.metadata.annotations), labels: strip(template.metadata.labels), spec: template.spec },
    };
}

/** A test file's teardown: its stack destroyed and removed (whatever state it is in), then its control plane stopped. */
export async function tearDown(s: E2eStack | undefined, cluster: E2eCluster | undefined): Promise<void> {
    await s?.stack.destroy({ color: "never" }).catch(() => undefined);
    await s?.remove();
    cluster?.stop();
}
