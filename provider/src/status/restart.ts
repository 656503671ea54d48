// `--restart-stale`: replaces exactly the stale pods, after saying which. A rolling workload is restarted as
// `kubectl rollout restart` does it (a new restartedAt annotation on its template; an Argo Rollout through its own
// spec.restartAt); an OnDelete one has its stale pods
// evicted one at a time (the eviction API respects PodDisruptionBudgets), each replacement awaited before the next.
import * as k8s from "@kubernetes/client-node";
import type { WorkloadKind } from "../args";
import type { Clients } from "../live/clients";
import { evictAndAwait } from "../live/eviction";
import { PRODUCT, workloadId } from "../rules/names";
import type { StatusRow } from "./assess";

const RESTARTED_AT = "kubectl.kubernetes.io/restartedAt";
const FIELD_MANAGER = `${PRODUCT}-status`;

export interface Action {
    readonly target: string;
    readonly what: string;
}

interface Owner {
    readonly kind: WorkloadKind;
    readonly namespace: string;
    readonly name: string;
}

async function rolloutRestart(c: Clients, o: Owner): Promise<void> {
    const body = { spec: { template: { metadata: { annotations: { [RESTARTED_AT]: new Date().toISOString() } } } } };
    const options = k8s.setHeaderOptions("Content-Type", k8s.PatchStrategy.MergePatch);
    const param = { name: o.name, namespace: o.namespace, body, fieldManager: FIELD_MANAGER };
    if (o.kind === "Deployment") await c.apps.patchNamespacedDeployment(param, options);
    else if (o.kind === "StatefulSet") await c.apps.patchNamespacedStatefulSet(param, options);
    else if (o.kind === "DaemonSet") await c.apps.patchNamespacedDaemonSet(param, options);
    else if (o.kind === "Rollout") {
        // Argo's own restart (what `kubectl argo rollouts restart` sets): its controller replaces the pods by its strategy.
        const restartAt = { spec: { restartAt: new Date().toISOString() } };
        const target = { group: "argoproj.io", version: "v1alpha1", namespace: o.namespace, plural: "rollouts", name: o.name };
        await c.custom.patchNamespacedCustomObject({ ...target, body: restartAt, fieldManager: FIELD_MANAGER }, options);
    } else throw new Error(`a ${o.kind} has no rollout to restart`);
}

/** The workload that owns a pod (through its ReplicaSet for a Deployment), or undefined for a Job's or a bare pod. */
async function ownerOf(c: Clients, namespace: string, pod: string): Promise<Owner | undefined> {
    const p = await c.core.readNamespacedPod({ name: pod, namespace });
    const ref = p.metadata?.ownerReferences?.find((r) => r.controller);
    if (!ref) return undefined;
    if (ref.kind === "StatefulSet" || ref.kind === "DaemonSet") return { kind: ref.kind, namespace, name: ref.name };
    if (ref.kind !== "ReplicaSet") return undefined;
    const rs = await c.apps.readNamespacedReplicaSet({ name: ref.name, namespace });
    // A ReplicaSet of a Deployment, or of an Argo Rollout (whose controller makes ReplicaSets too).
    const owner = rs.metadata?.ownerReferences?.find((r) => r.controller && (r.kind === "Deployment" || r.kind === "Rollout"));
    return owner ? { kind: owner.kind as "Deployment" | "Rollout", namespace, name: owner.name } : undefined;
}

async function strategyOf(c: Clients, o: Owner): Promise<string | undefined> {
    if (o.kind === "StatefulSet") return (await c.apps.readNamespacedStatefulSet({ name: o.name, namespace: o.namespace })).spec?.updateStrategy?.type;
    if (o.kind === "DaemonSet") return (await c.apps.readNamespacedDaemonSet({ name: o.name, namespace: o.namespace })).spec?.updateStrategy?.type;
    return undefined;
}

/**
 * The actions that replace the stale pods of these rows, each said (through `say`) before it is taken. Returns what
 * could not be restarted (a paused Deployment, a Job's or a bare pod), for the caller to report.
 */
export async function restartStale(c: Clients, rows: readonly StatusRow[], timeoutSeconds: number, say: (a: Action) => void): Promise<Action[]> {
    const deadline = Date.now() + timeoutSeconds * 1000;
    const skipped: Action[] = [];
    const restarted = new Set<string>();
    const restartOnce = async (o: Owner, why: string) => {
        const key = workloadId(o);
        if (restarted.has(key)) return;
        restarted.add(key);
        say({ target: key, what: `rollout restart (${why})` });
        await rolloutRestart(c, o);
    };
    for (const r of rows.filter((x) => x.stale.length > 0)) {
        if (r.restart === "resume-first" || r.restart === "none") {
            skipped.push({ target: r.subject, what: r.restart === "resume-first" ? "paused: resume it first (kubectl rollout resume)" : r.reasons.join("; ") });
            continue;
        }
        if (!r.subject.startsWith("admission ")) {
            const [kind, namespace, name] = r.subject.split("/") as [WorkloadKind, string, string];
            if (r.restart === "evict") {
                for (const pod of r.stale) {
                    say({ target: `${r.namespace}/${pod}`, what: `evict (${kind} ${name} is OnDelete), then await its replacement` });
                    await evictAndAwait(c, namespace, pod, deadline);
                }
            } else await restartOnce({ kind, namespace, name }, r.reasons.join("; "));
            continue;
        }
        // A scope's unlisted pods: through their owners.
        for (const pod of r.stale) {
            const owner = await ownerOf(c, r.namespace, pod);
            if (!owner) {
                skipped.push({ target: `${r.namespace}/${pod}`, what: "no workload owns it (a Job's or a bare pod): delete it to have it re-created" });
                continue;
            }
            if ((await strategyOf(c, owner)) === "OnDelete") {
                say({ target: `${r.namespace}/${pod}`, what: `evict (${owner.kind} ${owner.name} is OnDelete), then await its replacement` });
                await evictAndAwait(c, r.namespace, pod, deadline);
            } else await restartOnce(owner, `its pods predate ${r.subject.slice("admission ".length)}`);
        }
    }
    return skipped;
}
