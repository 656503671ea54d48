// The component: a thin layer that plans (planComponent) and turns each part of the plan into its resources.
import * as pulumi from "@pulumi/pulumi";
import type { SidecarBypassArgs } from "../args";
import { admissionObjects } from "../plan/admissionPolicy";
import { effectiveTable, summaryMarkdown } from "../plan/describe";
import { type ComponentOwner, fieldManagerOf, objectPrefixOf, ownerLabels } from "../plan/owner";
import { RESOURCE_NAMES } from "../rules/names";
import { mayBeOnDelete } from "../rules/workloadKinds";
import { clusterApiGate } from "./clusterApis";
import { clusterObject } from "./clusterObject";
import { planComponent } from "./componentPlan";
import { namespaceRecord } from "./namespaceRecord";
import { replaceOnDeletePods } from "./onDeleteReplacement";
import { driftCheck } from "./ownershipCheck";
import { claimWorkloads } from "./programClaims";
import { workloadPatch } from "./workloadPatch";

/** One row of the effective-rules table: values of one field in force on a workload, and their origin. */
export interface EffectiveRuleRowOutput {
    /** `Deployment/payments/ledger`. */
    workload: string;
    /** e.g. `outbound.excludeIpRanges`, `fullBypass`. */
    field: string;
    /** Comma-separated values, `*` for all. */
    values: string;
    /** The scopes the values came from, e.g. `global + namespace/payments`. */
    from: string;
}

/**
 * The type of the per-namespace component that grouped a namespace's resources up to 0.x: 50 namespaces made 50 more
 * engine steps, each a checkpoint of the whole state at up. Resources that sat under one keep their state through an
 * alias to it, so an upgrade replaces nothing (a patch replaced would remove our keys and roll the pods twice).
 */
const NAMESPACE_SCOPE_TYPE = "sidecar-bypass:index:NamespaceScope";

/** Both lists to wait for; plain when both are (no Output, so no promise, per resource). */
function dependsOnBoth(a: pulumi.Input<pulumi.Resource[]>, b: pulumi.Input<pulumi.Resource[]>): pulumi.Input<pulumi.Resource[]> {
    if (Array.isArray(a) && a.length === 0) return b;
    if (Array.isArray(a) && Array.isArray(b)) return [...a, ...b];
    return pulumi.all([a, b]).apply(([x, y]) => [...x, ...y]);
}

/**
 * Declares which traffic skips the service-mesh sidecar, for the whole mesh, a namespace or one workload,
 * and rolls it out: pod-template patches (with a rollout hash), a ConfigMap per namespace recording the
 * resolved rules, and Kuma policies.
 */
export class SidecarBypass extends pulumi.ComponentResource {
    /** Per workload and field: the values in force and the scopes they came from. */
    public readonly effectiveRules: pulumi.Output<EffectiveRuleRowOutput[]>;
    /** A markdown summary of the plan, fit for a pull-request comment. */
    public readonly summary: pulumi.Output<string>;

    constructor(name: string, args: SidecarBypassArgs, opts?: pulumi.ComponentResourceOptions) {
        // Plain `{}` as inputs: the args may hold Outputs, which the engine must not be sent (pulumi#23953).
        super("sidecar-bypass:index:SidecarBypass", name, {}, opts);
        // This instance in this stack is the owner: its own field manager, and object names apart from any other's.
        const owner: ComponentOwner = { project: pulumi.getProject(), stack: pulumi.getStack(), component: name };
        const objectName = objectPrefixOf(owner);
        const plan = planComponent(args, name, objectName, this);
        const { structure } = plan;
        const settings = { fieldManager: fieldManagerOf(owner), takeOwnership: structure.takeOwnership, rollout: structure.rollout };
        // A namespace's resources sit under the component, their names holding the namespace; the alias is their old place
        // (one URN per namespace, shared by its resources).
        const oldParents = new Map<string, pulumi.Output<string>>();
        const inNamespace = (ns: string) => {
            const parent = oldParents.get(ns) ?? pulumi.createUrn(RESOURCE_NAMES.namespace(name, ns), NAMESPACE_SCOPE_TYPE, this);
            oldParents.set(ns, parent);
            return { parent: this, aliases: [{ parent }] };
        };

        // Everything waits for the check that the cluster serves what the component writes (the admission mode's API, a
        // Rollout's CRD): nothing is half-written.
        const patched = structure.workloads.filter((w) => !w.declaredInProgram);
        claimWorkloads(
            `${owner.project}/${owner.stack}`,
            name,
            patched.map((w) => w.id),
        );
        const needs = { ...(structure.admission.scopes.length > 0 ? { admission: structure.admission.mode } : {}), workloads: patched };
        const apiGate = clusterApiGate(needs, this);
        const after = (gate: pulumi.Input<pulumi.Resource[]>) => dependsOnBoth(apiGate, gate);

        const replaceOnDelete = new Set(structure.replaceOnDelete);
        const replaces = (id: string) => replaceOnDelete.has(id);
        // Each patch waits for the live workload's check: a field another manager took fails preview in our words. The
        // reads wait for the cluster's APIs: a Rollout without Argo's CRD is refused as that, not as "not found".
        const checked = patched.map((w) => ({
            id: w.id,
            kind: w.kind,
            namespace: w.namespace,
            name: w.name,
            readName: RESOURCE_NAMES.liveRead(RESOURCE_NAMES.workloadPatch(name, w)),
            replaces: replaces(w.id),
        }));
        const check = driftCheck(checked, plan.templates, settings, this, { parent: this, dependsOn: apiGate });
        const replaced: pulumi.Output<string[]>[] = [];
        for (const w of patched) {
            const resourceName = RESOURCE_NAMES.workloadPatch(name, w);
            const template = plan.template(w.id);
            // The plan lists only kinds that may be OnDelete; the guard tells the compiler so.
            const onDelete = mayBeOnDelete(w.kind) && replaces(w.id) ? { ...w, kind: w.kind } : undefined;
            // An OnDelete DaemonSet's rollout never finishes for the provider: its pods are awaited as they are replaced.
            const awaited = onDelete && w.kind === "DaemonSet" ? { ...settings, rollout: { ...settings.rollout, wait: false } } : settings;
            const patch = workloadPatch(resourceName, w, template, awaited, { ...inNamespace(w.namespace), dependsOn: after(check.gate(w.id)) });
            if (onDelete) replaced.push(replaceOnDeletePods(onDelete, template, patch, settings.rollout.timeoutSeconds, this));
        }
        for (const [mesh, objects] of Object.entries(structure.objects)) {
            for (const obj of objects ?? []) {
                const ns = obj.metadata.namespace;
                const placed = ns && obj.scope !== "global" ? inNamespace(ns) : { parent: this };
                clusterObject(RESOURCE_NAMES.clusterObject(name, obj, ns), obj, plan.spec(mesh, obj), settings, { ...placed, dependsOn: apiGate });
            }
        }
        // Cluster-scoped: every new pod in a scope's namespaces gets that scope's keys it lacks.
        const policies = new Map<string, pulumi.Output<string>>();
        for (const obj of admissionObjects(structure.admission, ownerLabels(owner))) {
            const made = clusterObject(RESOURCE_NAMES.clusterObject(name, obj), obj, plan.admissionSpec(obj), settings, {
                parent: this,
                dependsOn: apiGate,
            });
            if (obj.kind === "MutatingAdmissionPolicy") policies.set(obj.metadata.name, made.metadata.creationTimestamp);
        }
        for (const ns of structure.namespaces.filter((ns) => ns.workloads.length > 0 || ns.admission)) {
            const record = { name: objectName, namespace: ns.name, owner, ...settings };
            // Since when the scope is enforced at admission: its policy's creation, as the API server stamped it.
            const since = ns.admission ? policies.get(ns.admission) : undefined;
            const data = since
                ? pulumi.all([plan.record(ns.name), since]).apply(([d, t]): Record<string, string> => ({ ...d, "admission-since": `${t}\n` }))
                : plan.record(ns.name);
            namespaceRecord(RESOURCE_NAMES.record(name, ns.name), record, data, { ...inNamespace(ns.name), dependsOn: apiGate });
        }
        this.effectiveRules = plan.select(effectiveTable);
        // At preview the summary (a PR comment) also names the workloads whose running pods this change does not replace.
        // (An Output returned from apply is flattened; the plan is not walked as pulumi.all would walk it.)
        this.summary = check.unreplaced.apply((notes) => plan.select((p) => summaryMarkdown(p, { unreplaced: notes })));
        // The pods replaced under rollout.replaceOnDeletePods: registered so up waits for their replacement.
        const replacedPods = pulumi.all(replaced).apply((lists) => lists.flat());
        // The table is not written to the component's state: the engine rewrites the whole state at every step of up,
        // and the table (a row per workload and field) was most of the component's share of it. It stays an output of
        // every language (a provider's construct answers it), each namespace's record holds its rows, and a program
        // that wants it in its state exports it. The policy pack reads its full-bypass rows, registered on their own.
        const fullBypassRows = this.effectiveRules.apply((rows) => rows.filter((r) => r.field === "fullBypass"));
        this.registerOutputs({ summary: this.summary, replacedPods, fullBypassRows });
    }
}
