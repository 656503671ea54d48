// Kuma's own tools as judges. No registry serves them (the module proxy refuses github.com/kumahq/kuma), so
// the tests find `kumactl` on PATH, where a developer who built it from Kuma's source put it, and otherwise say
// in one line what they skipped.
import { type ChildProcess, execFileSync, spawn, spawnSync } from "node:child_process";
import { accessSync, constants, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseAllDocuments, stringify } from "yaml";
import type { ClusterObject } from "../../provider/index";

export function findOnPath(name: string): string | undefined {
    for (const dir of (process.env.PATH ?? "").split(":").filter(Boolean)) {
        try {
            accessSync(join(dir, name), constants.X_OK);
            return join(dir, name);
        } catch {
            // not in this directory
        }
    }
    return undefined;
}

/** A kumactl found on PATH, and the Kuma line it belongs to (by what its `version` reports). */
export interface Kumactl {
    readonly path: string;
    readonly version: string;
    /** 2 for a 2.x release, 3 for 3.x or a master build (`0.0.0-preview.v<commit>`, module kuma/v3). */
    readonly major: 2 | 3;
}

let found: Kumactl[] | undefined;

/** Every `kumactl` or `kumactl-*` on PATH, first of each line kept (as a shell would pick the first on PATH). */
export function findKumactls(): Kumactl[] {
    if (found) return found;
    const out: Kumactl[] = [];
    for (const dir of (process.env.PATH ?? "").split(":").filter(Boolean)) {
        let names: string[];
        try {
            names = readdirSync(dir).filter((n) => n === "kumactl" || n.startsWith("kumactl-"));
        } catch {
            continue;
        }
        for (const name of names.sort()) {
            const path = join(dir, name);
            // No control plane is configured: `version` prints the client's line and a connection error, which is fine.
            const r = spawnSync(path, ["--config-file", "/dev/null", "version"], { encoding: "utf8", timeout: 30_000 });
            const version = /Client: Kuma (\S+)/.exec(`${r.stdout}${r.stderr}`)?.[1];
            if (!version) continue;
            const major = version.startsWith("0.0.0-preview") || version.startsWith("3.") ? 3 : version.startsWith("2.") ? 2 : undefined;
            if (major && !out.some((k) => k.major === major)) out.push({ path, version, major });
        }
    }
    found = out;
    return out;
}

export function kumactlFor(major: 2 | 3): Kumactl | undefined {
    return findKumactls().find((k) => k.major === major);
}

export function kumactlSkipReason(major: 2 | 3 = 2): string | undefined {
    if (kumactlFor(major)) return undefined;
    return major === 2
        ? "no Kuma 2.x kumactl found on PATH; Kuma's tools are in no registry (build kumactl v2.14.x from kumahq/kuma's source and put it on PATH)"
        : "no Kuma 3 kumactl (a master build, module kuma/v3) found on PATH as kumactl or kumactl-*; build it from kumahq/kuma master and put it on PATH";
}

type KumaObject = ClusterObject;

/** A Kuma object in Universal form, as kumactl reads it: the Kubernetes object's spec under Kuma's type and name. */
export function toUniversal(o: KumaObject): Record<string, unknown> {
    if (o.kind === "Mesh") return { type: "Mesh", name: o.metadata.name, ...o.spec };
    return { type: o.kind, name: o.metadata.name, mesh: o.metadata.labels?.["kuma.io/mesh"] ?? "default", spec: o.spec };
}

/**
 * Validates Universal resources with `kumactl apply --dry-run`, which runs Kuma's own unmarshalling, schema
 * and resource validators without a control plane. Returns, per resource, undefined when accepted or Kuma's
 * message when refused. One multi-document file per call: kumactl reports each refused document by index
 * (`resource[i]: failed to parse resource: …`) and checks them all.
 */
export function kumaVerdicts(resources: readonly Record<string, unknown>[], kumactl = "kumactl"): Array<string | undefined> {
    const dir = mkdtempSync(join(tmpdir(), "sb-kumactl-"));
    try {
        // An empty config, so kumactl reads nothing of the developer's own.
        writeFileSync(join(dir, "config"), "");
        const verdicts: Array<string | undefined> = [];
        for (let at = 0; at < resources.length; at += 200) {
            const batch = resources.slice(at, at + 200);
            const file = join(dir, "batch.yaml");
            writeFileSync(file, batch.map((r) => stringify(r)).join("---\n"));
            const out = spawnSync(kumactl, ["--config-file", join(dir, "config"), "apply", "--dry-run", "-f", file], { encoding: "utf8", timeout: 120_000 });
            const refused = new Map<number, string>();
            for (const m of `${out.stdout}${out.stderr}`.matchAll(/^resource\[(\d+)\]: (.*)$/gm)) refused.set(Number(m[1]), m[2]);
            if (out.status !== 0 && refused.size === 0) throw new Error(`kumactl apply --dry-run failed without naming a resource: ${out.stderr}`);
            for (let i = 0; i < batch.length; i++) verdicts.push(refused.get(i));
        }
        return verdicts;
    } finally {
        rmSync(dir, { recursive: true, force: true });
    }
}

/** What kumactl adds of its own to each echoed resource: bookkeeping, not what was written. */
const BOOKKEEPING = ["creationTime", "modificationTime", "kri"];

/**
 * What Kuma parsed of each resource: `kumactl apply --dry-run` echoes every resource it accepted as Kuma holds it after
 * unmarshalling (a field Kuma does not know is dropped there, silently: master's REST unmarshaller is not strict). Every
 * resource must be accepted; the echoes come back in order, without kumactl's bookkeeping.
 */
export function kumaParsed(resources: readonly Record<string, unknown>[], kumactl: string): Record<string, unknown>[] {
    const dir = mkdtempSync(join(tmpdir(), "sb-kumactl-"));
    try {
        writeFileSync(join(dir, "config"), "");
        const parsed: Record<string, unknown>[] = [];
        for (let at = 0; at < resources.length; at += 200) {
            const batch = resources.slice(at, at + 200);
            const file = join(dir, "batch.yaml");
            writeFileSync(file, batch.map((r) => stringify(r)).join("---\n"));
            const out = spawnSync(kumactl, ["--config-file", join(dir, "config"), "apply", "--dry-run", "-f", file], { encoding: "utf8", timeout: 120_000 });
            if (out.status !== 0) throw new Error(`kumactl apply --dry-run refused a resource: ${out.stderr}${out.stdout}`);
            const docs = parseAllDocuments(out.stdout).map((d) => d.toJS() as Record<string, unknown>);
            if (docs.length !== batch.length) throw new Error(`kumactl echoed ${docs.length} resources for ${batch.length}`);
            for (const d of docs) parsed.push(Object.fromEntries(Object.entries(d).filter(([k]) => !BOOKKEEPING.includes(k))));
        }
        return parsed;
    } finally {
        rmSync(dir, { recursive: true, force: true });
    }
}

/**
 * kuma-cp in universal mode with its in-memory store, in a network namespace that has only loopback (kuma-cp
 * binds some listeners on all addresses and has no setting to change it). Stopped by its PID in `stop()`.
 */
export class KumaControlPlane {
    readonly ns = `sbkumacp${process.pid}`;
    private readonly dir = mkdtempSync(join(tmpdir(), "sb-kuma-cp-"));
    private child?: ChildProcess;
    readonly config = join(this.dir, "kumactl.yaml");

    async start(): Promise<void> {
        execFileSync("ip", ["netns", "add", this.ns]);
        execFileSync("ip", ["-n", this.ns, "link", "set", "lo", "up"]);
        // `ip netns exec` execs kuma-cp itself, so the child's PID is kuma-cp's.
        this.child = spawn("ip", ["netns", "exec", this.ns, findOnPath("kuma-cp")!, "run"], {
            env: {
                ...process.env,
                KUMA_STORE_TYPE: "memory",
                // With no interface but loopback, kuma-cp cannot pick an address for its inter-CP catalog.
                KUMA_INTER_CP_CATALOG_INSTANCE_ADDRESS: "127.0.0.1",
                KUMA_GENERAL_WORK_DIR: join(this.dir, "work"),
            },
            stdio: ["ignore", "ignore", "ignore"],
        });
        for (let i = 0; i < 120; i++) {
            const r = spawnSync("ip", ["netns", "exec", this.ns, "curl", "-sf", "-o", "/dev/null", "--max-time", "1", "http://127.0.0.1:5681/"]);
            if (r.status === 0) break;
            if (this.child.exitCode !== null) throw new Error(`kuma-cp exited (${this.child.exitCode})`);
            await new Promise((res) => setTimeout(res, 500));
        }
        this.kumactl(["config", "control-planes", "add", "--name", "local", "--address", "http://127.0.0.1:5681", "--overwrite"]);
    }

    /** Runs kumactl against this control plane; returns undefined on success or Kuma's message. */
    kumactl(args: string[]): string | undefined {
        const r = spawnSync("ip", ["netns", "exec", this.ns, findOnPath("kumactl")!, "--config-file", this.config, ...args], {
            encoding: "utf8",
            timeout: 30_000,
        });
        return r.status === 0 ? undefined : `${r.stderr}${r.stdout}`.trim() || `exit ${r.status}`;
    }

    /** Applies one Universal resource for real (stored by kuma-cp); undefined when accepted. */
    apply(resource: Record<string, unknown>): string | undefined {
        const file = join(this.dir, "resource.yaml");
        writeFileSync(file, stringify(resource));
        return this.kumactl(["apply", "-f", file]);
    }

    stop(): void {
        if (this.child?.pid && this.child.exitCode === null) this.child.kill("SIGKILL");
        spawnSync("ip", ["netns", "del", this.ns]);
        rmSync(this.dir, { recursive: true, force: true });
    }
}
