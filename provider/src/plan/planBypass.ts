// The planning API: plain arguments in, the complete plan out (validate → resolve → render → describe). Pure and
// synchronous, so tests, the component, the transform and other tools all call the same thing.
import type { WorkloadKind } from "../args";
import type { ClusterObject, Rendered } from "../meshes/adapter";
import { MESHES, type MeshRegistry } from "../meshes/registry";
import type { EffectiveRules } from "../resolve/effective";
import { ScopeResolver, setsAnything } from "../resolve/resolveScopes";
import { BypassValidationError, type ValidationIssue } from "../rules/issues";
import type { SettingsOf } from "../rules/meshTraits";
import { PRODUCT, workloadId } from "../rules/names";
import type { PlainBypassArgs } from "../rules/schema";
import type { NormalisedRules, NormalisedWorkload } from "../rules/types";
import { validateRules } from "../rules/validateRules";
import { mayBeOnDelete } from "../rules/workloadKinds";
import { type AdmissionPlan, type AdmissionScope, CEL_EXPRESSION_LIMIT, expressionOverLimit, planAdmission, type ScopeKeys } from "./admissionPolicy";
import { PlanDescriber } from "./describe";
import { plainEffective } from "./plainEffective";
import { kindNotices } from "./podReplacement";
import { ROLLOUT_HASH_ANNOTATION, rolloutHash } from "./rolloutHash";
import type { BypassPlan, NamespacePlan, PlannedEffective, PlannedIdentity, WorkloadPlan } from "./types";

export interface PlanOptions<R extends MeshRegistry = typeof MESHES> {
    /** Prefix for the objects the plan names (policies, ConfigMaps); default `sidecar-bypass`. */
    name?: string;
    /** The time fullBypass expiries are compared with; default now. */
    now?: Date;
    /** The mesh adapters to plan with; default the package's own (`MESHES`). */
    registry?: R;
}

type IdOf<R extends MeshRegistry> = keyof R & string;

/** The arguments for a registry: `PlainBypassArgs`, with the registry's mesh names. */
export type PlanArgs<R extends MeshRegistry = typeof MESHES> = Omit<PlainBypassArgs, "meshes"> & { meshes: IdOf<R>[] };

/** Kubernetes' limit on an object's total annotation size. */
const ANNOTATION_LIMIT = 256 * 1024;
const CONFIGMAP_LIMIT = 1024 * 1024;

export { workloadId };

type RenderedWorkload<Id extends string> = Pick<WorkloadPlan<Id>, "meshes" | "annotations" | "labels" | "hash">;

/**
 * Validated rules that can plan any workload: the listed ones, or one met by the transform. A value: it holds only
 * the validated rules, and every note, warning and cache belongs to one call, so the same call gives the same answer.
 */
export class BypassPlanner<R extends MeshRegistry = typeof MESHES> {
    readonly rules: NormalisedRules<SettingsOf<R>>;
    readonly warnings: readonly ValidationIssue[];
    readonly registry: R;
    /** The listed workloads by id (a listed workload's scope label is its id), for planWorkload. */
    private readonly listed: ReadonlyMap<string, NormalisedWorkload>;

    constructor(args: NoInfer<PlanArgs<R>>, options: PlanOptions<R> = {}) {
        // Without a registry of the caller's, R is its default, the package's own.
        this.registry = options.registry ?? (MESHES as MeshRegistry as R);
        const v = validateRules(args, this.registry, { now: options.now });
        this.rules = v.rules;
        this.warnings = Object.freeze([...v.warnings]);
        this.listed = new Map(v.rules.workloads.map((w) => [w.ref.label, w]));
    }

    /** The plan of one workload; listed workloads get their own rules, others namespace and global ones. */
    planWorkload<K extends WorkloadKind | "Pod">(identity: PlannedIdentity & { kind: K }): WorkloadPlan<IdOf<R>> & { kind: K } {
        const id = workloadId(identity);
        return new PlanRun(this.rules, this.registry).planOf(identity, id, this.listed.get(id));
    }

    /** The whole plan for the listed workloads. Throws BypassValidationError if a limit is crossed. */
    plan(name = PRODUCT): BypassPlan<IdOf<R>> {
        const run = new PlanRun(this.rules, this.registry);
        const errors: ValidationIssue[] = [];
        // Workloads that share their namespace's rendering share its annotations object: measured once.
        const sizes = new Map<Record<string, string>, number>();
        const workloads = this.rules.workloads.map((w, i) => {
            const p = run.planOf(w, w.ref.label, w);
            let size = sizes.get(p.annotations);
            if (size === undefined) {
                size = textSize(p.annotations);
                sizes.set(p.annotations, size);
            }
            if (size > ANNOTATION_LIMIT) {
                errors.push({
                    path: `workloads[${i}]`,
                    message: `the bypass annotations of ${p.id} would take ${size} bytes, over Kubernetes' 256 KiB annotation limit; use wider CIDRs`,
                });
            }
            return p;
        });
        const admission = this.planAdmission(run, name);
        for (const scope of admission.scopes) {
            const length = expressionOverLimit(scope);
            if (length !== undefined) {
                errors.push({
                    path: scope.scope === "global" ? "global" : "namespaces",
                    message:
                        `the admission policy of ${scope.scope} would hold a CEL expression of ${length} characters, over the ` +
                        `${CEL_EXPRESSION_LIMIT} the API server accepts (cel-go's parser limit); use wider CIDRs`,
                });
            }
        }
        const namespaces = this.describeNamespaces(workloads, admission, errors);
        if (errors.length > 0) throw new BypassValidationError(errors);
        const selected = this.rules.meshes as readonly IdOf<R>[];
        const objects: Partial<Record<IdOf<R>, readonly ClusterObject[]>> = {};
        for (const mesh of selected) {
            const adapter = this.registry[mesh];
            if (adapter.objects) objects[mesh] = adapter.objects(this.rules, this.rules.settings[mesh], name);
        }
        return {
            meshes: selected,
            workloads,
            namespaces,
            objects,
            admission,
            rollout: this.rules.rollout,
            replaceOnDelete: this.rules.workloads
                .filter((w) => !w.declaredInProgram && mayBeOnDelete(w.kind))
                .filter((w) => w.replaceOnDeletePods ?? this.rules.rollout.replaceOnDeletePods)
                .map((w) => workloadId(w)),
            takeOwnership: this.rules.takeOwnership,
            notices: [
                ...(this.rules.takeOwnership
                    ? ["takeOwnership: the fields this component declares are taken back from any other field manager (server-side apply with force)"]
                    : []),
                ...selected.flatMap((mesh) => this.registry[mesh].notices?.(this.rules.settings[mesh], this.rules) ?? []),
                ...admissionNotices(admission),
                ...kindNotices(workloads.filter((w) => !w.declaredInProgram)),
            ],
            warnings: [...this.warnings, ...run.noteWarnings()],
        };
    }

    private planAdmission(run: PlanRun<R>, name: string): AdmissionPlan {
        if (this.rules.admission.mode === "off") return { mode: "off", scopes: [] };
        return planAdmission(this.rules.admission, [...this.rules.namespaces.keys()], (ns) => run.scopeKeys(ns), name);
    }

    private describeNamespaces(workloads: readonly WorkloadPlan<IdOf<R>>[], admission: AdmissionPlan, errors: ValidationIssue[]): NamespacePlan[] {
        const byNamespace = new Map<string, WorkloadPlan<IdOf<R>>[]>();
        for (const w of workloads) {
            const list = byNamespace.get(w.namespace);
            if (list) list.push(w);
            else byNamespace.set(w.namespace, [w]);
        }
        for (const ns of this.rules.namespaces.keys()) if (!byNamespace.has(ns)) byNamespace.set(ns, []);
        // The namespaces an admission policy reaches by name: the record says so (those reached by label are not known here).
        const admitted = new Map<string, AdmissionScope>();
        for (const scope of admission.scopes) for (const sel of scope.selections) for (const ns of sel.in ?? []) admitted.set(ns, scope);
        for (const ns of admitted.keys()) if (!byNamespace.has(ns)) byNamespace.set(ns, []);
        const describer = new PlanDescriber();
        return [...byNamespace.keys()].sort().map((ns) => {
            const members = byNamespace.get(ns) ?? [];
            const scope = admitted.get(ns);
            const { data: configMapData, size } = describer.namespaceRecord(ns, members, {
                meshes: this.rules.meshes,
                namespaceRules: this.rules.namespaces.has(ns),
                ...(scope ? { admission: { mode: admission.mode, scope } } : {}),
            });
            if (size > CONFIGMAP_LIMIT) {
                errors.push({ path: "namespaces", message: `the record of namespace '${ns}' would take ${size} bytes, over a ConfigMap's 1 MiB` });
            }
            return scope
                ? { name: ns, workloads: members.map((w) => w.id), admission: scope.name, configMapData }
                : { name: ns, workloads: members.map((w) => w.id), configMapData };
        });
    }
}

/** One planning call: the resolver's chain, the shared renderings and the meshes' notes live and die with it. */
class PlanRun<R extends MeshRegistry> {
    private readonly resolver: ScopeResolver;
    private readonly renderedByNamespace = new Map<string, RenderedWorkload<IdOf<R>>>();
    private readonly plain = new Map<EffectiveRules, PlannedEffective>();
    /** Each mesh's notes (what it cannot express), with the workloads they apply to. */
    private readonly notes = new Map<string, string[]>();

    constructor(
        private readonly rules: NormalisedRules<SettingsOf<R>>,
        private readonly registry: R,
    ) {
        this.resolver = new ScopeResolver(rules);
    }

    planOf<K extends WorkloadKind | "Pod">(
        identity: PlannedIdentity & { kind: K },
        id: string,
        own: NormalisedWorkload | undefined,
    ): WorkloadPlan<IdOf<R>> & { kind: K } {
        const { effective, shared } = this.resolver.resolve(identity.namespace, own);
        // A workload that sets anything of its own (a passthrough policy too) is rendered on its own.
        const sharedRender = shared && !(own && setsAnything(own));
        let rendered = sharedRender ? this.renderedByNamespace.get(identity.namespace) : undefined;
        if (!rendered) {
            rendered = this.render(effective, sharedRender ? undefined : own, id);
            if (sharedRender) this.renderedByNamespace.set(identity.namespace, rendered);
        }
        const { kind, namespace, name } = identity;
        const declaredInProgram = own?.declaredInProgram ?? false;
        const plain = shared ? this.plainOf(effective) : plainEffective(effective);
        const { meshes, annotations, labels, hash } = rendered;
        // Written out rather than spread from `rendered`, so the object is made whole, not grown property by property.
        return hash === undefined
            ? { id, kind, namespace, name, declaredInProgram, effective: plain, inheritsNamespace: sharedRender, meshes, annotations, labels }
            : { id, kind, namespace, name, declaredInProgram, effective: plain, inheritsNamespace: sharedRender, meshes, annotations, labels, hash };
    }

    /** Shared effective rules as plain data, made once per call (a workload's own are used once, and not kept). */
    private plainOf(e: EffectiveRules): PlannedEffective {
        let p = this.plain.get(e);
        if (!p) {
            p = plainEffective(e);
            this.plain.set(e, p);
        }
        return p;
    }

    private render(effective: EffectiveRules, workload: NormalisedWorkload | undefined, id: string): RenderedWorkload<IdOf<R>> {
        const meshes: Partial<Record<IdOf<R>, Rendered>> = {};
        const annotations: Record<string, string> = {};
        const labels: Record<string, string> = {};
        for (const mesh of this.rules.meshes as readonly IdOf<R>[]) {
            const r = this.registry[mesh].render({ effective, settings: this.rules.settings[mesh], meshes: this.rules.meshes, workload });
            meshes[mesh] = r;
            Object.assign(annotations, r.annotations);
            Object.assign(labels, r.labels);
            for (const n of r.notes) {
                const ids = this.notes.get(n);
                if (ids) ids.push(id);
                else this.notes.set(n, [id]);
            }
        }
        if (!this.rules.rolloutHash || (Object.keys(annotations).length === 0 && Object.keys(labels).length === 0)) {
            return { meshes, annotations, labels };
        }
        const hash = rolloutHash(annotations, labels);
        annotations[ROLLOUT_HASH_ANNOTATION] = hash;
        return { meshes, annotations, labels, hash };
    }

    /** What a pod of an unlisted workload gets in this namespace (undefined: the global scope's own). */
    scopeKeys(namespace: string | undefined): ScopeKeys {
        // A namespace's keys are what an unlisted pod there gets: the namespace's shared rendering, made once per call.
        const { annotations, labels, hash } =
            namespace === undefined
                ? this.render(this.resolver.resolveGlobal(), undefined, "global")
                : this.planOf({ kind: "Pod", namespace, name: "" }, `namespace/${namespace}`, undefined);
        return hash === undefined ? { annotations, labels } : { annotations, labels, hash };
    }

    noteWarnings(): ValidationIssue[] {
        return [...this.notes].map(([message, ids]) => ({
            path: "workloads",
            message: `${message} (${ids[0]}${ids.length > 1 ? ` and ${ids.length - 1} more` : ""})`,
        }));
    }
}

/** What preview says of each scope enforced at admission, and of what its change does to running pods. */
function admissionNotices(admission: AdmissionPlan): string[] {
    // Each scope by name up to a screenful; a platform with hundreds of namespaces gets one line for the rest.
    const shown = 10;
    const rest = admission.scopes.length - shown;
    const more =
        rest > 0 ? [`admission (${admission.mode}): and ${rest} more namespace scopes, each reaching every new pod of its namespace the same way`] : [];
    return [
        ...admission.scopes.slice(0, shown).map((s) => {
            const where = s.selections
                .map((sel) =>
                    sel.in
                        ? `namespaces ${sel.in.join(", ")}`
                        : `namespaces labelled ${Object.entries(sel.matchLabels ?? {})
                              .map(([k, v]) => `${k}=${v}`)
                              .join(",")} (not ${sel.notIn?.join(", ")})`,
                )
                .join(" and ");
            return (
                `admission (${admission.mode}): ${s.scope} reaches every new pod in ${where} through MutatingAdmissionPolicy ${s.name}, ` +
                "adding the keys a pod does not carry; running pods of unlisted workloads keep their rules until they are re-created"
            );
        }),
        ...more,
    ];
}

/** The characters of a string map's keys and values: what counts toward Kubernetes' size limits. */
function textSize(map: Record<string, string>): number {
    let n = 0;
    for (const k of Object.keys(map)) n += k.length + map[k].length;
    return n;
}

/**
 * Plans the bypass: validates and normalises the rules, resolves them per workload with provenance, and
 * renders each selected mesh's objects. Throws BypassValidationError listing every problem.
 */
export function planBypass(args: PlainBypassArgs, options?: PlanOptions): BypassPlan;
/** With mesh adapters of the caller's (`options.registry`) in place of the package's own. */
export function planBypass<R extends MeshRegistry>(args: PlanArgs<R>, options: PlanOptions<R> & { registry: R }): BypassPlan<IdOf<R>>;
export function planBypass<R extends MeshRegistry>(args: PlanArgs<R>, options: PlanOptions<R> = {}): BypassPlan<IdOf<R>> {
    return new BypassPlanner<R>(args, options).plan(options.name);
}
