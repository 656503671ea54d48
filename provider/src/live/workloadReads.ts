// The live workloads the drift check judges, read through the Kubernetes client: one list per namespace and kind where
// the component patches several of a kind there, else one get, a few requests at a time. A read through the Pulumi
// engine costs a step of its own (about 30 ms of the engine's work at 500 workloads); these cost a request each.
import * as path from "node:path";
import { Worker } from "node:worker_threads";
import type * as k8s from "@kubernetes/client-node";
import type { WorkloadKind } from "../args";
import { atTemplate, templateOf, WORKLOAD_KINDS } from "../rules/workloadKinds";
import type { Clients } from "./clients";

/** What the drift check reads of a live workload. */
export interface LiveWorkloadState {
    readonly metadata?: { readonly uid?: string; readonly managedFields?: unknown[] };
    readonly spec?: Record<string, unknown>;
}

/** A workload as the API server returns it. */
type Served = k8s.KubernetesObject & { spec?: Record<string, unknown> };

export interface WorkloadRef {
    readonly id: string;
    readonly kind: WorkloadKind;
    readonly namespace: string;
    readonly name: string;
}

/** The client's reads, or why it could not make them. */
export type ClientRead = { states: ReadonlyMap<string, LiveWorkloadState | undefined>; server: string } | { error: string };

/**
 * The reads on a worker thread (workloadReadsWorker), the Kubernetes client loaded there: the program's own thread
 * keeps sending the engine its resources meanwhile. Never rejects: a failure is the read's error.
 */
export function readOnWorker(workloads: readonly WorkloadRef[]): Promise<ClientRead> {
    return new Promise((resolve) => {
        const worker = new Worker(path.join(__dirname, "workloadReadsWorker.js"), { workerData: workloads });
        // Its sockets may stay open: the program never waits for the thread, and it ends once it has answered.
        worker.unref();
        const done = (r: ClientRead) => {
            resolve(r);
            void worker.terminate();
        };
        worker.once("message", done);
        worker.once("error", (e) => done({ error: e.message.split("\n")[0] }));
        worker.once("exit", (code) => done({ error: `the thread reading them stopped (exit code ${code})` }));
    });
}

/** At most this many requests in flight: the API server's default fairness limits stay far away. */
const IN_FLIGHT = 8;

/** Each workload's live state by id, only what the check reads; a workload the cluster does not have maps to undefined. */
export async function readWorkloads(c: Clients, workloads: readonly WorkloadRef[]): Promise<Map<string, LiveWorkloadState | undefined>> {
    const groups = new Map<string, WorkloadRef[]>();
    for (const w of workloads) {
        const key = `${w.kind}/${w.namespace}`;
        const group = groups.get(key);
        if (group) group.push(w);
        else groups.set(key, [w]);
    }
    const states = new Map<string, LiveWorkloadState | undefined>();
    const reads = [...groups.values()].map((group) => async () => {
        const { kind, namespace } = group[0];
        const { apiVersion } = WORKLOAD_KINDS[kind];
        if (group.length === 1) {
            states.set(group[0].id, checked(kind, await readOne(c, apiVersion, group[0])));
            return;
        }
        const list = await c.objects.list<Served>(apiVersion, kind, namespace);
        const byName = new Map(list.items.map((o) => [o.metadata?.name, o]));
        for (const w of group) states.set(w.id, checked(kind, byName.get(w.name)));
    });
    await inTurns(reads, IN_FLIGHT);
    return states;
}

/**
 * What the check reads of a served workload: its uid and managed fields, the pod template's metadata and how the
 * workload rolls. The pod spec and the status stay behind: they are most of the object, and the reads cross a thread.
 */
function checked(kind: WorkloadKind, o: Served | undefined): LiveWorkloadState | undefined {
    if (!o) return undefined;
    const { updateStrategy, paused } = o.spec ?? {};
    const template = templateOf(kind, o) as { metadata?: Record<string, unknown> } | undefined;
    const { spec } = atTemplate(kind, { metadata: template?.metadata ?? {} }) as { spec: Record<string, unknown> };
    return { metadata: { uid: o.metadata?.uid, managedFields: o.metadata?.managedFields }, spec: { ...spec, updateStrategy, paused } };
}

async function readOne(c: Clients, apiVersion: string, w: WorkloadRef): Promise<Served | undefined> {
    try {
        return await c.objects.read<Served>({ apiVersion, kind: w.kind, metadata: { name: w.name, namespace: w.namespace } });
    } catch (e) {
        if ((e as { code?: number }).code === 404) return undefined;
        throw e;
    }
}

/** Runs the tasks, at most `limit` at a time; the first failure fails the whole. */
async function inTurns(tasks: readonly (() => Promise<void>)[], limit: number): Promise<void> {
    let next = 0;
    const worker = async () => {
        while (next < tasks.length) await tasks[next++]();
    };
    await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker));
}
