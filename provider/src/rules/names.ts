// The names the component writes into clusters and reads back, in one place: the product's name, the keys of its
// labels and annotations, a workload's id, and the names of the component's resources in the stack. The earliest layer
// holds them, so every step (and the status command) names things the same way. (What names one owner, its field
// manager and object prefix, is plan/owner.ts.)

/** The product's name: the shared field manager of earlier versions, the `managed-by` value, the objects' prefix. */
export const PRODUCT = "sidecar-bypass";

/** The label every object the component creates carries, with PRODUCT as its value. */
export const MANAGED_BY_LABEL = "app.kubernetes.io/managed-by";

/** The keys the component writes, under its own domain. */
export const NAMES = {
    /** On a pod template: a hash of the workload's rendered bypass settings (a change rolls exactly its pods). */
    rolloutHashAnnotation: `${PRODUCT}.io/rollout-hash`,
    /** On each pod an admission policy mutated: which policy, and the hash of the keys it had to add. */
    admissionAnnotation: `${PRODUCT}.io/admission`,
    /** On a record ConfigMap: the owner's field manager, whole (labels are cut). */
    fieldManagerAnnotation: `${PRODUCT}.io/field-manager`,
    /** On a pod template: the workload a Kuma MeshPassthrough of its own selects. */
    workloadLabel: `${PRODUCT}.io/workload`,
    componentLabel: `${PRODUCT}.io/component`,
    stackLabel: `${PRODUCT}.io/stack`,
    projectLabel: `${PRODUCT}.io/project`,
} as const;

/**
 * A workload's id, as every message, record and row names it: `Deployment/payments/ledger`. Joined, so it is one flat
 * string from the start: a template makes a rope, copied into a flat string again when it is first hashed (validation
 * checks every listed workload's id for duplicates).
 */
export function workloadId(w: { readonly kind: string; readonly namespace: string; readonly name: string }): string {
    return [w.kind, w.namespace, w.name].join("/");
}

/**
 * The names of the component's resources in the stack, under the component's own name: a change to one is a
 * replacement in Pulumi's eyes, so they are made here, once, and kept.
 */
export const RESOURCE_NAMES = {
    /** The grouping component of a namespace's resources. */
    namespace: (component: string, namespace: string) => `${component}/${namespace}`,
    /** A listed workload's patch. */
    workloadPatch: (component: string, w: { readonly kind: string; readonly namespace: string; readonly name: string }) =>
        `${component}/${w.namespace}/${w.kind}/${w.name}`,
    /** The read of the live workload that the drift check makes before its patch. */
    liveRead: (patch: string) => `${patch}/live`,
    /** A mesh's cluster object (in its namespace, or cluster-wide) or an admission object. */
    clusterObject: (component: string, obj: { readonly kind: string; readonly metadata: { readonly name: string } }, namespace?: string) =>
        `${component}/${namespace ? `${namespace}/` : ""}${obj.kind}/${obj.metadata.name}`,
    /** A namespace's record ConfigMap. */
    record: (component: string, namespace: string) => `${component}/${namespace}/record`,
    /** The read of a mesh's defaults from the cluster (e.g. Istio's injector ConfigMap). */
    clusterDefaults: (component: string, readName: string) => `${component}/${readName}`,
} as const;
