// The component: a thin layer that plans with planBypass and turns the plan into Kubernetes resources.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { SidecarBypassArgs } from "../args";
import { parseIstioInjectorValues } from "../meshes/istio";
import { effectiveTable, summaryMarkdown } from "../plan/describe";
import { type BypassPlan, planBypass } from "../plan/planBypass";
import type { PlainBypassArgs } from "../rules/schema";
import { kubeName, patchAnnotations } from "./fieldManager";
import { namespaceRecord } from "./namespaceRecord";
import { skeletonOf } from "./skeleton";
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

/** Groups a namespace's resources so `pulumi preview` shows each scope by name. */
class NamespaceScope extends pulumi.ComponentResource {
    constructor(name: string, opts: pulumi.ComponentResourceOptions) {
        super("sidecar-bypass:index:NamespaceScope", name, {}, opts);
        this.registerOutputs({});
    }
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
        const planOptions = { name: kubeName(`sidecar-bypass-${name}`) };

        // Which resources exist comes from plain values only; planning them also fails fast on bad plain rules.
        const { skeleton, complete } = skeletonOf(args);
        const read = args.istio?.readInstallDefaults;
        let structure: BypassPlan;
        let plan: pulumi.Output<BypassPlan> | undefined;
        if (complete && !read) {
            // Every value is known now: resources get them directly, without walking the plan through Outputs.
            structure = planBypass(args as PlainBypassArgs, planOptions);
            this.report(structure);
        } else {
            structure = planBypass({ ...skeleton, istio: undefined }, planOptions);
            const installDefaults = read
                ? k8s.core.v1.ConfigMap.get(
                      `${name}/istio-injector`,
                      `${read.namespace ?? "istio-system"}/${read.name ?? "istio-sidecar-injector"}`,
                      { parent: this },
                  ).data.apply((d) => parseIstioInjectorValues(d?.["values"] ?? "{}"))
                : args.istio?.installDefaults;
            // The install's defaults, read or stated, replace how they were asked for; the other Istio options stay.
            const istio = { dataplaneMode: args.istio?.dataplaneMode, installDefaults };
            plan = pulumi.output({ ...args, istio }).apply((a) => {
                const p = planBypass(a as PlainBypassArgs, planOptions);
                this.report(p);
                return p;
            });
        }
        const select = <T>(f: (p: BypassPlan) => T): pulumi.Output<T> =>
            // The plan is plain data (no Outputs inside), so Unwrap<T> is T.
            plan ? plan.apply(f) : (pulumi.output(f(structure)) as pulumi.Output<T>);

        const scopes = new Map<string, NamespaceScope>();
        const scopeOf = (ns: string) => {
            let s = scopes.get(ns);
            if (!s) {
                s = new NamespaceScope(`${name}/${ns}`, { parent: this });
                scopes.set(ns, s);
            }
            return s;
        };

        structure.workloads.forEach((w, i) => {
            if (w.declaredInProgram) return;
            const template = select((p) => ({ annotations: p.workloads[i].annotations, labels: p.workloads[i].labels }));
            workloadPatch(`${name}/${w.namespace}/${w.kind}/${w.name}`, w, template, structure, { parent: scopeOf(w.namespace) });
        });

        structure.namespaces.forEach((ns, j) => {
            if (ns.workloads.length === 0) return;
            const record = { name: planOptions.name, namespace: ns.name, component: name, takeOwnership: structure.takeOwnership };
            namespaceRecord(`${name}/${ns.name}/record`, record, select((p) => p.namespaces[j].configMapData), { parent: scopeOf(ns.name) });
        });

        structure.kuma.forEach((obj, j) => {
            const ns = obj.metadata.namespace;
            const parent = ns && obj.scope !== "global" ? scopeOf(ns) : this;
            const resourceName = `${name}/${ns ? `${ns}/` : ""}${obj.kind}/${obj.metadata.name}`;
            const spec = select((p) => p.kuma[j].spec);
            if (obj.patch) {
                new k8s.apiextensions.CustomResourcePatch(
                    resourceName,
                    { apiVersion: obj.apiVersion, kind: obj.kind, metadata: { name: obj.metadata.name, annotations: patchAnnotations(structure.takeOwnership) }, spec },
                    { parent },
                );
            } else {
                new k8s.apiextensions.CustomResource(
                    resourceName,
                    { apiVersion: obj.apiVersion, kind: obj.kind, metadata: obj.metadata, spec },
                    { parent },
                );
            }
        });

        this.effectiveRules = select((p) => effectiveTable(p));
        this.summary = select((p) => summaryMarkdown(p));
        this.registerOutputs({ effectiveRules: this.effectiveRules, summary: this.summary });
    }

    private report(plan: BypassPlan): void {
        for (const w of plan.warnings) pulumi.log.warn(`${w.path}: ${w.message}`, this);
        for (const n of plan.notices) pulumi.log.info(n, this);
        const patched = plan.workloads.filter((w) => !w.declaredInProgram).map((w) => w.id);
        if (!plan.rollout.wait && patched.length > 0) {
            const list = patched.length > 3 ? `${patched.slice(0, 3).join(", ")} and ${patched.length - 3} more` : patched.join(", ");
            pulumi.log.info(`rollouts are not awaited (rollout.wait: false): ${list} may still be rolling when up finishes`, this);
        }
    }
}
