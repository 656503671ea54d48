// What the status command reads of the cluster, with the Kubernetes client for Node.js and the kubeconfig found the way
// kubectl finds it (KUBECONFIG, else ~/.kube/config, else in-cluster): the records of every component, the workloads
// they list and their pods, and every admission policy of ours with the pods of the namespaces it reaches.
import * as k8s from "@kubernetes/client-node";
import type { WorkloadKind } from "../args";
import { ADMISSION_ANNOTATION } from "../plan/admissionPolicy";
import { KIND_KEYS } from "../plan/describe";
import { SHARED_FIELD_MANAGER } from "../plan/owner";
import { ROLLOUT_HASH_ANNOTATION } from "../plan/rolloutHash";
import { type ObservedPod, type ObservedScope, type ObservedWorkload, selects } from "./assess";

const MANAGED = `app.kubernetes.io/managed-by=${SHARED_FIELD_MANAGER}`;
const KINDS = Object.fromEntries(Object.entries(KIND_KEYS).map(([kind, key]) => [key, kind])) as Record<string, WorkloadKind | "Pod">;

export interface Clients {
    readonly core: k8s.CoreV1Api;
    readonly apps: k8s.AppsV1Api;
    readonly admission: k8s.AdmissionregistrationV1Api;
}

export function clients(): Clients {
    const config = new k8s.KubeConfig();
    config.loadFromDefault();
    return {
        core: config.makeApiClient(k8s.CoreV1Api),
        apps: config.makeApiClient(k8s.AppsV1Api),
        admission: config.makeApiClient(k8s.AdmissionregistrationV1Api),
    };
}

const podOf = (p: k8s.V1Pod): ObservedPod => ({
    name: p.metadata?.name ?? "",
    annotations: p.metadata?.annotations ?? {},
    ...(p.metadata?.creationTimestamp ? { createdAt: new Date(p.metadata.creationTimestamp).toISOString() } : {}),
});

type Workload = k8s.V1Deployment | k8s.V1StatefulSet | k8s.V1DaemonSet;

async function readWorkload(c: Clients, kind: WorkloadKind, namespace: string, name: string): Promise<Workload> {
    if (kind === "Deployment") return c.apps.readNamespacedDeployment({ name, namespace });
    if (kind === "StatefulSet") return c.apps.readNamespacedStatefulSet({ name, namespace });
    return c.apps.readNamespacedDaemonSet({ name, namespace });
}

/** Whether the controller still has pods of an older template to replace. */
function rollingOut(kind: WorkloadKind, w: Workload): boolean {
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

async function podsSelectedBy(c: Clients, namespace: string, w: Workload): Promise<ObservedPod[]> {
    const labels = w.spec?.selector?.matchLabels ?? {};
    const labelSelector = Object.entries(labels)
        .map(([k, v]) => `${k}=${v}`)
        .join(",");
    const pods = await c.core.listNamespacedPod({ namespace, labelSelector });
    return pods.items.filter((p) => !p.metadata?.deletionTimestamp).map(podOf);
}

/** Every workload the components' records list, as it runs now. */
export async function observeWorkloads(c: Clients, only?: { component?: string; namespace?: string }): Promise<ObservedWorkload[]> {
    const records = await c.core.listConfigMapForAllNamespaces({ labelSelector: MANAGED });
    const out: ObservedWorkload[] = [];
    for (const record of records.items) {
        const namespace = record.metadata?.namespace ?? "";
        const component = record.metadata?.labels?.["sidecar-bypass.io/component"] ?? "";
        if ((only?.component && only.component !== component) || (only?.namespace && only.namespace !== namespace)) continue;
        for (const key of Object.keys(record.data ?? {})) {
            const dot = key.indexOf(".");
            const kind = dot > 0 ? KINDS[key.slice(0, dot)] : undefined;
            if (!kind || kind === "Pod") continue;
            const name = key.slice(dot + 1);
            const w = await readWorkload(c, kind, namespace, name);
            const strategy = (w.spec as { updateStrategy?: { type?: string } } | undefined)?.updateStrategy?.type;
            out.push({
                kind,
                namespace,
                name,
                component,
                ...(w.spec?.template?.metadata?.annotations?.[ROLLOUT_HASH_ANNOTATION]
                    ? { templateHash: w.spec.template.metadata.annotations[ROLLOUT_HASH_ANNOTATION] }
                    : {}),
                ...(strategy ? { updateStrategy: strategy } : {}),
                ...((w.spec as { paused?: boolean } | undefined)?.paused ? { paused: true } : {}),
                rollingOut: rollingOut(kind, w),
                pods: await podsSelectedBy(c, namespace, w),
            });
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
        const component = policy.metadata?.labels?.["sidecar-bypass.io/component"] ?? "";
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
