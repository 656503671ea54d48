// Whether a change of a workload's pod template replaces its pods. Every bypass setting is read when a pod is created,
// so a workload whose controller does not replace pods on a template change keeps running with its old rules: a
// StatefulSet or DaemonSet with `updateStrategy: OnDelete` (Vault's chart, many databases), or a paused Deployment.
// Preview names them (the live read already has the strategy); they are never reported as rolled.
import type { WorkloadKind } from "../args";
import { listFew } from "../rules/listFew";
import { mayBeOnDelete } from "../rules/workloadKinds";

/** The parts of a live workload's spec that decide whether a template change replaces its pods. */
export interface LiveRolloutSpec {
    readonly updateStrategy?: { readonly type?: string };
    readonly paused?: boolean;
}

/**
 * Why a template change does not replace this workload's pods, or undefined when it does. What the Kubernetes
 * provider's await then does (pulumi-kubernetes 4.34, provider/pkg/await): an OnDelete StatefulSet is reported ready
 * at once; an OnDelete DaemonSet and a paused Deployment are awaited until the rollout timeout.
 */
export function unreplacedReason(kind: WorkloadKind, spec: LiveRolloutSpec | undefined): string | undefined {
    if (mayBeOnDelete(kind) && spec?.updateStrategy?.type === "OnDelete") {
        const then = kind === "StatefulSet" ? "up reports it ready without replacing a pod" : "up waits for rollout.timeoutSeconds and fails";
        return (
            `its updateStrategy is OnDelete, so the controller replaces a pod only when someone deletes it (${then}); delete its ` +
            "pods one at a time to apply the change (the eviction API, as kubectl drain uses it, respects PodDisruptionBudgets)"
        );
    }
    if (kind === "Deployment" && spec?.paused === true) {
        return "it is paused (spec.paused), so it rolls nothing until it is resumed (up waits for rollout.timeoutSeconds and fails); `kubectl rollout resume` applies the change";
    }
    return undefined;
}

/**
 * What preview says of the listed workloads whose kind changes pods its own way, whatever their live state: a CronJob's
 * change reaches the next Job it starts; a Rollout is rolled by Argo Rollouts' controller, which up does not await.
 */
export function kindNotices(workloads: readonly { readonly id: string; readonly kind: WorkloadKind | "Pod" }[]): string[] {
    const ids = (kind: WorkloadKind) => workloads.filter((w) => w.kind === kind).map((w) => w.id);
    const cronJobs = ids("CronJob");
    const rollouts = ids("Rollout");
    return [
        ...(cronJobs.length > 0
            ? [`${listFew(cronJobs, 3)}: a CronJob's change reaches the next Job it starts; Jobs running now keep the rules their pods were created with`]
            : []),
        ...(rollouts.length > 0
            ? [
                  `${listFew(rollouts, 3)}: Argo Rollouts' controller rolls a Rollout on the change, by its own strategy (canary or blue-green); ` +
                      "up does not wait for it (the Kubernetes provider awaits no custom resource): `kubectl argo rollouts status` or `sidecar-bypass status` shows it",
              ]
            : []),
    ];
}

/** Whether the planned pod-template keys differ from the live ones: a change the pods would have to take. */
export function templateChanges(
    planned: { readonly annotations: Readonly<Record<string, string>>; readonly labels: Readonly<Record<string, string>> },
    live: { readonly annotations?: Readonly<Record<string, string>>; readonly labels?: Readonly<Record<string, string>> },
): boolean {
    const differs = (ours: Readonly<Record<string, string>>, theirs: Readonly<Record<string, string>> = {}) =>
        Object.entries(ours).some(([k, v]) => theirs[k] !== v);
    return differs(planned.annotations, live.annotations) || differs(planned.labels, live.labels);
}

/** What preview says of a workload whose pods this change will not replace. */
export function describeUnreplaced(workload: string, reason: string): string {
    return (
        `sidecar-bypass: ${workload}: this change reaches its pod template, but its running pods will not be replaced, so they ` +
        `keep their old rules until they are re-created: ${reason}`
    );
}
