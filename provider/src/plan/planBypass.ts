// The planning API: plain arguments in, the complete plan out (validate → resolve → render). Pure and
// synchronous, so tests, the component, the transform and other tools all call the same thing.
import type { Mesh, WorkloadKind } from "../args";
import type { Rendered } from "../meshes/adapter";
import { RENDERERS } from "../meshes";
import { type KumaObject, kumaNotices, renderKumaObjects } from "../meshes/kuma";
import { BypassValidationError, type ValidationIssue } from "../rules/issues";
import type { PlainBypassArgs } from "../rules/schema";
import type { NormalisedRules, RolloutSettings, WorkloadIdentity, WorkloadRules } from "../rules/types";
import { validateRules } from "../rules/validateRules";
import { describeNamespace } from "./describe";
import { type EffectiveRules, ScopeResolver } from "./resolveScopes";
import { ROLLOUT_HASH_ANNOTATION, rolloutHash } from "./rolloutHash";

export interface PlanOptions {
    /** Prefix for the objects the plan names (policies, ConfigMaps); default `sidecar-bypass`. */
    name?: string;
    /** The time fullBypass expiries are compared with; default now. */
    now?: Date;
}

export interface WorkloadPlan {
    /** `Deployment/payments/ledger`. */
    readonly id: string;
    readonly kind: WorkloadKind | "Pod";
    readonly namespace: string;
    readonly name: string;
    readonly declaredInProgram: boolean;
    readonly effective: EffectiveRules;
    /** True when the workload sets nothing itself and shares its namespace's rules. */
    readonly inheritsNamespace: boolean;
    /** What each selected mesh reads. */
    readonly meshes: Partial<Record<Mesh, Rendered>>;
    /** Pod-template annotations to write: every mesh's, plus the rollout hash. */
    readonly annotations: Record<string, string>;
    /** Pod-template labels to write. */
    readonly labels: Record<string, string>;
    readonly hash?: string;
}

export interface NamespacePlan {
    readonly name: string;
    readonly workloads: readonly string[];
    /** ConfigMap data recording the resolved rules and where each came from. */
    readonly configMapData: Record<string, string>;
}

export interface BypassPlan {
    readonly meshes: readonly Mesh[];
    readonly workloads: ReadonlyArray<WorkloadPlan & { kind: WorkloadKind }>;
    readonly namespaces: readonly NamespacePlan[];
    readonly kuma: readonly KumaObject[];
    /** Whether and how long `up` waits for the rollouts the patches start. */
    readonly rollout: RolloutSettings;
    /** Take back our declared fields from other field managers (server-side apply with force). */
    readonly takeOwnership: boolean;
    /** Choices the plan made that a reviewer should see (not problems): preview prints them. */
    readonly notices: readonly string[];
    readonly warnings: readonly ValidationIssue[];
}

/** Kubernetes' limit on an object's total annotation size. */
const ANNOTATION_LIMIT = 256 * 1024;
const CONFIGMAP_LIMIT = 1024 * 1024;

/** A workload met by the transform may also be a bare Pod. */
export type PlannedIdentity = Omit<WorkloadIdentity, "kind"> & { kind: WorkloadKind | "Pod" };

export function workloadId(w: PlannedIdentity): string {
    return `${w.kind}/${w.namespace}/${w.name}`;
}

/** Validated rules that can plan any workload: the listed ones, or one met by the transform. */
export class BypassPlanner {
    readonly rules: NormalisedRules;
    readonly warnings: ValidationIssue[];
    private readonly resolver: ScopeResolver;
    private readonly renderedByNamespace = new Map<string, Pick<WorkloadPlan, "meshes" | "annotations" | "labels" | "hash">>();
    private readonly listed: Map<string, WorkloadRules>;
    private readonly notes = new Map<string, string[]>();

    constructor(args: PlainBypassArgs, options: PlanOptions = {}) {
        const v = validateRules(args, { now: options.now });
        this.rules = v.rules;
        this.warnings = [...v.warnings];
        this.resolver = new ScopeResolver(v.rules);
        this.listed = new Map(v.rules.workloads.map((w) => [workloadId(w), w]));
    }

    /** The plan of one workload; listed workloads get their own rules, others namespace and global ones. */
    planWorkload<K extends WorkloadKind | "Pod">(identity: PlannedIdentity & { kind: K }): WorkloadPlan & { kind: K } {
        const id = workloadId(identity);
        const own = this.listed.get(id);
        const ownPassthrough = own?.passthrough !== undefined;
        const { effective, shared } = this.resolver.resolve(identity.namespace, own);
        const sharedRender = shared && !ownPassthrough;
        let rendered = sharedRender ? this.renderedByNamespace.get(identity.namespace) : undefined;
        if (!rendered) {
            rendered = this.render(effective, ownPassthrough ? own : undefined, id);
            if (sharedRender) this.renderedByNamespace.set(identity.namespace, rendered);
        }
        return {
            id,
            kind: identity.kind,
            namespace: identity.namespace,
            name: identity.name,
            declaredInProgram: own?.declaredInProgram ?? false,
            effective,
            inheritsNamespace: sharedRender,
            ...rendered,
        };
    }

    private render(effective: EffectiveRules, passthroughWorkload: WorkloadIdentity | undefined, id: string) {
        const meshes: Partial<Record<Mesh, Rendered>> = {};
        const annotations: Record<string, string> = {};
        const labels: Record<string, string> = {};
        for (const mesh of this.rules.meshes) {
            const r = RENDERERS[mesh]({ effective, istio: this.rules.istio, meshes: this.rules.meshes, passthroughWorkload });
            meshes[mesh] = r;
            Object.assign(annotations, r.annotations);
            Object.assign(labels, r.labels);
            for (const n of r.notes) {
                const ids = this.notes.get(n);
                if (ids) ids.push(id);
                else this.notes.set(n, [id]);
            }
        }
        let hash: string | undefined;
        if (this.rules.rolloutHash && (Object.keys(annotations).length > 0 || Object.keys(labels).length > 0)) {
            hash = rolloutHash(annotations, labels);
            annotations[ROLLOUT_HASH_ANNOTATION] = hash;
        }
        return { meshes, annotations, labels, hash };
    }

    /** The whole plan for the listed workloads. Throws BypassValidationError if a limit is crossed. */
    plan(name = "sidecar-bypass"): BypassPlan {
        const errors: ValidationIssue[] = [];
        const workloads = this.rules.workloads.map((w, i) => {
            const p = this.planWorkload(w);
            const size = Object.entries(p.annotations).reduce((n, [k, v]) => n + k.length + v.length, 0);
            if (size > ANNOTATION_LIMIT) {
                errors.push({
                    path: `workloads[${i}]`,
                    message: `the bypass annotations of ${p.id} would take ${size} bytes, over Kubernetes' 256 KiB annotation limit; use wider CIDRs`,
                });
            }
            return p;
        });
        const byNamespace = new Map<string, WorkloadPlan[]>();
        for (const w of workloads) {
            const list = byNamespace.get(w.namespace);
            if (list) list.push(w);
            else byNamespace.set(w.namespace, [w]);
        }
        for (const ns of this.rules.namespaces.keys()) if (!byNamespace.has(ns)) byNamespace.set(ns, []);
        const namespaces: NamespacePlan[] = [...byNamespace.keys()].sort().map((ns) => {
            const configMapData = describeNamespace(ns, byNamespace.get(ns)!, this.rules);
            const size = Object.entries(configMapData).reduce((n, [k, v]) => n + k.length + v.length, 0);
            if (size > CONFIGMAP_LIMIT) {
                errors.push({ path: "namespaces", message: `the record of namespace '${ns}' would take ${size} bytes, over a ConfigMap's 1 MiB` });
            }
            return { name: ns, workloads: byNamespace.get(ns)!.map((w) => w.id), configMapData };
        });
        if (errors.length > 0) throw new BypassValidationError(errors);
        return {
            meshes: this.rules.meshes,
            workloads,
            namespaces,
            kuma: this.rules.meshes.includes("kuma") ? renderKumaObjects(this.rules, name) : [],
            rollout: this.rules.rollout,
            takeOwnership: this.rules.takeOwnership,
            notices: [
                ...(this.rules.takeOwnership ? ["takeOwnership: the fields this component declares are taken back from any other field manager (server-side apply with force)"] : []),
                ...(this.rules.meshes.includes("kuma") ? kumaNotices(this.rules.kuma) : []),
            ],
            warnings: [...this.warnings, ...this.noteWarnings()],
        };
    }

    private noteWarnings(): ValidationIssue[] {
        return [...this.notes].map(([message, ids]) => ({
            path: "workloads",
            message: `${message} (${ids[0]}${ids.length > 1 ? ` and ${ids.length - 1} more` : ""})`,
        }));
    }
}

/**
 * Plans the bypass: validates and normalises the rules, resolves them per workload with provenance, and
 * renders each selected mesh's objects. Throws BypassValidationError listing every problem.
 */
export function planBypass(args: PlainBypassArgs, options: PlanOptions = {}): BypassPlan {
    return new BypassPlanner(args, options).plan(options.name);
}
