// What the status command reads of the cluster (live/clients.ts): the records of every component, the workloads they
// list and their pods, and every admission policy of ours with the pods of the namespaces it reaches.
import type * as k8s from "@kubernetes/client-node";
import type { WorkloadKind } from "../args";
import { type Clients, podsMatching } from "../live/clients";
import { ADMISSION_ANNOTATION } from "../plan/admissionPolicy";
import { KIND_KEYS } from "../plan/describe";
import { ROLLOUT_HASH_ANNOTATION } from "../plan/rolloutHash";
import { MANAGED_BY_LABEL, NAMES, PRODUCT } from "../rules/names";
import { type ObservedPod, type ObservedScope, type ObservedWorkload, selects } from "./assess";

const MANAGED = `${MANAGED_BY_LABEL}=${PRODUCT}`;
const KINDS = Object.fromEntries(Object.entries(KIND_KEYS).map(([kind, key]) => [key, kind])) as Record<string, WorkloadKind | "Pod">;

const podOf = (p: k8s.V1Pod): ObservedPod => ({
    name: p.metadata?.name ?? "",
    annotations: p.metadata?.annotations ?? {},
    ...(p.metadata?.creationTimestamp ? { createdAt: new Date(p.metadata.creationTimestamp).toISOString() } : {}),
});

/** What the command needs of one workload as it runs now, whatever its kind. */
interface LiveWorkload {
    readonly templateAnnotations: Readonly<Record<string, string>>;
    readonly updateStrategy?: string;
    readonly paused?: boolean;
    readonly rollingOut: boolean;
    readonly pods: readonly ObservedPod[];
}

/** The pods of a selector, as the assessment sees them. */
const observedPods = async (c: Clients, namespace: string, labels: Readonly<Record<string, string>>): Promise<ObservedPod[]> =>
    (await podsMatching(c, namespace, labels)).map(podOf);

type AppsWorkload = k8s.V1Deployment | k8s.V1StatefulSet | k8s.V1DaemonSet;

/** Whether the controller still has pods of an older template to replace. */
function appsRollingOut(kind: WorkloadKind, w: AppsWorkload): boolean {
    const status = (w.status ?? {}) as {
        observedGeneration?: number;
        updatedReplicas?: number;
        updatedNumberScheduled?: number;
        desiredNumberScheduled?: number;
    };
    if ((status.observedGeneration ?? 0) < (w.metadata?.generation ?? 0)) return true;
    if (kind === "DaemonSet") return (status.updatedNumberScheduled ?? 0) < (status.desiredNumberScheduled ?? 0);
    const want = (w.spec as { replicas?: number } | undefined)?.replicas ?? 1;
    return (status.updatedReplicas ?? 0) < want;
}

async function appsWorkload(c: Clients, kind: WorkloadKind, namespace: string, name: string): Promise<LiveWorkload> {
    const w: AppsWorkload =
        kind === "Deployment"
            ? await c.apps.readNamespacedDeployment({ name, namespace })
            : kind === "StatefulSet"
              ? await c.apps.readNamespacedStatefulSet({ name, namespace })
              : await c.apps.readNamespacedDaemonSet({ name, namespace });
    const strategy = (w.spec as { updateStrategy?: { type?: string } } | undefined)?.updateStrategy?.type;
    return {
        templateAnnotations: w.spec?.template?.metadata?.annotations ?? {},
        ...(strategy ? { updateStrategy: strategy } : {}),
        ...((w.spec as { paused?: boolean } | undefined)?.paused ? { paused: true } : {}),
        rollingOut: appsRollingOut(kind, w),
        pods: await observedPods(c, namespace, w.spec?.selector?.matchLabels ?? {}),
    };
}

/** A CronJob's pods are those of the Jobs it started (the Job controller labels them with the Job's uid). */
async function cronJob(c: Clients, namespace: string, name: string): Promise<LiveWorkload> {
    const cj = await c.batch.readNamespacedCronJob({ name, namespace });
    const jobs = (await c.batch.listNamespacedJob({ namespace })).items.filter((j) =>
        j.metadata?.ownerReferences?.some((r) => r.controller && r.uid === cj.metadata?.uid),
    );
    const pods = await Promise.all(jobs.map((j) => observedPods(c, namespace, { "batch.kubernetes.io/controller-uid": j.metadata?.uid ?? "" })));
    return { templateAnnotations: cj.spec?.jobTemplate?.spec?.template?.metadata?.annotations ?? {}, rollingOut: false, pods: pods.flat() };
}

/** An Argo Rollout: its template, its selector, and whether Argo's controller has replaced every pod yet. */
async function rollout(c: Clients, namespace: string, name: string): Promise<LiveWorkload> {
    const r = (await c.custom.getNamespacedCustomObject({ group: "argoproj.io", version: "v1alpha1", namespace, plural: "rollouts", name })) as {
        spec?: {
            replicas?: number;
            paused?: boolean;
            selector?: { matchLabels?: Record<string, string> };
            template?: { metadata?: { annotations?: Record<string, string> } };
        };
        status?: { updatedReplicas?: number; phase?: string };
    };
    return {
        templateAnnotations: r.spec?.template?.metadata?.annotations ?? {},
        ...(r.spec?.paused ? { paused: true } : {}),
        rollingOut: (r.status?.updatedReplicas ?? 0) < (r.spec?.replicas ?? 1) || r.status?.phase === "Progressing",
        pods: await observedPods(c, namespace, r.spec?.selector?.matchLabels ?? {}),
    };
}

function readWorkload(c: Clients, kind: WorkloadKind, namespace: string, name: string): Promise<LiveWorkload> {
    if (kind === "CronJob") return cronJob(c, namespace, name);
    if (kind === "Rollout") return rollout(c, namespace, name);
    return appsWorkload(c, kind, namespace, name);
}

/** Every workload the components' records list, as it runs now. */
export async function observeWorkloads(c: Clients, only?: { component?: string; namespace?: string }): Promise<ObservedWorkload[]> {
    const records = await c.core.listConfigMapForAllNamespaces({ labelSelector: MANAGED });
    const out: ObservedWorkload[] = [];
    for (const record of records.items) {
        const namespace = record.metadata?.namespace ?? "";
        const component = record.metadata?.labels?.[NAMES.componentLabel] ?? "";
        if ((only?.component && only.component !== component) || (only?.namespace && only.namespace !== namespace)) continue;
        for (const key of Object.keys(record.data ?? {})) {
            const dot = key.indexOf(".");
            const kind = dot > 0 ? KINDS[key.slice(0, dot)] : undefined;
            if (!kind || kind === "Pod") continue;
            const name = key.slice(dot + 1);
            const { templateAnnotations, ...live } = await readWorkload(c, kind, namespace, name);
            const templateHash = templateAnnotations[ROLLOUT_HASH_ANNOTATION];
            out.push({ kind, namespace, name, component, ...(templateHash ? { templateHash } : {}), ...live });
        }
    }
    return out;
}

/** The mark a policy puts on each pod it mutates: read from its `annotations` variable, a JSON-compatible CEL map. */
function markOf(policy: k8s.V1MutatingAdmissionPolicy): string | undefined {
    const expression = policy.spec?.variables?.find((v) => v.name === "annotations")?.expression;
    try {
        return expression ? (JSON.parse(expression) as Record<string, string>)[ADMISSION_ANNOTATION] : undefined;
    } catch {
        return undefined;
    }
}

/** When the policy last changed: the latest write any field manager recorded (the stack's provider applies it). */
function changedAt(o: { metadata?: k8s.V1ObjectMeta }): string | undefined {
    const times = (o.metadata?.managedFields ?? []).flatMap((m) => (m.time ? [new Date(m.time).toISOString()] : []));
    return times.sort().at(-1);
}

/** Every admission policy of ours, per namespace it reaches, with that namespace's pods no patched workload owns. */
export async function observeScopes(c: Clients, only?: { component?: string; namespace?: string }): Promise<ObservedScope[]> {
    const policies = await c.admission.listMutatingAdmissionPolicy({ labelSelector: MANAGED });
    const bindings = await c.admission.listMutatingAdmissionPolicyBinding({ labelSelector: MANAGED });
    const namespaces = (await c.core.listNamespace()).items;
    const out: ObservedScope[] = [];
    for (const policy of policies.items) {
        const name = policy.metadata?.name ?? "";
        const component = policy.metadata?.labels?.[NAMES.componentLabel] ?? "";
        const mark = markOf(policy);
        if (!mark || (only?.component && only.component !== component)) continue;
        const reached = new Set<string>();
        for (const b of bindings.items.filter((b) => b.spec?.policyName === name)) {
            const selector = b.spec?.matchResources?.namespaceSelector ?? {};
            for (const ns of namespaces) if (selects(selector, ns.metadata?.labels ?? {})) reached.add(ns.metadata?.name ?? "");
        }
        for (const namespace of [...reached].sort()) {
            if (only?.namespace && only.namespace !== namespace) continue;
            const pods = (await c.core.listNamespacedPod({ namespace })).items.filter(
                (p) => !p.metadata?.deletionTimestamp && !p.metadata?.annotations?.[ROLLOUT_HASH_ANNOTATION],
            );
            const at = changedAt(policy);
            out.push({ policy: name, component, namespace, mark, ...(at ? { changedAt: at } : {}), pods: pods.map(podOf) });
        }
    }
    return out;
}
