// What each workload kind is to the component: its API, where its pod template sits, and what a template change does
// to its pods. One table, so the patch, the drift check's read, the transform and the status command agree.
import type { WorkloadKind } from "../args";

export interface WorkloadKindFacts {
    readonly apiVersion: string;
    /** From the object to its pod template. */
    readonly templatePath: readonly string[];
    /**
     * What a change of the pod template does: `rolls` (the controller replaces the pods, subject to its update
     * strategy), `next-job` (running Jobs keep their pods; the next Job the schedule starts gets the new template).
     */
    readonly onTemplateChange: "rolls" | "next-job";
    /** Served by a CRD the cluster may not have. */
    readonly crd?: string;
}

export const WORKLOAD_KINDS: Readonly<Record<WorkloadKind, WorkloadKindFacts>> = {
    Deployment: { apiVersion: "apps/v1", templatePath: ["spec", "template"], onTemplateChange: "rolls" },
    StatefulSet: { apiVersion: "apps/v1", templatePath: ["spec", "template"], onTemplateChange: "rolls" },
    DaemonSet: { apiVersion: "apps/v1", templatePath: ["spec", "template"], onTemplateChange: "rolls" },
    CronJob: { apiVersion: "batch/v1", templatePath: ["spec", "jobTemplate", "spec", "template"], onTemplateChange: "next-job" },
    Rollout: { apiVersion: "argoproj.io/v1alpha1", templatePath: ["spec", "template"], onTemplateChange: "rolls", crd: "Argo Rollouts" },
};

/** The kinds whose `updateStrategy` may be OnDelete: their controller then replaces a pod only when it is deleted. */
export type OnDeleteKind = Extract<WorkloadKind, "StatefulSet" | "DaemonSet">;
export const mayBeOnDelete = (kind: WorkloadKind | "Pod"): kind is OnDeleteKind => kind === "StatefulSet" || kind === "DaemonSet";

type Tree = Readonly<Record<string, unknown>>;

/** `{spec: {template: value}}` (or deeper, for a CronJob): `value` placed at the kind's pod template. */
export function atTemplate(kind: WorkloadKind, value: Tree): Record<string, unknown> {
    const path = WORKLOAD_KINDS[kind].templatePath;
    return path.reduceRight<Record<string, unknown>>((inner, key) => ({ [key]: inner }), { ...value });
}

/** The kind's pod template within an object (or within a managedFields trie, with `prefix` "f:"), if there is one. */
export function templateOf(kind: WorkloadKind, object: unknown, prefix = ""): unknown {
    return WORKLOAD_KINDS[kind].templatePath.reduce<unknown>(
        (node, key) => (node !== null && typeof node === "object" && !Array.isArray(node) ? (node as Tree)[`${prefix}${key}`] : undefined),
        object,
    );
}
