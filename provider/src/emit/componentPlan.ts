// The component's view of its plan. Which resources exist comes from plain values only (a plan of the arguments
// without their Outputs, made now); their contents come from the full plan, which may wait for Outputs and for
// what a mesh reads from the cluster (Istio's injector values). The two are matched by identity, never by position.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { SidecarBypassArgs } from "../args";
import type { ClusterObject } from "../meshes/adapter";
import { MESHES } from "../meshes/registry";
import { admissionObjects } from "../plan/admissionPolicy";
import { planBypass } from "../plan/planBypass";
import type { BypassPlan, WorkloadPlan } from "../plan/types";
import { listFew } from "../rules/listFew";
import { RESOURCE_NAMES } from "../rules/names";
import type { PlainBypassArgs } from "../rules/schema";
import { skeletonOf } from "./skeleton";

export interface ComponentPlan {
    /** The plan of the plain values: which resources exist. */
    readonly structure: BypassPlan;
    /** Any part of the full plan. */
    select<T>(f: (p: BypassPlan) => T): pulumi.Output<T>;
    /**
     * The pod-template metadata of one workload. The parts below are plain values when the plan is known as the
     * component is made (no Outputs in its arguments, nothing read from the cluster): an Output per workload and
     * field costs the program's one thread promises and serialisation at every preview.
     */
    template(workloadId: string): pulumi.Input<Pick<WorkloadPlan, "annotations" | "labels">>;
    /** Every workload's pod-template metadata, looked up by id: one Output for all of them. */
    readonly templates: pulumi.Output<(workloadId: string) => Pick<WorkloadPlan, "annotations" | "labels">>;
    /** The record data of one namespace. */
    record(namespace: string): pulumi.Input<Record<string, string>>;
    /** The spec of one cluster object. */
    spec(mesh: string, obj: ClusterObject): pulumi.Input<Record<string, unknown>>;
    /** The spec of one admission policy or binding. */
    admissionSpec(obj: ClusterObject): pulumi.Input<Record<string, unknown>>;
}

/** A cluster object's identity within a plan. */
export function objectKey(mesh: string, obj: ClusterObject): string {
    return `${mesh}/${obj.kind}/${obj.metadata.namespace ?? ""}/${obj.metadata.name}`;
}

/** `componentName` names the resources; `name` prefixes the objects the plan names. */
export function planComponent(args: SidecarBypassArgs, componentName: string, name: string, parent: pulumi.Resource): ComponentPlan {
    const report = (plan: BypassPlan) => reportPlan(plan, parent);
    const { skeleton, complete } = skeletonOf(args);
    const readers = Object.values(MESHES).flatMap((m) => {
        const source = m.clusterDefaults?.source(skeleton);
        return m.clusterDefaults && source
            ? [{ defaults: m.clusterDefaults, source, resource: RESOURCE_NAMES.clusterDefaults(componentName, m.clusterDefaults.readName) }]
            : [];
    });
    if (complete && readers.length === 0) {
        // Every value is known now: resources get them directly, without walking the plan through Outputs.
        const plan = planBypass(args as PlainBypassArgs, { name });
        report(plan);
        return fromKnownPlan(plan);
    }
    // While the cluster's values are unknown, the structure is planned with none read (it does not depend on them).
    const unread = readers.reduce((a, r) => r.defaults.apply(a, {}), skeleton);
    const structure = planBypass(unread, { name });
    const reads = readers.map((r) => k8s.core.v1.ConfigMap.get(r.resource, `${r.source.namespace}/${r.source.name}`, { parent }).data);
    const plan = pulumi.all([pulumi.output(args), pulumi.all(reads)]).apply(([plain, data]) => {
        const full = readers.reduce((a, r, i) => r.defaults.apply(a, data[i] ?? {}), plain as PlainBypassArgs);
        const p = planBypass(full, { name });
        report(p);
        return p;
    });
    return fromPlan(structure, plan as pulumi.Output<BypassPlan>);
}

/** The plan's parts by identity, made once per plan. */
function indexOf(p: BypassPlan) {
    return {
        workloads: new Map(p.workloads.map((w) => [w.id, { annotations: w.annotations, labels: w.labels }])),
        records: new Map(p.namespaces.map((ns) => [ns.name, ns.configMapData])),
        specs: new Map(Object.entries(p.objects).flatMap(([mesh, list]) => (list ?? []).map((o) => [objectKey(mesh, o), o.spec]))),
        admission: new Map(admissionObjects(p.admission, {}).map((o) => [objectKey("admission", o), o.spec])),
    };
}
type PlanIndex = ReturnType<typeof indexOf>;

const found = <T>(what: string, v: T | undefined): T => {
    if (v === undefined) throw new Error(`sidecar-bypass: ${what} is in the plan of the plain values but not in the full plan`);
    return v;
};
const templateIn = (ix: PlanIndex, id: string) => found(id, ix.workloads.get(id));

/** Parts of the plan, from an index of it: `lookUp` gives each part as a value, or as an Output of the index. */
function parts(lookUp: <T>(f: (ix: PlanIndex) => T) => pulumi.Input<T>): Omit<ComponentPlan, "structure" | "select" | "templates"> {
    return {
        template: (id) => lookUp((ix) => templateIn(ix, id)),
        record: (ns) => lookUp((ix) => found(`namespace ${ns}`, ix.records.get(ns))),
        spec: (mesh, obj) => lookUp((ix) => found(objectKey(mesh, obj), ix.specs.get(objectKey(mesh, obj))) as Record<string, unknown>),
        admissionSpec: (obj) => lookUp((ix) => found(objectKey("admission", obj), ix.admission.get(objectKey("admission", obj))) as Record<string, unknown>),
    };
}

/** A plan known now: its parts are plain values. */
function fromKnownPlan(plan: BypassPlan): ComponentPlan {
    const index = indexOf(plan);
    // Walked into an Output once, for the parts that are Outputs (the table and the summary).
    const whole = pulumi.output(plan);
    return {
        structure: plan,
        select: <T>(f: (p: BypassPlan) => T) => whole.apply(f) as pulumi.Output<T>,
        templates: pulumi.output((id: string) => templateIn(index, id)),
        ...parts((f) => f(index)),
    };
}

function fromPlan(structure: BypassPlan, plan: pulumi.Output<BypassPlan>): ComponentPlan {
    const index = plan.apply(indexOf);
    return {
        structure,
        // The plan is plain data (no Outputs inside), so Unwrap<T> is T.
        select: <T>(f: (p: BypassPlan) => T) => plan.apply(f) as pulumi.Output<T>,
        templates: index.apply((ix) => (id: string) => templateIn(ix, id)),
        ...parts((f) => index.apply(f) as pulumi.Output<never>),
    };
}

function reportPlan(plan: BypassPlan, resource: pulumi.Resource): void {
    for (const w of plan.warnings) pulumi.log.warn(`${w.path}: ${w.message}`, resource);
    for (const n of plan.notices) pulumi.log.info(n, resource);
    const patched = plan.workloads.filter((w) => !w.declaredInProgram).map((w) => w.id);
    if (!plan.rollout.wait && patched.length > 0) {
        pulumi.log.info(`rollouts are not awaited (rollout.wait: false): ${listFew(patched, 3)} may still be rolling when up finishes`, resource);
    }
}
