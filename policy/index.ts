// The sidecar-bypass policy pack: every workload of every stack judged with the component's own knowledge of each
// mesh (`judgeHandWritten`), and the component's own full bypasses checked for a reason and an expiry. Each policy
// has an enforcement level (mandatory where it guards safety) that a stack's policy config can turn off or up:
// `pulumi preview --policy-pack <this folder> [--policy-pack-config <file>]`.
import {
    type EnforcementLevel,
    PolicyPack,
    type ReportViolation,
    type ResourceValidationArgs,
    type ResourceValidationPolicy,
    type StackValidationPolicy,
} from "@pulumi/policy";
import { type HandWrittenVerdict, judgeHandWritten, MESHES, podTemplateKeys, templateOf, WORKLOAD_KINDS, workloadId } from "sidecar-bypass";

type Kind = keyof typeof WORKLOAD_KINDS | "Pod";
type Meta = { readonly name?: string; readonly namespace?: string; readonly annotations?: Record<string, string>; readonly labels?: Record<string, string> };

/** The Kubernetes resource types of the workload kinds the component knows, and of a bare Pod. */
const WORKLOAD_TYPES = new Map<string, Kind>([
    ...Object.entries(WORKLOAD_KINDS).map(([kind, facts]): [string, Kind] => [`kubernetes:${facts.apiVersion}:${kind}`, kind as Kind]),
    ["kubernetes:core/v1:Pod", "Pod"],
]);
const COMPONENT_TYPE = "sidecar-bypass:index:SidecarBypass";
const KEYS = podTemplateKeys(MESHES);

type Workload = NonNullable<ReturnType<typeof workloadOf>>;

/** A workload resource's identity, metadata and pod-template metadata; undefined for any other resource. */
function workloadOf(args: ResourceValidationArgs): { kind: Kind; namespace: string; name: string; id: string; meta: Meta; template: Meta } | undefined {
    const kind = WORKLOAD_TYPES.get(args.type);
    if (!kind) return undefined;
    const meta: Meta = args.props.metadata ?? {};
    const template = (kind === "Pod" ? args.props : templateOf(kind, args.props)) as { metadata?: Meta } | undefined;
    // An unnamed workload is named by Pulumi at create (its resource name and a suffix): the resource name stands in.
    const identity = { kind, namespace: meta.namespace ?? "default", name: meta.name ?? args.name };
    return { ...identity, id: workloadId(identity), meta, template: template?.metadata ?? {} };
}

/** A policy over each workload's hand-written keys, judged per mesh; `report` picks what it says. */
function judged(
    name: string,
    description: string,
    enforcementLevel: EnforcementLevel,
    report: (w: Workload, verdict: HandWrittenVerdict, reportViolation: ReportViolation) => void,
): ResourceValidationPolicy {
    return {
        name,
        description,
        enforcementLevel,
        validateResource: (args, reportViolation) => {
            const w = workloadOf(args);
            if (!w) return;
            const pod = { annotations: w.template.annotations ?? {}, labels: w.template.labels ?? {} };
            for (const verdict of judgeHandWritten(w, pod)) report(w, verdict, reportViolation);
        },
    };
}

const handWritten = judged(
    "bypass-keys-written-by-hand",
    "Mesh bypass annotations or labels written by hand on a workload's pod template: declare them with the SidecarBypass component instead.",
    "advisory",
    ({ id, kind, namespace, name }, v, reportViolation) => {
        const keys = Object.entries(v.keys)
            .map(([k, value]) => `${k}=${JSON.stringify(value)}`)
            .join(", ");
        const declaration = JSON.stringify({ kind, namespace, name, ...v.rules });
        const writes = v.wouldWrite ? `; it would write ${JSON.stringify(v.wouldWrite)}` : "";
        reportViolation(`${id}: ${keys} written by hand; declare it with SidecarBypass (meshes: ["${v.mesh}"]): workloads: [${declaration}]${writes}`);
    },
);

/** A policy that reports each of a verdict's messages of one sort, one violation each. */
const eachMessage = (name: string, description: string, level: EnforcementLevel, of: (v: HandWrittenVerdict) => readonly string[]) =>
    judged(name, description, level, ({ id }, v, reportViolation) => {
        for (const message of of(v)) reportViolation(`${id}: ${message}`);
    });

const noEffect = eachMessage(
    "bypass-rules-without-effect",
    "Hand-written bypass keys that the mesh reads differently from what they seem to say, or not at all.",
    "advisory",
    (v) => v.noEffect,
);

const guardrails = eachMessage(
    "bypass-guardrails",
    "Hand-written bypass keys that exclude the sidecar's own ports, every address or the root user, or that the mesh would refuse.",
    "mandatory",
    (v) => v.refused,
);

const handWrittenFullBypass = judged(
    "full-bypass-without-reason",
    "A whole-pod bypass written by hand: no reason and no expiry on record.",
    "mandatory",
    ({ id }, v, reportViolation) => {
        if (!v.fullBypass) return;
        reportViolation(
            `${id}: ${Object.keys(v.keys).join(", ")} takes every pod out of the mesh (no mTLS, no policy) with no reason or expiry on record; ` +
                "declare it with SidecarBypass fullBypass: { enabled: true, acknowledged: true, reason, expires }",
        );
    },
);

const onWorkloadMetadata: ResourceValidationPolicy = {
    name: "bypass-keys-on-workload-metadata",
    description: "Mesh bypass keys on the workload's own metadata, where no mesh reads them (istioctl analyze IST0107): they belong on the pod template.",
    enforcementLevel: "advisory",
    validateResource: (args, reportViolation) => {
        const w = workloadOf(args);
        if (!w || w.kind === "Pod") return;
        const misplaced = [
            ...Object.keys(w.meta.annotations ?? {}).filter((k) => KEYS.annotations.includes(k)),
            ...Object.keys(w.meta.labels ?? {}).filter((k) => KEYS.labels.includes(k)),
        ];
        if (misplaced.length === 0) return;
        const where = w.kind === "CronJob" ? "spec.jobTemplate.spec.template.metadata" : "spec.template.metadata";
        reportViolation(`${w.id}: ${misplaced.join(", ")} on the ${w.kind}'s own metadata, where the mesh does not read it; put it on ${where}`);
    },
};

/** A row of the component's effective-rules table (see EffectiveRuleRow). */
interface Row {
    readonly workload: string;
    readonly field: string;
    readonly values: string;
    readonly from: string;
}

// A component's resource inputs never reach a policy (a local component registers none), but its registered outputs
// do: `fullBypassRows`, the effective-rules table's fullBypass rows, one per listed workload a full bypass reaches,
// saying its reason and expiry (an earlier component registered the whole table, as `effectiveRules`).
const declaredFullBypass: StackValidationPolicy = {
    name: "declared-full-bypass-reason-and-expiry",
    description: "A SidecarBypass full bypass needs a reason and an expiry; an expired one is to be removed or moved.",
    enforcementLevel: "mandatory",
    validateStack: (args, reportViolation) => {
        for (const component of args.resources.filter((r) => r.type === COMPONENT_TYPE)) {
            const { fullBypassRows, effectiveRules } = component.props;
            const rows: readonly Row[] = Array.isArray(fullBypassRows) ? fullBypassRows : Array.isArray(effectiveRules) ? effectiveRules : [];
            const byScope = new Map<string, { values: string; workloads: string[] }>();
            for (const r of rows.filter((r) => r.field === "fullBypass")) {
                const seen = byScope.get(r.from) ?? { values: r.values, workloads: [] };
                seen.workloads.push(r.workload);
                byScope.set(r.from, seen);
            }
            for (const [scope, { values, workloads }] of byScope) {
                const reaching = `${workloads[0]}${workloads.length > 1 ? ` and ${workloads.length - 1} more` : ""}`;
                const missing = [/\breason: /.test(values) ? undefined : "a reason", /\bexpires /.test(values) ? undefined : "an expiry"].filter((m) => m);
                if (values.startsWith("expired")) {
                    reportViolation(`${component.name}: the full bypass of ${scope} ${values.split(" (")[0]}; remove it or move the expiry`, component.urn);
                } else if (values.startsWith("enabled") && missing.length > 0) {
                    reportViolation(
                        `${component.name}: the full bypass of ${scope} (reaching ${reaching}) takes pods out of the mesh without ${missing.join(" or ")}; ` +
                            "set its fullBypass.reason and fullBypass.expires",
                        component.urn,
                    );
                }
            }
        }
    },
};

new PolicyPack("sidecar-bypass", {
    policies: [handWritten, noEffect, guardrails, handWrittenFullBypass, onWorkloadMetadata, declaredFullBypass],
});
