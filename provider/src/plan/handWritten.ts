// Judging bypass keys someone wrote by hand on a workload, outside the component: each mesh reads its own keys back
// into rules, and the component's validation and planning judge them as if they were declared. What it refuses is
// what the mesh would refuse or a guardrail forbids; what it warns of has no effect; what it would write is the
// component's form of the same rules. The policy pack asks this of every workload of every stack.
import type { WorkloadKind } from "../args";
import type { PodKeys, ReadRules } from "../meshes/readBack";
import { MESHES, type MeshRegistry } from "../meshes/registry";
import type { FieldKey } from "../rules/fields";
import { BypassValidationError, type ValidationIssue } from "../rules/issues";
import { planBypass } from "./planBypass";
import { ROLLOUT_HASH_ANNOTATION } from "./rolloutHash";

/** What one mesh's hand-written keys on one workload come to. */
export interface HandWrittenVerdict {
    readonly mesh: string;
    /** The mesh's keys that are set, with their values. */
    readonly keys: Readonly<Record<string, string>>;
    /** The rules they mean, in the component's arguments' shape: what to declare instead. */
    readonly rules: ReadRules;
    /** What validation refuses (a guardrail, or a value the mesh would refuse), each naming the key it came from. */
    readonly refused: readonly string[];
    /** What has no effect on the mesh's data plane. */
    readonly noEffect: readonly string[];
    /** The keys the component would write for the same rules, where validation accepts them. */
    readonly wouldWrite?: Readonly<Record<string, string>>;
    /** A full bypass is written, without the reason and expiry a declared one carries. */
    readonly fullBypass: boolean;
}

export interface JudgedWorkload {
    readonly kind: WorkloadKind | "Pod";
    readonly namespace: string;
    readonly name: string;
}

/** Each mesh whose keys the pod template carries, judged. Empty when it carries none, or when the component wrote them. */
export function judgeHandWritten(workload: JudgedWorkload, pod: PodKeys, registry: MeshRegistry = MESHES): HandWrittenVerdict[] {
    // A pod template the component patched or transformed carries its rollout hash: not hand-written.
    if (pod.annotations[ROLLOUT_HASH_ANNOTATION] !== undefined) return [];
    return Object.values(registry).flatMap((adapter): HandWrittenVerdict[] => {
        const read = adapter.readBack?.(pod);
        if (!read) return [];
        const named = (issue: ValidationIssue) => `${keyOf(issue.path, read.fieldKeys) ?? Object.keys(read.keys).join(", ")}: ${issue.message}`;
        // A Pod is judged as the Deployment it would belong to: the rules are the same, only the kind differs.
        const kind = workload.kind === "Pod" ? "Deployment" : workload.kind;
        const args = {
            meshes: [adapter.id],
            workloads: [{ kind, namespace: workload.namespace, name: workload.name, ...read.rules }],
            admission: { mode: "off" as const },
        };
        const verdict = { mesh: adapter.id, keys: read.keys, rules: read.rules, fullBypass: read.rules.fullBypass?.enabled === true };
        try {
            const plan = planBypass(args, { registry });
            const { [ROLLOUT_HASH_ANNOTATION]: _hash, ...annotations } = plan.workloads[0].annotations;
            return [{ ...verdict, refused: [], noEffect: plan.warnings.map((w) => w.message), wouldWrite: { ...annotations, ...plan.workloads[0].labels } }];
        } catch (e) {
            if (!(e instanceof BypassValidationError)) throw e;
            return [{ ...verdict, refused: e.issues.map(named), noEffect: [] }];
        }
    });
}

/** The key a rule's path was read from: `workloads[0].outbound.excludeIpRanges[2]` → its annotation. */
function keyOf(path: string, fieldKeys: Readonly<Partial<Record<FieldKey, string>>>): string | undefined {
    const m = /^workloads\[0\]\.(\w+)\.(\w+)/.exec(path);
    if (!m) return undefined;
    const field = `${m[1]}.${m[2]}` as FieldKey;
    return fieldKeys[field] ?? Object.entries(fieldKeys).find(([k]) => k.startsWith(`${m[1]}.`))?.[1];
}
