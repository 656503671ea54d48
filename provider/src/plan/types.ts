// The plan: what planBypass returns and every later step (the component, the transform, other tools) consumes.
// Plain data only (no BigInt, Map or class), so `JSON.stringify` keeps all of it and `JSON.parse` gives it back.
import type { Mesh, WorkloadKind } from "../args";
import type { ClusterObject, Rendered } from "../meshes/adapter";
import type { EffectiveField, EffectiveFullBypass } from "../resolve/effective";
import type { FieldKey } from "../rules/fields";
import type { ValidationIssue } from "../rules/issues";
import type { RolloutSettings, WorkloadIdentity } from "../rules/types";
import type { PlainValues } from "../rules/valueKinds";
import type { AdmissionPlan } from "./admissionPolicy";

/**
 * One field in force on a workload as plain data: the values in the list of their kind (the others empty), ranges as
 * canonical texts, e.g. `10.0.0.0/8`.
 */
export type PlannedField = Omit<EffectiveField, "values"> & PlainValues;

/** The rules in force on one workload, with their provenance. */
export interface PlannedEffective {
    readonly fields: Partial<Record<FieldKey, PlannedField>>;
    readonly fullBypass?: EffectiveFullBypass;
}

/** A workload met by the transform may also be a bare Pod. */
export type PlannedIdentity = Omit<WorkloadIdentity, "kind"> & { kind: WorkloadKind | "Pod" };

export interface WorkloadPlan<Id extends string = Mesh> {
    /** `Deployment/payments/ledger`. */
    readonly id: string;
    readonly kind: WorkloadKind | "Pod";
    readonly namespace: string;
    readonly name: string;
    readonly declaredInProgram: boolean;
    /** Shared (the same object) by the workloads of a namespace that set nothing themselves. */
    readonly effective: PlannedEffective;
    /** True when the workload sets nothing itself and shares its namespace's rules. */
    readonly inheritsNamespace: boolean;
    /** What each selected mesh reads. */
    readonly meshes: Partial<Record<Id, Rendered>>;
    /** Pod-template annotations to write: every mesh's, plus the rollout hash. */
    readonly annotations: Record<string, string>;
    /** Pod-template labels to write. */
    readonly labels: Record<string, string>;
    readonly hash?: string;
}

export interface NamespacePlan {
    readonly name: string;
    readonly workloads: readonly string[];
    /** The admission policy that reaches every new pod in the namespace, when one names it. */
    readonly admission?: string;
    /** ConfigMap data recording the resolved rules and where each came from. */
    readonly configMapData: Record<string, string>;
}

export interface BypassPlan<Id extends string = Mesh> {
    readonly meshes: readonly Id[];
    readonly workloads: ReadonlyArray<WorkloadPlan<Id> & { kind: WorkloadKind }>;
    readonly namespaces: readonly NamespacePlan[];
    /** The cluster objects each selected mesh needs (Kuma's policies), by mesh. */
    readonly objects: Partial<Record<Id, readonly ClusterObject[]>>;
    /** The scopes whose rules reach every new pod in them at admission. */
    readonly admission: AdmissionPlan;
    /** Whether and how long `up` waits for the rollouts the patches start. */
    readonly rollout: RolloutSettings;
    /** The listed StatefulSets and DaemonSets whose OnDelete pods up replaces (rollout.replaceOnDeletePods), by id. */
    readonly replaceOnDelete: readonly string[];
    /** Take back our declared fields from other field managers (server-side apply with force). */
    readonly takeOwnership: boolean;
    /** Choices the plan made that a reviewer should see (not problems): preview prints them. */
    readonly notices: readonly string[];
    readonly warnings: readonly ValidationIssue[];
}
