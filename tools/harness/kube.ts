// Talks to a Kubernetes API server through kubectl: the main job and the e2e tier seed workloads, read them
// back and dry-run objects with it, on the embedded control plane or any cluster a kubeconfig points at.
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as https from "node:https";
import { parse as parseYaml } from "yaml";

export interface Kube {
    readonly kubeconfig: string;
    /** The kubectl binary: the control plane's own, or the first on PATH. */
    readonly kubectl: string;
}

export class KubectlError extends Error {
    constructor(
        readonly args: readonly string[],
        readonly stderr: string,
    ) {
        super(`kubectl ${args.join(" ")} failed: ${stderr.trim()}`);
    }
}

export function kubectl(kube: Kube, args: string[], input?: string): string {
    const r = spawnSync(kube.kubectl, ["--kubeconfig", kube.kubeconfig, ...args], { input, encoding: "utf8", maxBuffer: 256 * 1024 * 1024 });
    if (r.error) throw r.error;
    if (r.status !== 0) throw new KubectlError(args, r.stderr);
    return r.stdout;
}

export function getJson<T>(kube: Kube, args: string[]): T {
    return JSON.parse(kubectl(kube, ["get", ...args, "-o", "json"])) as T;
}

export interface ApplyOptions {
    fieldManager: string;
    /** Ask the API server to validate and admit without storing anything. */
    dryRun?: boolean;
}

/** Server-side apply of Kubernetes objects under one field manager, as Helm or an operator would. */
export function applyServerSide(kube: Kube, objects: readonly object[], options: ApplyOptions): string {
    const args = ["apply", "--server-side", `--field-manager=${options.fieldManager}`, "-f", "-"];
    if (options.dryRun) args.push("--dry-run=server");
    return kubectl(kube, args, JSON.stringify({ apiVersion: "v1", kind: "List", items: objects }));
}

export interface ObjectMeta {
    name: string;
    namespace?: string;
    uid?: string;
    annotations?: Record<string, string>;
    labels?: Record<string, string>;
    managedFields?: { manager: string; operation: string; fieldsV1?: unknown }[];
    ownerReferences?: { kind: string; name: string; uid: string }[];
}

export interface ReplicaSet {
    metadata: ObjectMeta;
    spec: { replicas?: number; template: { metadata?: { annotations?: Record<string, string> } } };
}

/** ReplicaSet names per owning Deployment (`namespace/name`), across the given namespaces. */
export function replicaSetsByDeployment(kube: Kube, namespaces: readonly string[]): Map<string, string[]> {
    const out = new Map<string, string[]>();
    for (const ns of namespaces) {
        const list = getJson<{ items: ReplicaSet[] }>(kube, ["replicasets", "-n", ns]);
        for (const rs of list.items) {
            const owner = rs.metadata.ownerReferences?.find((o) => o.kind === "Deployment");
            if (!owner) continue;
            const key = `${ns}/${owner.name}`;
            out.set(key, [...(out.get(key) ?? []), rs.metadata.name].sort());
        }
    }
    return out;
}

/** Deployments whose ReplicaSets changed between two readings: each gained one per rollout. */
export function rolledDeployments(before: Map<string, string[]>, after: Map<string, string[]>): string[] {
    const rolled: string[] = [];
    for (const [key, names] of after) {
        const old = new Set(before.get(key) ?? []);
        if (names.some((n) => !old.has(n))) rolled.push(key);
    }
    return rolled.sort();
}

interface KubeconfigFile {
    clusters: { cluster: { server: string; "certificate-authority": string } }[];
    users: { user: { "client-certificate": string; "client-key": string } }[];
}

/** The resource name of a kind in a URL path (the kinds this project writes). */
function plural(kind: string): string {
    const k = kind.toLowerCase();
    return /(s|sh|ch|x)$/.test(k) ? `${k}es` : `${k}s`;
}

export interface ApplyResult {
    status: number;
    body: { kind?: string; message?: string; metadata?: ObjectMeta } & Record<string, unknown>;
}

/**
 * One server-side apply request, exactly as the Kubernetes provider sends a patch: PATCH with
 * application/apply-patch+yaml, our field manager, strict field validation, optionally a dry run. kubectl
 * cannot send this for a partial object (it validates the object as a whole on the client first).
 * Works with a kubeconfig that names certificate files, as the embedded control plane's does.
 */
export function applyRequest(
    kube: Kube,
    object: { apiVersion: string; kind: string; metadata: { name: string; namespace?: string } },
    options: ApplyOptions & { force?: boolean },
): Promise<ApplyResult> {
    const config = parseYaml(fs.readFileSync(kube.kubeconfig, "utf8")) as KubeconfigFile;
    const { server, "certificate-authority": ca } = config.clusters[0].cluster;
    const { "client-certificate": cert, "client-key": key } = config.users[0].user;
    const group = object.apiVersion.includes("/") ? `/apis/${object.apiVersion}` : `/api/${object.apiVersion}`;
    const ns = object.metadata.namespace ? `/namespaces/${object.metadata.namespace}` : "";
    const query = new URLSearchParams({ fieldManager: options.fieldManager, fieldValidation: "Strict" });
    if (options.dryRun) query.set("dryRun", "All");
    if (options.force) query.set("force", "true");
    const url = new URL(`${server}${group}${ns}/${plural(object.kind)}/${object.metadata.name}?${query}`);
    const body = JSON.stringify(object);
    return new Promise((resolve, reject) => {
        const req = https.request(
            url,
            {
                method: "PATCH",
                ca: fs.readFileSync(ca),
                cert: fs.readFileSync(cert),
                key: fs.readFileSync(key),
                headers: { "Content-Type": "application/apply-patch+yaml", "Content-Length": Buffer.byteLength(body) },
                timeout: 30_000,
            },
            (res) => {
                let text = "";
                res.setEncoding("utf8");
                res.on("data", (c: string) => (text += c));
                res.on("end", () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as ApplyResult["body"] }));
            },
        );
        req.on("timeout", () => req.destroy(new Error(`${url.pathname}: no answer in 30 s`)));
        req.on("error", reject);
        req.end(body);
    });
}

interface DeploymentStatus {
    metadata: { name: string; namespace: string; generation: number };
    spec: { replicas?: number };
    status?: { observedGeneration?: number; updatedReplicas?: number; availableReplicas?: number };
}

/** Waits (bounded) until the named Deployments have rolled out their current template; throws naming those that did not. */
export async function waitForRollouts(kube: Kube, keys: readonly string[], timeoutMs = 300_000): Promise<void> {
    const pending = new Set(keys);
    const namespaces = [...new Set(keys.map((k) => k.split("/")[0]))];
    const deadline = Date.now() + timeoutMs;
    while (pending.size > 0) {
        for (const ns of namespaces) {
            for (const d of getJson<{ items: DeploymentStatus[] }>(kube, ["deployments", "-n", ns]).items) {
                const want = d.spec.replicas ?? 1;
                const s = d.status ?? {};
                const done = (s.observedGeneration ?? 0) >= d.metadata.generation && s.updatedReplicas === want && s.availableReplicas === want;
                if (done) pending.delete(`${ns}/${d.metadata.name}`);
            }
        }
        if (pending.size === 0) return;
        if (Date.now() > deadline)
            throw new Error(
                `not rolled out in ${timeoutMs / 1000} s: ${[...pending].slice(0, 5).join(", ")}${pending.size > 5 ? ` and ${pending.size - 5} more` : ""}`,
            );
        await new Promise((r) => setTimeout(r, 500));
    }
}
