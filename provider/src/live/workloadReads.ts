// The live workloads the drift check judges, read through the Kubernetes client: one list per namespace and kind where
// the component patches several of a kind there, else one get, a few requests at a time. A read through the Pulumi
// engine costs a step of its own (about 30 ms of the engine's work at 500 workloads); these cost a request each.
import type * as k8s from "@kubernetes/client-node";
import type { WorkloadKind } from "../args";
import { WORKLOAD_KINDS } from "../rules/workloadKinds";
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

/** At most this many requests in flight: the API server's default fairness limits stay far away. */
const IN_FLIGHT = 8;

/** Each workload's live state by id; a workload the cluster does not have maps to undefined. */
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
            states.set(group[0].id, await readOne(c, apiVersion, group[0]));
            return;
        }
        const list = await c.objects.list<Served>(apiVersion, kind, namespace);
        const byName = new Map(list.items.map((o) => [o.metadata?.name, o]));
        for (const w of group) states.set(w.id, byName.get(w.name));
    });
    await inTurns(reads, IN_FLIGHT);
    return states;
}

async function readOne(c: Clients, apiVersion: string, w: WorkloadRef): Promise<LiveWorkloadState | undefined> {
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
