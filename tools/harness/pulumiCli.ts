// Finds the Pulumi CLI the way a user's shell would (PATH, then ~/.pulumi/bin where Pulumi's installer puts
// it), opens stacks on a local file backend through the Automation API, and clears a lock that a dead
// `pulumi` process left behind in a backend we own.
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { LocalWorkspace, type Stack } from "@pulumi/pulumi/automation";

/** The CLI version the project is tested with; older 3.x releases may lack what the provider asks for. */
export const PULUMI_CLI_NEEDED = "3.259.0 or newer";
export const PULUMI_INSTALL_HINT = `install the Pulumi CLI ${PULUMI_CLI_NEEDED} (https://www.pulumi.com/docs/install/) so that \`pulumi\` is on PATH or in ~/.pulumi/bin`;

export interface PulumiCli {
    /** The directory holding `pulumi` (plugins next to it are found too). */
    readonly dir: string;
    readonly version: string;
}

export function findPulumiCli(): PulumiCli | undefined {
    const dirs = [...(process.env.PATH ?? "").split(path.delimiter).filter(Boolean), path.join(os.homedir(), ".pulumi", "bin")];
    for (const dir of dirs) {
        const bin = path.join(dir, "pulumi");
        if (!fs.existsSync(bin)) continue;
        const r = spawnSync(bin, ["version"], { encoding: "utf8", env: { ...process.env, PULUMI_SKIP_UPDATE_CHECK: "true" } });
        if (r.status === 0) return { dir, version: r.stdout.trim() };
    }
    return undefined;
}

/** The Kubernetes provider version the installed `@pulumi/kubernetes` asks for. */
export function kubernetesProviderVersion(): string {
    return (require("@pulumi/kubernetes/package.json") as { version: string }).version;
}

/**
 * What the CLI still lacks to run a TypeScript program against Kubernetes, or undefined when nothing: the
 * Node.js language host (shipped next to the CLI) and the Kubernetes provider plugin at the version
 * `@pulumi/kubernetes` asks for (on PATH, next to the CLI, or installed with `pulumi plugin install`).
 */
export function missingPulumiTools(cli: PulumiCli): string | undefined {
    const onPath = (name: string) => findsTool(cli, name);
    const missing: string[] = [];
    if (!onPath("pulumi-language-nodejs")) missing.push("the Node.js language host pulumi-language-nodejs");
    const version = kubernetesProviderVersion();
    const installed = path.join(os.homedir(), ".pulumi", "plugins", `resource-kubernetes-v${version}`, "pulumi-resource-kubernetes");
    if (!onPath("pulumi-resource-kubernetes") && !fs.existsSync(installed)) {
        missing.push(`the Kubernetes provider plugin ${version} (pulumi plugin install resource kubernetes v${version})`);
    }
    return missing.length ? `the Pulumi CLI at ${cli.dir} lacks ${missing.join(" and ")}` : undefined;
}

/** The language hosts (`pulumi-language-<language>`) found neither on PATH nor next to the CLI. */
export function missingLanguageHosts(cli: PulumiCli, languages: readonly string[]): string[] {
    return languages.map((l) => `pulumi-language-${l}`).filter((host) => !findsTool(cli, host));
}

/** Whether the CLI finds an executable of its own: on PATH or next to it, where Pulumi's installer puts them. */
function findsTool(cli: PulumiCli, name: string): boolean {
    return [...(process.env.PATH ?? "").split(path.delimiter).filter(Boolean), cli.dir].some((d) => fs.existsSync(path.join(d, name)));
}

export interface StackOptions {
    cli: PulumiCli;
    /** The Pulumi project directory (holds Pulumi.yaml). */
    workDir: string;
    stackName: string;
    /** A directory for the local file backend. */
    backendDir: string;
    env?: Record<string, string>;
}

/** Environment for every CLI run: the file backend, no passphrase prompt, no update check, plugins on PATH. */
export function stackEnv(o: Pick<StackOptions, "cli" | "backendDir" | "env">): Record<string, string> {
    return {
        PULUMI_BACKEND_URL: `file://${o.backendDir}`,
        PULUMI_CONFIG_PASSPHRASE: "",
        PULUMI_SKIP_UPDATE_CHECK: "true",
        PULUMI_DIY_BACKEND_NO_LEGACY_WARNING: "true",
        // The language host runs `node` from PATH: give it the Node.js this process runs on (the project's 24).
        PATH: [o.cli.dir, path.dirname(process.execPath), process.env.PATH ?? ""].join(path.delimiter),
        ...o.env,
    };
}

export async function openStack(o: StackOptions): Promise<Stack> {
    fs.mkdirSync(o.backendDir, { recursive: true });
    const envVars = stackEnv(o);
    // The Automation API runs `pulumi` from PATH; it must be the one we found.
    process.env.PATH = envVars.PATH;
    return LocalWorkspace.createOrSelectStack({ stackName: o.stackName, workDir: o.workDir }, { envVars });
}

interface LockContent {
    pid: number;
    hostname: string;
    timestamp?: string;
}

/**
 * Removes the locks in a local file backend that were taken on this host by a `pulumi` process that no longer
 * runs (killed mid-update). Returns one line per lock removed, for the caller to print. Locks of live
 * processes, or of other hosts, are left alone.
 */
export function clearStaleLocks(backendDir: string): string[] {
    const root = path.join(backendDir, ".pulumi", "locks");
    const cleared: string[] = [];
    const walk = (dir: string): void => {
        if (!fs.existsSync(dir)) return;
        for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
            const file = path.join(dir, entry.name);
            if (entry.isDirectory()) walk(file);
            else if (entry.name.endsWith(".json")) {
                const lock = JSON.parse(fs.readFileSync(file, "utf8")) as LockContent;
                if (lock.hostname !== os.hostname() || processAlive(lock.pid)) continue;
                fs.rmSync(file);
                cleared.push(
                    `cleared the lock on stack ${path.relative(root, dir)} left by pulumi process ${lock.pid} (${lock.timestamp ?? "time unknown"}), which no longer runs`,
                );
            }
        }
    };
    walk(root);
    return cleared;
}

function processAlive(pid: number): boolean {
    try {
        process.kill(pid, 0);
        return true;
    } catch (e) {
        return (e as NodeJS.ErrnoException).code === "EPERM";
    }
}

interface PendingOperation {
    type: string;
    resource: { urn: string; type: string };
}

/** A server-side-apply patch: applying it again is an upsert, so a lost create can simply be redone. */
const isPatch = (type: string) => /^kubernetes:.*Patch$/.test(type);

/**
 * Recovers a stack whose last update was killed: clears its stale lock (see clearStaleLocks) and, when the
 * checkpoint still holds pending creates, drops them if every one is a patch (the next up re-applies it). A
 * pending create of an object we own is left for the user, with the resource named, since dropping it would
 * make the next create fail on the object that already exists. Returns the lines to print.
 */
export async function recoverInterruptedUpdate(stack: Stack, backendDir: string): Promise<string[]> {
    const lines = clearStaleLocks(backendDir);
    if (lines.length === 0) return lines;
    const deployment = (await stack.exportStack()).deployment as { pending_operations?: PendingOperation[] };
    const creates = (deployment.pending_operations ?? []).filter((op) => op.type === "creating");
    if (creates.length === 0) return lines;
    const owned = creates.filter((op) => !isPatch(op.resource.type));
    if (owned.length > 0) {
        lines.push(
            `the interrupted update left pending creates of ${owned.map((op) => op.resource.urn).join(", ")}; ` +
                "import them with `pulumi refresh --import-pending-creates <urn> <namespace/name>` before the next up",
        );
        return lines;
    }
    await stack.refresh({ clearPendingCreates: true, color: "never" });
    lines.push(`cleared ${creates.length} pending create(s) of patches the interrupted update left; the next up applies them again`);
    return lines;
}
