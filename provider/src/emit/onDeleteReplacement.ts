// rollout.replaceOnDeletePods: the pods of a listed OnDelete StatefulSet or DaemonSet keep their old template until
// deleted, so with the opt-in the component replaces them itself. At preview it names them; during up, once the
// workload's patch is applied, it evicts each pod whose metadata lacks the planned keys, one at a time, and awaits its
// ready replacement (live/eviction.ts). The pods are read with the kubeconfig found the way kubectl finds it.
import type * as k8s from "@kubernetes/client-node";
import * as pulumi from "@pulumi/pulumi";
import type { Clients } from "../live/clients";
import { templateChanges } from "../plan/podReplacement";
import { listFew } from "../rules/listFew";
import type { OnDeleteKind } from "../rules/workloadKinds";
import { refuse } from "./refusal";
import type { PodTemplateMetadata } from "./workloadPatch";

/** The Kubernetes client loads only when a workload asks for replacement: it takes about half a second to load. */
const live = async () => ({ ...(await import("../live/clients")), ...(await import("../live/eviction")) });

export interface OnDeleteTarget {
    readonly id: string;
    readonly kind: OnDeleteKind;
    readonly namespace: string;
    readonly name: string;
}

/** Whether the workload is OnDelete now, and its pods (those not already going away). */
async function observe(c: Clients, w: OnDeleteTarget): Promise<{ onDelete: boolean; pods: k8s.V1Pod[] }> {
    const workload =
        w.kind === "StatefulSet"
            ? await c.apps.readNamespacedStatefulSet({ name: w.name, namespace: w.namespace })
            : await c.apps.readNamespacedDaemonSet({ name: w.name, namespace: w.namespace });
    const { podsMatching } = await live();
    const pods = await podsMatching(c, w.namespace, workload.spec?.selector?.matchLabels ?? {});
    return { onDelete: workload.spec?.updateStrategy?.type === "OnDelete", pods };
}

const staleOf = (pods: readonly k8s.V1Pod[], planned: PodTemplateMetadata) =>
    pods
        .filter((p) => templateChanges(planned, { annotations: p.metadata?.annotations ?? {}, labels: p.metadata?.labels ?? {} }))
        .map((p) => p.metadata?.name ?? "");

/**
 * The pods this workload's change replaces: at preview, those up will evict (named in a message); during up, once
 * `patch` is applied, those it evicted and saw replaced, as `namespace/pod`. A DaemonSet's patch is not awaited by the
 * provider here (an OnDelete one would never finish): a rolling one is awaited here instead, until no pod is stale.
 */
export function replaceOnDeletePods(
    w: OnDeleteTarget,
    template: pulumi.Input<PodTemplateMetadata>,
    patch: pulumi.Resource,
    timeoutSeconds: number,
    report: pulumi.Resource,
): pulumi.Output<string[]> {
    const unreachable = (e: unknown) =>
        `${w.id}: rollout.replaceOnDeletePods could not read the cluster with the kubeconfig kubectl would use (KUBECONFIG, else ` +
        `~/.kube/config): ${e instanceof Error ? e.message : String(e)}`;
    if (pulumi.runtime.isDryRun()) {
        return pulumi.output(template).apply(async (planned) => {
            try {
                const { clients } = await live();
                const { onDelete, pods } = await observe(clients(), w);
                const stale = onDelete ? staleOf(pods, planned) : [];
                if (stale.length > 0) {
                    pulumi.log.info(
                        `${w.id}: rollout.replaceOnDeletePods: up will evict ${listFew(stale, 5)} one at a time (its updateStrategy is OnDelete; ` +
                            "PodDisruptionBudgets are respected), awaiting each ready replacement",
                        report,
                    );
                }
                return stale.map((p) => `${w.namespace}/${p}`);
            } catch (e) {
                pulumi.log.warn(unreachable(e), report);
                return [];
            }
        });
    }
    return pulumi.all([template, patch.urn]).apply(async ([planned]) => {
        const { clients, evictAndAwait } = await live();
        const c = clients();
        const deadline = Date.now() + timeoutSeconds * 1000;
        const fail = (message: string): never => refuse(message, report);
        let state: Awaited<ReturnType<typeof observe>>;
        try {
            state = await observe(c, w);
        } catch (e) {
            return fail(unreachable(e));
        }
        if (!state.onDelete) {
            // A rolling DaemonSet: its controller replaces the pods; wait for it as the provider would have.
            while (w.kind === "DaemonSet" && staleOf(state.pods, planned).length > 0) {
                if (Date.now() >= deadline) fail(`${w.id}: its rollout did not finish within rollout.timeoutSeconds (${timeoutSeconds} s)`);
                await new Promise((r) => setTimeout(r, 1000));
                state = await observe(c, w);
            }
            return [];
        }
        const replaced: string[] = [];
        for (const pod of staleOf(state.pods, planned)) {
            pulumi.log.info(`${w.id}: evicting ${pod} (its updateStrategy is OnDelete), then awaiting its replacement`, report);
            try {
                const replacement = await evictAndAwait(c, w.namespace, pod, deadline);
                replaced.push(`${w.namespace}/${replacement}`);
            } catch (e) {
                fail(`${w.id}: rollout.replaceOnDeletePods: ${e instanceof Error ? e.message : String(e)}`);
            }
        }
        return replaced;
    });
}
