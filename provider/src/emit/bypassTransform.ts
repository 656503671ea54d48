// For workloads declared in the same TypeScript program: a resource transform that adds the planned
// annotations and labels as the workload is declared, instead of patching it afterwards.
import * as pulumi from "@pulumi/pulumi";
import type { SidecarBypassArgs, WorkloadKind } from "../args";
import { MESHES, podTemplateKeys } from "../meshes/registry";
import { BypassPlanner, type PlanOptions } from "../plan/planBypass";
import { ROLLOUT_HASH_ANNOTATION } from "../plan/rolloutHash";
import { WORKLOAD_KINDS } from "../rules/workloadKinds";
import { skeletonOf } from "./skeleton";

/** The resource types of the workload kinds (`kubernetes:<apiVersion>:<kind>`, custom resources included). */
const WORKLOAD_TYPES: Record<string, WorkloadKind> = Object.fromEntries(
    Object.entries(WORKLOAD_KINDS).map(([kind, facts]) => [`kubernetes:${facts.apiVersion}:${kind}`, kind as WorkloadKind]),
);
const POD_TYPE = "kubernetes:core/v1:Pod";

/** Every key the component may write (each adapter's, and the rollout hash): a change to any of them must replace a bare Pod. */
const KEYS = podTemplateKeys(MESHES);
export const BYPASS_ANNOTATION_KEYS: readonly string[] = [...KEYS.annotations, ROLLOUT_HASH_ANNOTATION];
export const BYPASS_LABEL_KEYS: readonly string[] = KEYS.labels;

type Props = Record<string, unknown>;

function asObject(v: unknown): Props {
    return v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Props) : {};
}

/** Merges ours over theirs, one level deep, keeping every key we do not write. */
function withMetadata(meta: unknown, annotations: Record<string, string>, labels: Record<string, string>): Props {
    const m = asObject(meta);
    return {
        ...m,
        annotations: { ...asObject(m.annotations), ...annotations },
        labels: { ...asObject(m.labels), ...labels },
    };
}

/**
 * A transform for `transforms: [bypassTransform(rules)]` (or `pulumi.runtime.registerResourceTransform`).
 * Deployments, StatefulSets, DaemonSets, CronJobs and Argo Rollouts get the planned pod-template annotations and labels; bare Pods
 * get them on their metadata and are replaced when they change (their traffic rules are set at creation).
 * Rule values must be plain here; pass Outputs to SidecarBypass instead.
 */
export function bypassTransform(args: SidecarBypassArgs, options: PlanOptions = {}): pulumi.ResourceTransform {
    const { skeleton, complete } = skeletonOf(args);
    if (!complete) {
        throw new Error("bypassTransform needs plain rule values (no Outputs); pass Outputs to SidecarBypass instead");
    }
    const planner = new BypassPlanner(skeleton, options);
    return ({ type, name, props, opts }) => {
        const kind = WORKLOAD_TYPES[type];
        if (!kind && type !== POD_TYPE) return undefined;
        const meta = asObject(props.metadata);
        if (typeof meta.namespace !== "string" && meta.namespace !== undefined) {
            pulumi.log.warn(`sidecar-bypass: ${name}'s namespace is not known yet; only global rules are applied`);
        }
        const namespace = typeof meta.namespace === "string" ? meta.namespace : meta.namespace === undefined ? "default" : "";
        const objectName = typeof meta.name === "string" ? meta.name : name;
        const plan = planner.planWorkload({ kind: kind ?? "Pod", namespace, name: objectName });
        if (!kind) {
            return {
                props: { ...props, metadata: withMetadata(meta, plan.annotations, plan.labels) },
                opts: pulumi.mergeOptions(opts, {
                    replaceOnChanges: [
                        ...BYPASS_ANNOTATION_KEYS.map((k) => `metadata.annotations["${k}"]`),
                        ...BYPASS_LABEL_KEYS.map((k) => `metadata.labels["${k}"]`),
                    ],
                }),
            };
        }
        // Down the kind's path to its pod template (a CronJob's is spec.jobTemplate.spec.template), keeping every other field.
        const merged = (node: unknown, path: readonly string[]): Props => {
            const o = asObject(node);
            if (path.length === 0) return { ...o, metadata: withMetadata(o.metadata, plan.annotations, plan.labels) };
            return { ...o, [path[0]]: merged(o[path[0]], path.slice(1)) };
        };
        return { props: merged(props, WORKLOAD_KINDS[kind].templatePath), opts };
    };
}
