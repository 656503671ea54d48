// The normalised rules: what validation hands to resolution. Ports sorted and unique, CIDRs canonical and
// aggregated, every scope knowing where it came from.
import type { Inherit, WorkloadKind } from "../args";
import type { FieldKey } from "./fields";
import type { FieldValues } from "./valueKinds";

export type ScopeLevel = "global" | "namespace" | "workload";

/** Where a rule came from: `global`, `namespace/payments`, `Deployment/payments/ledger`. */
export interface ScopeRef {
    readonly level: ScopeLevel;
    readonly label: string;
    /** Path of the scope in the arguments, e.g. `namespaces[0]`. */
    readonly path: string;
}

export interface FieldSetting {
    /** Everything (written `*` where a mesh has a word for it). */
    readonly all: boolean;
    /** The values, of the field's kind, canonical. */
    readonly values: FieldValues;
    readonly inherit: Inherit;
    /** Every value as text (`*` first for all), in order: what provenance lists. */
    readonly texts: readonly string[];
}

export interface NormalisedFullBypass {
    readonly enabled: boolean;
    readonly reason?: string;
    readonly expires?: string;
    /** The expiry has passed: reported, and the bypass is no longer applied. */
    readonly expired: boolean;
}

export interface NormalisedScope {
    readonly ref: ScopeRef;
    readonly fields: Partial<Record<FieldKey, FieldSetting>>;
    readonly fullBypass?: NormalisedFullBypass;
    /** What the scope sets under the meshes' own keys (see ScopeExtension), by key; absent when it sets none. */
    readonly extensions?: Readonly<Record<string, unknown>>;
}

export interface WorkloadIdentity {
    readonly kind: WorkloadKind;
    readonly namespace: string;
    readonly name: string;
}

export interface NormalisedWorkload extends NormalisedScope, WorkloadIdentity {
    readonly declaredInProgram: boolean;
    /** Its own `replaceOnDeletePods` (undefined: the component's). Always present, so every workload has one shape. */
    readonly replaceOnDeletePods: boolean | undefined;
}

/** How `pulumi up` treats the rollouts the patches start. */
export interface RolloutSettings {
    readonly wait: boolean;
    readonly timeoutSeconds: number;
    readonly replaceOnDeletePods: boolean;
}

/** How scope rules reach the pods of unlisted workloads (see the `Admission` argument). */
export interface AdmissionSettings {
    readonly mode: "v1" | "v1beta1" | "off";
    /** Sorted, each once. */
    readonly globalNamespaces: readonly string[];
    readonly globalNamespaceLabels: Readonly<Record<string, string>>;
    /** The namespace scopes that set a field rendered onto pods (an admission policy each). */
    readonly podRuleNamespaces: ReadonlySet<string>;
    readonly globalSetsPodFields: boolean;
}

export interface NormalisedRules<Settings = Readonly<Record<string, unknown>>> {
    readonly meshes: readonly string[];
    readonly global: NormalisedScope;
    readonly namespaces: ReadonlyMap<string, NormalisedScope>;
    readonly workloads: readonly NormalisedWorkload[];
    /** Each mesh's own options with their defaults, by mesh id. */
    readonly settings: Settings;
    readonly rolloutHash: boolean;
    readonly rollout: RolloutSettings;
    /** Server-side apply with force: take back our declared fields from other managers. */
    readonly takeOwnership: boolean;
    readonly admission: AdmissionSettings;
}
