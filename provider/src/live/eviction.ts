// Replacing one pod the way `kubectl drain` does: through the eviction API, so PodDisruptionBudgets are respected (an
// eviction they forbid is answered 429 and retried until the deadline), then waiting until its controller has made a
// ready replacement. What an OnDelete StatefulSet or DaemonSet needs to take a new pod template.
import * as k8s from "@kubernetes/client-node";
import type { Clients } from "./clients";

const isReady = (p: k8s.V1Pod) => p.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") ?? false;
const ownerUid = (p: k8s.V1Pod) => p.metadata?.ownerReferences?.find((r) => r.controller)?.uid;
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Evicts `pod`, retrying while a PodDisruptionBudget forbids it, until `deadline` (epoch ms). */
async function evict(c: Clients, namespace: string, pod: string, deadline: number): Promise<void> {
    for (;;) {
        try {
            await c.core.createNamespacedPodEviction({
                name: pod,
                namespace,
                body: { apiVersion: "policy/v1", kind: "Eviction", metadata: { name: pod, namespace } },
            });
            return;
        } catch (e) {
            const refused = e instanceof k8s.ApiException && e.code === 429;
            if (!refused) throw e;
            if (Date.now() >= deadline) {
                throw new Error(`${namespace}/${pod}: a PodDisruptionBudget refused its eviction until the timeout (it allows no disruption now)`);
            }
            await pause(1000);
        }
    }
}

/**
 * Evicts one pod and waits (until `deadline`) for its replacement: a pod of the same controller that did not exist
 * before, ready, with the evicted one gone. Returns the replacement's name (a StatefulSet's keeps the name).
 */
export async function evictAndAwait(c: Clients, namespace: string, pod: string, deadline: number): Promise<string> {
    const before = await c.core.readNamespacedPod({ name: pod, namespace });
    const owner = ownerUid(before);
    const existing = new Set((await c.core.listNamespacedPod({ namespace })).items.map((p) => p.metadata?.uid));
    await evict(c, namespace, pod, deadline);
    while (Date.now() < deadline) {
        await pause(500);
        const pods = (await c.core.listNamespacedPod({ namespace })).items;
        if (pods.some((p) => p.metadata?.uid === before.metadata?.uid)) continue;
        const replacement = pods.find((p) => !existing.has(p.metadata?.uid) && ownerUid(p) === owner && isReady(p));
        if (replacement) return replacement.metadata?.name ?? pod;
    }
    throw new Error(`${namespace}/${pod} was evicted, but no ready replacement came within the timeout`);
}
